import GammaLog
import GammaModel
@testable import GammaReplay
import GammaTestKit
import Testing

@Suite struct MetricReplayTests {
    typealias F = ReplayFixture

    @Test func countersGaugesAndHistogramsGiveTheirFigures() throws {
        let f = F()
        defer { f.dir.remove() }
        try f.write([
            F.metric(.counter, "tools.calls.total", ["tool": "search"], 1, at: 0),
            F.metric(.counter, "tools.calls.total", ["tool": "search"], 2, at: 5),
            F.metric(.counter, "tools.calls.total", ["tool": "clock"], 1, at: 6),
            F.metric(.gauge, "system.cpu_percent", [:], 30, at: 1),
            F.metric(.gauge, "system.cpu_percent", [:], 10, at: 3),
            F.metric(.gauge, "system.cpu_percent", [:], 20, at: 2),  // older than the last: not the last value
            F.metric(.histogram, "llm.latency_ms", ["model": "m"], 1, at: 1),
            F.metric(.histogram, "llm.latency_ms", ["model": "m"], 2, at: 2),
            F.metric(.histogram, "llm.latency_ms", ["model": "m"], 3, at: 3),
            F.metric(.histogram, "llm.latency_ms", ["model": "m"], 4, at: 10)
        ])
        let (r, issues) = try f.report()
        #expect(issues.isEmpty)
        #expect(r.records == 10 && r.observations == 10 && r.series.count == 4)
        #expect(r.start == F.t0 && r.end == F.t0 + 10 * F.second)
        let search = try #require(r.series("tools.calls.total", ["tool": "search"]))
        #expect(search.figures.total == 3 && search.figures.rate == 0.3 && search.figures.count == 2)
        let cpu = try #require(r.series("system.cpu_percent"))
        #expect(cpu.figures.last == 10 && cpu.figures.min == 10 && cpu.figures.max == 30 && cpu.figures.mean == 20)
        let llm = try #require(r.series("llm.latency_ms", ["model": "m"]))
        #expect(llm.figures.count == 4 && llm.figures.sum == 10 && llm.figures.mean == 2.5)
        #expect(llm.figures.min == 1 && llm.figures.max == 4)
        #expect(abs(llm.figures.stddev! - 1.118033988749895) < 1e-15)  // population, as numpy.std
        // numpy.percentile([1,2,3,4], [50,90,95,99,99.9]) = 2.5, 3.7, 3.85, 3.97, 3.997
        let expected = [2.5, 3.7, 3.85, 3.97, 3.997]
        for (q, e) in zip(llm.figures.quantiles, expected) { #expect(abs(q! - e) < 1e-12) }
        #expect(llm.figures.firstTS == F.t0 + F.second && llm.figures.lastTS == F.t0 + 10 * F.second)
    }

    @Test func selectionByGlobMatcherAndExclusionThenGrouping() throws {
        let f = F()
        defer { f.dir.remove() }
        try f.write([
            F.metric(.counter, "tools.calls.total", ["tool": "search", "model": "a"], 1, at: 0),
            F.metric(.counter, "tools.calls.total", ["tool": "search", "model": "b"], 1, at: 1),
            F.metric(.counter, "tools.calls.total", ["tool": "clock", "model": "a"], 1, at: 2),
            F.metric(.counter, "tools.errors.total", ["tool": "clock"], 1, at: 2),
            F.metric(.counter, "agent.runs.total", [:], 1, at: 3)
        ])
        var q = MetricQuery()
        q.metrics = [Glob("tools.*")]
        q.excluded = [Glob("*.errors.*")]
        q.matchers = [try LabelMatcher(parsing: "model=~a|b"), try LabelMatcher(parsing: "tool!=clock")]
        let (r, _) = try f.report(q)
        #expect(r.series.map(\.key.labelText) == [#"{model="a",tool="search"}"#, #"{model="b",tool="search"}"#])
        q.groupBy = ["tool"]
        let (g, _) = try f.report(q)
        #expect(
            g.series.count == 1 && g.series[0].key.labelText == #"{tool="search"}"# && g.series[0].figures.total == 2)
        q = MetricQuery()
        q.groupBy = []
        let (all, _) = try f.report(q)
        #expect(
            all.series.map { "\($0.key.name)=\($0.figures.total!)" } == [
                "agent.runs.total=1.0", "tools.calls.total=3.0", "tools.errors.total=1.0"
            ])
        // A missing label is the empty string, as in PromQL.
        q = MetricQuery()
        q.matchers = [try LabelMatcher(parsing: #"tool="""#)]
        #expect(try f.report(q).0.series.map(\.key.name) == ["agent.runs.total"])
    }

    @Test func stepsGiveWindowsAlignedToTheEpoch() throws {
        let f = F()
        defer { f.dir.remove() }
        try f.write(
            (0..<30).map { i in F.metric(.histogram, "h", [:], Double(i), at: Double(i)) }
                + (0..<30).map { i in F.metric(.counter, "c", [:], 1, at: Double(i)) })
        var q = MetricQuery()
        q.step = 10 * F.second
        let (r, _) = try f.report(q)
        let h = try #require(r.series("h"))
        #expect(h.windows.map(\.figures.count) == [10, 10, 10])
        #expect(h.windows.map(\.start) == [F.t0, F.t0 + 10 * F.second, F.t0 + 20 * F.second])
        #expect(h.windows[1].figures.quantiles[0] == 14.5)
        #expect(h.figures.count == 30 && h.figures.quantiles[0] == 14.5)  // the whole range as well
        let c = try #require(r.series("c"))
        // Windows of 10 s; the last is covered up to the last record (29 s): 9 s.
        #expect(c.windows.map(\.figures.rate) == [1, 1, 10.0 / 9])
    }

    @Test func nanAndInfinitiesAreCountedAndKeptOut() throws {
        let f = F()
        defer { f.dir.remove() }
        try f.write([
            F.metric(.histogram, "h", [:], .nan, at: 0),
            F.metric(.histogram, "h", [:], 1, at: 1),
            F.metric(.histogram, "h", [:], .infinity, at: 2),
            F.metric(.histogram, "only.nan", [:], .nan, at: 2),
            F.metric(.histogram, "single", [:], 7.5, at: 3),
            F.metric(.gauge, "g", [:], .nan, at: 4)
        ])
        let (r, _) = try f.report()
        let h = try #require(r.series("h"))
        #expect(h.figures.count == 2 && h.figures.nanCount == 1)
        #expect(
            h.figures.max == .infinity && h.figures.quantiles[0] == .infinity
                && h.figures.quantiles.allSatisfy { $0 != nil && !$0!.isNaN })
        let nan = try #require(r.series("only.nan"))
        #expect(
            nan.figures.count == 0 && nan.figures.nanCount == 1 && nan.figures.quantiles == [nil, nil, nil, nil, nil]
                && nan.figures.mean == nil)
        let single = try #require(r.series("single"))
        #expect(single.figures.quantiles == [7.5, 7.5, 7.5, 7.5, 7.5] && single.figures.stddev == 0)
        #expect(try #require(r.series("g")).figures.last!.isNaN)
        // Every format writes them without failing.
        #expect(JSONReportExporter().render(r).count > 0)
        #expect(CSVReportExporter().render(r).contains("Infinity"))
        #expect(try PrometheusExporter(dialect: .openMetrics).render(r).contains("+Inf"))
    }

    @Test func aWindowWithoutDataGivesNoSeries() throws {
        let f = F()
        defer { f.dir.remove() }
        try f.write([F.metric(.counter, "c", [:], 1, at: 0), F.metric(.counter, "c", [:], 1, at: 100)])
        let (r, issues) = try f.report(since: F.t0 + 10 * F.second, until: F.t0 + 20 * F.second)
        #expect(issues.isEmpty && r.series.isEmpty && r.records == 0)
        #expect(r.start == F.t0 + 10 * F.second && r.end == F.t0 + 20 * F.second)
        #expect(TableReportExporter(formatTime: { String($0) }).render(r).contains("0 records, 0 series"))
        #expect(try PrometheusExporter(dialect: .openMetrics).render(r) == "# EOF\n")
    }

    @Test func damageAndInvalidLinesAreReportedWithTheirPlaceAndTheRestIsRead() throws {
        let f = F()
        defer { f.dir.remove() }
        var options = SegmentWriterOptions()
        options.memberBytes = 200  // several members
        try f.write((0..<40).map { F.metric(.counter, "c", [:], 1, at: Double($0)) }, stream: "a", options: options)
        try f.writeLines(
            [
                (RecordEncoder.encode(F.metric(.counter, "c", [:], 1, at: 50)).string, F.t0 + 50 * F.second),
                (
                    #"{"type":"counter","ts":1795000051000000000,"name":"c","labels":{},"value":"x"}"#,
                    F.t0 + 51 * F.second
                )
            ],
            stream: "b")
        let segment = f.dir.file(Files.names(in: f.dir.path).first { $0.hasPrefix("a-") }!)
        let members = try SegmentCorrupter.members(segment)
        SegmentCorrupter.flipByte(segment, at: Int(members[2].offset) + 60)
        let (r, issues) = try f.report()
        #expect(issues.count == 2)
        guard case .damage(let d)? = issues.first(where: { if case .damage = $0 { true } else { false } }) else {
            Issue.record("no damage reported: \(issues)")
            return
        }
        #expect(d.path == segment && d.offset == members[2].offset)
        guard
            case .invalidLine(let path, _, let line, let error)? = issues.first(where: {
                if case .invalidLine = $0 { true } else { false }
            })
        else {
            Issue.record("no invalid line reported: \(issues)")
            return
        }
        #expect(path.contains("/b-") && line == 2 && error.reason.contains("value"))
        #expect(r.invalidLines == 1 && r.damages.count == 1)
        let c = try #require(r.series("c"))
        #expect(c.figures.total! == Double(41 - Int(members[2].header.lineCount)))
    }

    @Test func linesOfOneSeriesSpelledDifferentlyAreOneSeries() throws {
        let f = F()
        defer { f.dir.remove() }
        try f.writeLines(
            [
                (#"{"type":"counter","ts":1795000000000000000,"name":"c","labels":{"a":"1","b":"2"},"value":1}"#, F.t0),
                (
                    #"{"ts":1795000001000000000, "type":"counter","name":"c","value":2,"labels":{"b":"2","a":"1"}}"#,
                    F.t0 + F.second
                ),
                (
                    #"{"type":"counter","ts":1795000002000000000,"name":"\u0063","labels":{"\u0061":"1","b":"2"},"value":3}"#,
                    F.t0 + 2 * F.second
                )
            ], stream: "a")
        let (r, issues) = try f.report()
        #expect(issues.isEmpty && r.series.count == 1 && r.series[0].figures.total == 6)
    }

    @Test func metaRecordsGiveUnitsAndHelp() throws {
        let f = F()
        defer { f.dir.remove() }
        try f.write([
            .meta(
                MetaRecord(ts: F.t0, name: "llm.latency_ms", kind: .histogram, unit: "ms", help: "Model call latency")),
            F.metric(.histogram, "llm.latency_ms", [:], 5, at: 1)
        ])
        let s = try #require(try f.report().0.series("llm.latency_ms"))
        #expect(s.unit == "ms" && s.help == "Model call latency")
    }
}

extension Array where Element == UInt8 {
    var string: String { String(decoding: self, as: UTF8.self) }
}

extension MetricReplayTests {
    /// The Prometheus and OpenMetrics exports are linear in the series: 300,000 series of one
    /// family are exported in seconds. Once they were quadratic (each series appended to a copy
    /// of its family's array: 100,000 series took more than 120 s); the limit catches that with a
    /// margin of more than 10x on this test's debug build.
    @Test(.timeLimit(.minutes(1))) func exportsAreLinearInTheSeries() throws {
        let n = 300_000
        var figures = Figures(firstTS: 1, lastTS: 2, count: 1, nanCount: 0)
        figures.total = 1
        let series = (0..<n).map { i in
            MetricReport.Series(
                key: SeriesKey(kind: .counter, name: "tool.calls", labels: [Label("call", String(i))]), unit: nil,
                help: nil, figures: figures, windows: [])
        }
        let report = MetricReport(query: MetricQuery(), series: series)
        for dialect in [PrometheusExporter.Dialect.prometheus, .openMetrics] {
            let text = try PrometheusExporter(dialect: dialect).render(report)
            #expect(text.utf8.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) } == n + 2 + (dialect == .openMetrics ? 1 : 0))
        }
    }
}
