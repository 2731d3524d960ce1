#if canImport(Glibc)
import Glibc
#endif
import GammaLog
import GammaModel
@testable import GammaReplay
import GammaTestKit
import Testing

/// Every format against its golden file, from one fixed log. Set GAMMA_UPDATE_GOLDEN=1 to rewrite
/// the files after a deliberate change (and read the diff before committing it).
@Suite struct GoldenTests {
    typealias F = ReplayFixture
    static let goldenDirectory =
        String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
        + "/Golden"

    /// Units, help, awkward label values, every kind, two streams, NaN.
    static func fixtureLog(_ f: F) throws {
        var a: [Record] = [
            .meta(
                MetaRecord(
                    ts: F.t0, name: "llm.latency_ms", kind: .histogram, unit: "ms",
                    help: "Latency of model calls.\nWall clock.")),
            .meta(
                MetaRecord(
                    ts: F.t0, name: "process.rss_mb", kind: .gauge, unit: "mb", help: #"Resident set size, "RSS"."#)),
            .meta(MetaRecord(ts: F.t0, name: "agent.runs.total", kind: .counter, help: nil))
        ]
        for i in 0..<60 {
            let model = i % 3 == 0 ? "large" : "small"
            a.append(
                F.metric(.histogram, "llm.latency_ms", ["model": model], Double((i * 37) % 101) + 0.25, at: Double(i)))
            if i % 10 == 0 { a.append(F.metric(.counter, "agent.runs.total", [:], 1, at: Double(i))) }
            if i % 15 == 0 { a.append(F.metric(.gauge, "process.rss_mb", [:], 40 + Double(i) / 4, at: Double(i))) }
        }
        a.append(F.metric(.histogram, "llm.latency_ms", ["model": "small"], .nan, at: 30))
        try f.write(a, stream: "a")
        try f.write(
            [
                F.metric(.counter, "tools.calls.total", ["tool": "say \"hi\"\nnow", "tenant": "é\\x"], 2, at: 5),
                F.metric(.counter, "tools.calls.total", ["tool": "search", "tenant": "t1"], 3, at: 45),
                F.metric(.gauge, "queue.depth", ["shard": "1"], 7, at: 59)
            ], stream: "b")
    }

    static func check(_ name: String, _ actual: String) {
        let path = goldenDirectory + "/" + name
        if getenv("GAMMA_UPDATE_GOLDEN") != nil {
            Files.write(path, Array(actual.utf8))
            return
        }
        let expected = String(decoding: Files.read(path), as: UTF8.self)
        #expect(actual == expected, "\(name) differs from its golden file; GAMMA_UPDATE_GOLDEN=1 rewrites it")
    }

    @Test func everyFormatMatchesItsGoldenFile() throws {
        let f = F()
        defer { f.dir.remove() }
        try Self.fixtureLog(f)
        let (report, issues) = try f.report()
        #expect(issues.isEmpty)
        var q = MetricQuery()
        q.step = 20 * F.second
        let (stepped, _) = try f.report(q)
        q = MetricQuery()
        q.buckets = [10, 50, 100]
        let (bucketed, _) = try f.report(q)
        let table = TableReportExporter(formatTime: { "@" + ReportNumbers.seconds($0) })
        Self.check("report.table.txt", table.render(report))
        Self.check("report-step.table.txt", table.render(stepped))
        Self.check("report.json", JSONReportExporter().render(report).string)
        Self.check("report-step.json", JSONReportExporter().render(stepped).string)
        Self.check("report-buckets.json", JSONReportExporter().render(bucketed).string)
        Self.check("report.csv", CSVReportExporter().render(report))
        Self.check("report-step.csv", CSVReportExporter().render(stepped))
        Self.check("report.prom", try PrometheusExporter(dialect: .prometheus).render(report))
        Self.check(
            "report-buckets.prom", try PrometheusExporter(dialect: .prometheus, timestamps: true).render(bucketed))
        Self.check("report.om", try PrometheusExporter(dialect: .openMetrics).render(report))
        Self.check(
            "report-timestamps.om", try PrometheusExporter(dialect: .openMetrics, timestamps: true).render(report))
        Self.check("report-step.om", try PrometheusExporter(dialect: .openMetrics).render(stepped))
        Self.check(
            "report-buckets-step.om",
            try PrometheusExporter(dialect: .openMetrics).render(
                try f.report(
                    {
                        var q = MetricQuery()
                        q.buckets = [10, 50, 100]
                        q.step = 20 * F.second
                        return q
                    }()
                ).0))
    }

    @Test func theSameLogShuffledAcrossStreamsGivesTheSameBytes() throws {
        let f = F(), g = F()
        defer { f.dir.remove(); g.dir.remove() }
        try Self.fixtureLog(f)
        // The same records, in reverse order, in three streams.
        let (r1, _) = try f.report()
        var lines: [(String, Int64)] = []
        _ = try LogReader(paths: [f.dir.path]).forEachLine {
            lines.append(($0.string, LogTimestamp.find(in: $0.bytes)!))
        }
        lines.reverse()
        for (k, chunk) in stride(from: 0, to: lines.count, by: 30).enumerated() {
            try g.writeLines(Array(lines[chunk..<min(chunk + 30, lines.count)]), stream: "s\(k)")
        }
        let (r2, _) = try g.report()
        #expect(JSONReportExporter().render(r1) == JSONReportExporter().render(r2))
        #expect(
            try PrometheusExporter(dialect: .openMetrics, timestamps: true).render(r1)
                == PrometheusExporter(dialect: .openMetrics, timestamps: true).render(r2))
    }
}
