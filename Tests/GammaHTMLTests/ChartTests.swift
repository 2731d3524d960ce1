import Foundation
@testable import GammaHTML
import GammaModel
@testable import GammaReplay
import Testing

/// The charts people read: axes with values and units, one time range per section, gaps that
/// stay gaps, heavy tails on a log scale, thresholds labelled, waterfalls with a time axis.
@Suite struct ChartTests {
    static let minute = 60_000_000_000.0

    @Test func linearTicksAreRoundAndStartAtZero() {
        let (lo, hi, ticks) = SVGChart.yAxis([12, 730, 412], .linear)
        #expect(lo == 0 && hi == 800 && ticks == [0, 200, 400, 600, 800])
        let (_, _, small) = SVGChart.yAxis([0.0021, 0.0044], .linear)
        #expect(small == [0, 0.002, 0.004, 0.006])
        let (flatLo, flatHi, _) = SVGChart.yAxis([5, 5], .linear)
        #expect(flatLo == 0 && flatHi >= 5)
    }

    @Test func logTicksArePowersOfTen() {
        let (lo, hi, ticks) = SVGChart.yAxis([35, 846, 70807], .log)
        #expect(lo == 10 && hi == 100_000 && ticks == [10, 100, 1000, 10_000, 100_000])
        let (_, _, few) = SVGChart.yAxis([150, 400], .log)
        #expect(few == [100, 200, 500, 1000])
    }

    @Test func heavyTailsGetALogScale() {
        #expect(HTMLReport.scale(for: [800, 900, 41601]) == .log)
        #expect(HTMLReport.scale(for: [35, 145, 336]) == .linear)
        #expect(HTMLReport.scale(for: [0, 10, 1000]) == .linear)  // a zero cannot be drawn on a log scale
    }

    @Test func timeTicksAreRoundTimesThatFit() {
        let day = 86_400e9
        let t0 = Double(1_793_577_600 * 1_000_000_000 as Int64)  // 2026-11-02T00:00:00Z
        let ticks = SVGChart.timeTicks(t0...(t0 + day - 60e9), 7)
        #expect(ticks.count == 4 && ticks[0] == t0 && ticks[1] - ticks[0] == 6 * 3600e9, "\(ticks.map { Int64($0) })")
        #expect(SVGChart.timeTicks(t0...(t0 + day), 2).count <= 2)
    }

    /// A line breaks where its points are further apart than its gap; a lone point is a dot.
    @Test func aGapIsNotDrawnAcross() {
        var chart = SVGChart(title: "t")
        chart.lines = [
            .init(name: "v", points: [(0, 1), (1, 2), (2, 1), (10, 3), (11, 2), (20, 5)], color: "#000", gap: 1.5)
        ]
        let svg = chart.render()
        #expect(svg.components(separatedBy: "<polyline").count - 1 == 2)
        #expect(svg.contains("r=\"3\""))  // the point at 20, alone
    }

    @Test func axesCarryValuesUnitsAndALabelledThreshold() {
        var chart = SVGChart(title: "t")
        chart.yUnit = "ms"
        chart.lines = [.init(name: "v", points: [(0, 100), (1, 700)], color: "#000")]
        chart.markers = [.init(y: 500, label: "> 500")]
        let svg = chart.render()
        #expect(svg.contains(">800 ms</text>") && svg.contains(">0</text>") && svg.contains(">&gt; 500</text>"))
    }

    static func report(step: Int64) -> MetricReport {
        var query = MetricQuery()
        query.step = step
        func window(_ start: Int64, _ f: Figures) -> MetricReport.Window {
            .init(start: start, end: start + step, figures: f)
        }
        var busy = Figures(firstTS: 0, lastTS: 0, count: 3, nanCount: 0)
        var quiet = busy, zero = busy
        busy.total = 3
        busy.rate = 0.5
        quiet.total = 1
        quiet.rate = 1.0 / 60
        zero.min = 0
        zero.max = 0
        zero.count = 4
        var runs = MetricReport.Series(
            key: SeriesKey(kind: .counter, name: "runs", labels: []), unit: nil, help: nil, figures: busy,
            windows: [window(0, busy), window(5 * step, quiet)])
        runs.figures.rate = 0.1
        let idle = MetricReport.Series(
            key: SeriesKey(kind: .histogram, name: "idle_ms", labels: []), unit: "ms", help: nil, figures: zero,
            windows: [window(0, zero)])
        return MetricReport(query: query, series: [runs, idle], start: 0, end: 10 * step - 1)
    }

    /// A counter's windows without increments are drawn at zero over the report's whole range;
    /// a series that is zero throughout gets a line of text, not a chart.
    @Test func quietWindowsAreZeroAndZeroSeriesAreOneLine() {
        let step: Int64 = 60_000_000_000
        let html = HTMLReport(formatTime: { "@\($0 / 1_000_000_000)" }).render(.init(metrics: Self.report(step: step)))
        let counters = html.components(separatedBy: "<section id=\"counters\">")[1].components(
            separatedBy: "</section>")[0]
        let points = counters.components(separatedBy: "points=\"")[1].components(separatedBy: "\"")[0]
        #expect(points.split(separator: " ").count == 10)  // every window of the range, 8 of them at zero
        #expect(counters.contains("rate /min") && counters.contains(">30 /min</text>"))
        let histograms = html.components(separatedBy: "<section id=\"histograms\">")[1]
            .components(separatedBy: "</section>")[0]
        #expect(histograms.contains("Zero throughout (1 series): idle_ms") && !histograms.contains("<svg"))
    }

    @Test func aWaterfallHasATimeAxisItsStartAndItsErrorsInView() {
        let start: Int64 = 1_795_000_000_000_000_000
        let root = SpanRecord(
            traceID: 1, spanID: 1, name: "agent.run", start: start, end: start + 4_000_000_000, status: .error,
            statusMessage: "model outage")
        let call = SpanRecord(
            traceID: 1, spanID: 2, parentSpanID: 1, name: "llm.call", start: start, end: start + 1_000_000_000,
            status: .error, statusMessage: "HTTP 503")
        let trace = Trace(traceID: 1, spans: [(root, 0), (call, 0)])
        var w = Waterfall()
        w.formatTime = { "@\($0 / 1_000_000_000)" }
        let html = w.render(trace)
        #expect(html.contains("started @1795000000"))
        #expect(html.contains("<tr class=\"ticks\">") && html.contains(">+1s</span>") && html.contains(">+4s</span>"))
        let beforeDetails = html.components(separatedBy: "<details>")[0]
        #expect(beforeDetails.contains("HTTP 503") && beforeDetails.contains("model outage"))
        #expect(html.contains("class=\"span error critical\"") && html.contains("critical path"))
    }
}
