import Foundation
import GammaLog
import GammaModel
import GammaTestKit
import GammaTestSupport
import Testing

@Suite struct GammaTracesCLITests {
    static func writeLog(_ dir: TemporaryDirectory) throws {
        let t0: Int64 = 1_795_000_000_000_000_000
        var records: [Record] = []
        for i in 0..<20 {
            let trace = TraceID(0x1000 + i)
            let root = SpanRecord(
                traceID: trace, spanID: 1, name: "agent.run", start: t0, end: t0 + Int64(i + 1) * 1_000_000, status: .ok
            )
            let child = SpanRecord(
                traceID: trace, spanID: 2, parentSpanID: 1, name: "tool.search", start: t0 + 1, end: t0 + 500_000,
                status: i % 4 == 0 ? .error : .ok, attributes: ["gen_ai.tool.name": .string("search")])
            records += [.span(child), .span(root)]
        }
        try RecordFixtures.write(records, to: dir.path)
    }

    @Test func viewsAndExportsExitZero() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeLog(dir)
        let text = try Executables.run("gamma-traces", ["--width", "100", dir.path])
        #expect(text.status == 0 && text.stdout.components(separatedBy: "\ntrace ").count == 10, "\(text.stdout)")
        let slowest = try Executables.run("gamma-traces", ["--slowest", "1", "--attrs", "gen_ai.tool.name", dir.path])
        #expect(
            slowest.stdout.hasPrefix("trace 00000000000000000000000000001013")
                && slowest.stdout.contains("gen_ai.tool.name=search"))
        let errors = try Executables.run("gamma-traces", ["--errors", "--format", "json", dir.path])
        #expect(errors.status == 0 && errors.stdout.components(separatedBy: #""trace_id""#).count == 6)
        let summary = try Executables.run("gamma-traces", ["--summary", dir.path])
        #expect(summary.stdout.contains("20 traces, 40 spans") && summary.stdout.contains("tool.search"))
        for format in ["otlp", "chrome", "jaeger", "zipkin"] {
            let r = try Executables.run("gamma-traces", ["--format", format, dir.path])
            #expect(r.status == 0 && !r.stdout.isEmpty, "\(format): \(r.stderr)")
        }
    }

    @Test(arguments: [
        (["--trace", "xyz"], "--trace"),
        (["--min-duration", "soon"], "--min-duration"),
        (["--attr", "novalue"], "--attr"),
        (["--format", "svg"], "format"),
        (["--summary", "--format", "json"], "--summary")
    ])
    func badUsageExits64(_ args: [String], _ mentions: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Self.writeLog(dir)
        let r = try Executables.run("gamma-traces", args + [dir.path])
        #expect(r.status == 64 && r.stderr.contains(mentions), "\(args): \(r.stderr)")
    }
}

extension GammaTracesCLITests {
    /// An export of every trace streams (each trace written once complete); it holds exactly the
    /// traces and spans of the export that reads every trace first (`--limit` takes that path),
    /// only in the order the traces complete. Checked on the day's sample for OTLP (a line per
    /// trace), Gamma's JSON, Zipkin (a span per element) and Jaeger, and with a selection.
    @Test(arguments: [[], ["--name", "tool.*", "--since", "2026-11-02T12:00:00Z"]])
    func streamedExportsHoldWhatTheWholeReadHolds(_ selection: [String]) throws {
        let day = RepositoryPaths.root + "/samples/day"
        func run(_ format: String, whole: Bool) throws -> String {
            let r = try Executables.run(
                "gamma-traces", ["--format", format] + selection + (whole ? ["--limit", "1000000"] : []) + [day])
            #expect(r.status == 0, "\(r.stderr)")
            return r.stdout
        }
        func sortedLines(_ s: String) -> [String] { s.split(separator: "\n").map(String.init).sorted() }
        let otlp = try run("otlp", whole: false)
        #expect(sortedLines(otlp) == sortedLines(try run("otlp", whole: true)))
        // Every span keeps its process's resource, even where the range leaves out the record of it.
        #expect(!otlp.isEmpty && !otlp.contains(#""resource":{"attributes":[]}"#))

        func elements(_ json: String, _ path: [String]) throws -> [String] {
            var value = try JSONSerialization.jsonObject(with: Data(json.utf8))
            for key in path { value = (value as! [String: Any])[key]! }
            return try (value as! [Any]).map {
                String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self)
            }.sorted()
        }
        let streamed = try elements(try run("json", whole: false), ["traces"])
        #expect(streamed == (try elements(try run("json", whole: true), ["traces"])))
        #expect(!streamed.isEmpty)
        #expect(try elements(try run("zipkin", whole: false), []) == (try elements(try run("zipkin", whole: true), [])))
        // Jaeger names processes per trace: compare the traces' span ids.
        func jaegerSpans(_ json: String) throws -> [String] {
            let data = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
            return (data["data"] as! [[String: Any]]).flatMap { t in
                (t["spans"] as! [[String: Any]]).map { "\($0["traceID"]!)/\($0["spanID"]!)" }
            }.sorted()
        }
        #expect(try jaegerSpans(try run("jaeger", whole: false)) == (try jaegerSpans(try run("jaeger", whole: true))))
    }
}
