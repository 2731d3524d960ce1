import Foundation
import GammaLog
import GammaModel
import GammaTestKit
import Testing

@Suite struct GammaReportCLITests {
    static let t0: Int64 = 1_795_000_000_000_000_000

    static func writeLog(_ dir: TemporaryDirectory, extra: [String] = []) throws {
        let records = (0..<100).map { i in
            Record.metric(
                MetricRecord(
                    kind: .histogram, ts: t0 + Int64(i) * 1_000_000_000, name: "llm.latency_ms", labels: ["model": "m"],
                    value: Double(i)))
        }
        // The extra lines (invalid or clashing ones) follow in the same stream.
        try Fixtures.writeStream(
            records.map { (String(decoding: RecordEncoder.encode($0), as: UTF8.self), $0.ts) }
                + extra.map { ($0, t0 + 200_000_000_000) },
            to: dir.path, stream: "a")
    }

    @Test func aReportOfEveryFormatExitsZero() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeLog(dir)
        for format in ["table", "json", "prometheus", "openmetrics", "csv"] {
            let r = try Executables.run("gamma-report", ["--format", format, dir.path])
            #expect(r.status == 0 && !r.stdout.isEmpty && r.stderr.isEmpty, "\(format): \(r.stderr)")
        }
        let table = try Executables.run("gamma-report", [dir.path])
        #expect(table.stdout.contains("llm.latency_ms") && table.stdout.contains("  49.5  "))
        // Relative times: the last 10 s of the data (the last record is at 99 s).
        let json = try Executables.run("gamma-report", ["--format", "json", "--since", "-10s", dir.path])
        #expect(json.status == 0 && json.stdout.contains(#""count":11"#), "\(json.stdout)")
        let out = dir.file("report.prom")
        #expect(try Executables.run("gamma-report", ["--format", "prometheus", "-o", out, dir.path]).status == 0)
        #expect(String(decoding: Files.read(out), as: UTF8.self).contains("llm_latency_seconds_count{model=\"m\"} 100"))
    }

    @Test(arguments: [
        (["--format", "yaml"], "format"),
        (["--step", "5 parsecs"], "--step"),
        (["--quantiles", "0.5,2"], "--quantiles"),
        (["--buckets", "10,5"], "--buckets"),
        (["--match", "tool"], "label matcher"),
        (["--match", "tool=~("], "regular expression"),
        (["--since", "yesterday"], "--since"),
        (["--format", "prometheus", "--step", "1m"], "openmetrics")
    ])
    func badUsageExits64WithTheReason(_ args: [String], _ mentions: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeLog(dir)
        let r = try Executables.run("gamma-report", args + [dir.path])
        #expect(r.status == 64 && r.stderr.contains(mentions), "\(args): \(r.status) \(r.stderr)")
    }

    @Test func aMissingPathExits2() throws {
        let r = try Executables.run("gamma-report", ["/nonexistent/gamma-log"])
        #expect(r.status == 2 && r.stderr.contains("/nonexistent/gamma-log"))
    }

    @Test func invalidLinesWarnWithTheirPlaceAndFailOnlyWithStrict() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeLog(
            dir, extra: [#"{"type":"histogram","ts":1795000200000000000,"name":"llm.latency_ms","value":[1]}"#])
        let r = try Executables.run("gamma-report", ["--format", "json", dir.path])
        #expect(
            r.status == 0 && r.stderr.contains("warning:") && r.stderr.contains("line 101")
                && r.stderr.contains("a-00000000.jsonl.gz"), "\(r.stderr)")
        let strict = try Executables.run("gamma-report", ["--strict", dir.path])
        #expect(strict.status == 1 && strict.stderr.contains("--strict"))
    }

    @Test func twoMetricsUnderOneExposedNameAreAClearError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeLog(
            dir, extra: [#"{"type":"gauge","ts":1795000200000000000,"name":"llm_latency_ms","labels":{},"value":1}"#])
        let r = try Executables.run("gamma-report", ["--format", "prometheus", dir.path])
        #expect(
            r.status == 1 && r.stderr.contains("'llm.latency_ms'") && r.stderr.contains("'llm_latency_ms'")
                && r.stdout.isEmpty, "\(r.stderr)")
        let excluded = try Executables.run("gamma-report", ["--format", "prometheus", "--exclude", "llm_*", dir.path])
        #expect(excluded.status == 0)
    }
}
