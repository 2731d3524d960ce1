#if canImport(Glibc)
import Glibc
#endif
import Foundation
import GammaRules
import GammaBacktest
import GammaConfig
@testable import GammaHTML
import GammaLog
import GammaModel
import GammaReplay
import GammaTestKit
import Testing

/// The HTML page against its golden file, from one fixed log with every kind of metric, traces
/// (one failing) and a rule; and what the page must never do: run recorded text, or fetch
/// anything. scripts/check-html-report opens it in chromium.
@Suite struct HTMLReportTests {
    static let goldenDirectory =
        String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/"))
        + "/Golden"
    static let t0: Int64 = 1_795_000_000_000_000_000
    static let second: Int64 = 1_000_000_000
    static let attack = #"<script>alert(1)</script>"><img src=x onerror="alert(2)">&amp;"#

    static func writeLog(_ dir: TemporaryDirectory) throws {
        var lines: [(String, Int64)] = []
        func add(_ r: Record) { lines.append((String(decoding: RecordEncoder.encode(r), as: UTF8.self), r.ts)) }
        add(.meta(MetaRecord(ts: t0, name: "llm.latency_ms", kind: .histogram, unit: "ms", help: "model calls")))
        for i in 0..<120 {
            let ts = t0 + Int64(i) * second
            add(
                .metric(
                    MetricRecord(
                        kind: .histogram, ts: ts, name: "llm.latency_ms",
                        labels: ["model": i % 3 == 0 ? "large" : attack],
                        value: Double((i * 37) % 101) + (i > 80 ? 300 : 0))))
            if i % 10 == 0 { add(.metric(MetricRecord(kind: .counter, ts: ts, name: "agent.runs.total", value: 1))) }
            if i % 15 == 0 {
                add(.metric(MetricRecord(kind: .gauge, ts: ts, name: "process.rss_mb", value: 40 + Double(i) / 4)))
            }
        }
        for run in 0..<4 {
            let start = t0 + Int64(run) * 30 * second
            let trace = TraceID(run + 1)
            let failed = run == 3
            let root = SpanRecord(
                traceID: trace, spanID: SpanID(run * 10 + 1), name: "agent.run", start: start,
                end: start + Int64(run + 2) * second,
                status: failed ? .error : .ok, statusMessage: failed ? attack : nil,
                attributes: ["gen_ai.prompt": .string(attack)])
            let tool = SpanRecord(
                traceID: trace, spanID: SpanID(run * 10 + 2), parentSpanID: root.spanID, name: "tool.search",
                start: start + second / 2, end: start + second, status: failed ? .error : .ok,
                attributes: ["tool.args": .string(attack)])
            add(.span(tool))
            add(.span(root))
        }
        lines.sort { $0.1 < $1.1 }
        try Fixtures.writeStream(lines, to: dir.path, stream: "a")
    }

    static func page() throws -> String {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try writeLog(dir)
        let rules = try RuleFile.parse(
            """
            rules:
              - {name: LatencySlow, metric: llm.latency_ms, aggregate: p90, window: 30s, op: ">", threshold: 250, for: 10s, labels: {team: "\(attack.replacingOccurrences(of: "\"", with: "\\\""))"}}
            """, file: "rules.yaml")
        var query = MetricQuery()
        query.step = 20 * second
        var issues: [ReplayIssue] = []
        let input = try HTMLReport.gather(
            try LogReader(paths: [dir.path]), query: query, rules: ("rules.yaml", rules), interval: 10 * second
        ) {
            issues.append($0)
        }
        #expect(issues.isEmpty)
        return HTMLReport(formatTime: { "@" + ReportNumbers.seconds($0 - t0) }).render(input)
    }

    @Test func thePageMatchesItsGoldenFile() throws {
        let html = try Self.page()
        let path = Self.goldenDirectory + "/report.html"
        if getenv("GAMMA_UPDATE_GOLDEN") != nil {
            Files.write(path, Array(html.utf8))
            return
        }
        #expect(
            html == String(decoding: Files.read(path), as: UTF8.self),
            "report.html differs from its golden file; GAMMA_UPDATE_GOLDEN=1 rewrites it")
    }

    @Test func recordedTextStaysText() throws {
        let html = try Self.page()
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("onerror=\""))
        #expect(
            html.contains(
                "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=&quot;alert(2)&quot;&gt;&amp;amp;"
            ))
        // In a label, an attribute, a status message and a rule label alike.
        #expect(html.components(separatedBy: "&lt;script&gt;alert(1)").count > 5)
    }

    @Test func thePageFetchesNothing() throws {
        let html = try Self.page()
        for needle in ["http://", "https://", " src=\"", "<link", "@import", "url("] {
            #expect(!html.contains(needle), "\(needle)")
        }
        for section in [
            "id=\"overview\"", "id=\"histograms\"", "id=\"counters\"", "id=\"gauges\"", "id=\"traces\"",
            "id=\"failing\"", "id=\"rules\""
        ] {
            #expect(html.contains(section), "\(section)")
        }
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("<b>&\"'", "&lt;b&gt;&amp;&quot;&#39;"),
        ("a\u{0}b\u{1B}c\u{7F}", "a&#xFFFD;b&#xFFFD;c&#xFFFD;"),
        ("é — 日本", "é — 日本")
    ]) func escapingCoversMarkupQuotesAndControls(_ input: String, _ expected: String) {
        #expect(HTMLText.escape(input) == expected)
    }

    @Test func stepsAreRoundDurationsOfAboutSixtyPoints() {
        #expect(HTMLReport.step(forSeconds: 3600) == 60 * Self.second)
        #expect(HTMLReport.step(forSeconds: 86400) == 1800 * Self.second)
        #expect(HTMLReport.step(forSeconds: 10) == Self.second)
        #expect(HTMLReport.step(forSeconds: 1e9) == 86400 * Self.second)
    }
}
