import GammaRules
public import GammaBacktest
import GammaLog
public import GammaModel
public import GammaReplay

/// `gamma-report --format html`: one self-contained page (inline CSS and SVG, no script, nothing
/// fetched) with an overview of the runs, each histogram's distribution and percentiles over
/// time, counters and gauges over time, the slowest and the failing traces as waterfalls and,
/// given rules, each rule's backtest over the value it watches. docs/REPORT.md describes it.
public struct HTMLReport {
    public var formatTime: (Int64) -> String

    /// The page's Content-Security-Policy: no script, no fetch, styles only inline, images only
    /// as data URLs.
    public static let contentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

    public init(formatTime: @escaping (Int64) -> String = { TimeParser.format($0) }) { self.formatTime = formatTime }

    /// What the page shows, read from a log by ``gather(_:query:rules:interval:traces:onIssue:)``.
    public struct Input: Sendable {
        /// The metrics, with windows (``MetricQuery/step``) for the charts over time.
        public var metrics: MetricReport
        public var traces = 0
        public var failedTraces = 0
        public var spans = 0
        public var operations: [SpanNameSummary] = []
        public var slowest: [Trace] = []
        public var failing: [Trace] = []
        public var backtest: Backtest.Result?
        public var rulesFile: String?
        /// The backtest's evaluation interval.
        public var interval: Int64 = 0

        public init(metrics: MetricReport) { self.metrics = metrics }
    }

    /// The quantiles the page asks of histograms: a distribution curve every 5%, and the tail.
    public static let quantiles: [Double] =
        stride(from: 0.0, through: 1.0, by: 0.05).map { ($0 * 100).rounded() / 100 } + [0.99, 0.999]

    /// A window length that gives about 60 points over `seconds`, rounded to one people use.
    public static func step(forSeconds seconds: Double) -> Int64 {
        let nice: [Int64] = [1, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400]
        let wanted = seconds / 60
        return (nice.first { Double($0) >= wanted } ?? 86400) * 1_000_000_000
    }

    public func render(_ input: Input) -> String {
        let m = input.metrics
        var out = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        // No script, nothing fetched: even if escaping ever failed, a browser would run nothing.
        out += "<meta http-equiv=\"Content-Security-Policy\" content=\"\(Self.contentSecurityPolicy)\">"
        out += "<title>Gamma report</title><style>\(Self.css)</style></head><body>\n"
        out +=
            "<header><h1>Gamma report</h1><p>\(m.start.map(formatTime) ?? "–") to \(m.end.map(formatTime) ?? "–")</p>"
        out +=
            "<nav><a href=\"#overview\">Overview</a> <a href=\"#histograms\">Histograms</a> <a href=\"#counters\">Counters</a> "
        out +=
            "<a href=\"#gauges\">Gauges</a> <a href=\"#traces\">Traces</a>\(input.backtest != nil ? " <a href=\"#rules\">Rules</a>" : "")</nav></header>\n"
        out += overview(input)
        out += histograms(m)
        out += counters(m)
        out += gauges(m)
        out += tracesSection(input)
        if let backtest = input.backtest {
            out += rules(backtest, file: input.rulesFile ?? "", interval: input.interval)
        }
        out += "<footer>Written by gamma-report. Figures: docs/REPORT.md.</footer>\n</body></html>\n"
        return out
    }

    // MARK: sections

    private func overview(_ input: Input) -> String {
        let m = input.metrics
        let errorRate =
            input.traces == 0
            ? "–" : HumanText.percent(Double(input.failedTraces) / Double(input.traces))
        var out = "<section id=\"overview\"><h2>Overview</h2><dl class=\"figures\">"
        let seconds = (m.start != nil && m.end != nil) ? Double(m.end! - m.start!) / 1e9 : nil
        let items: [(String, String, String)] = [
            ("range", "Time range", seconds.map { HumanText.duration(Int64(clamping: $0 * 1e9)) } ?? "–"),
            ("runs", "Runs (traces)", String(input.traces)),
            ("error-rate", "Failed runs", "\(input.failedTraces) (\(errorRate))"),
            ("spans", "Spans", String(input.spans)),
            ("records", "Records", String(m.records)),
            ("series", "Metric series", String(m.series.count))
        ]
        for (id, name, value) in items { out += "<div id=\"fig-\(id)\"><dt>\(name)</dt><dd>\(value)</dd></div>" }
        out += "</dl>"
        if m.invalidLines > 0 || !m.damages.isEmpty {
            out +=
                "<p class=\"warn\">\(m.invalidLines) invalid lines and \(m.damages.count) damaged places were skipped (gamma-log verify names them).</p>"
        }
        let busiest = input.operations.sorted { ($0.count, $1.name) > ($1.count, $0.name) }.prefix(10)
        let slowest = input.operations.sorted { ($0.p95, $1.name) > ($1.p95, $0.name) }.prefix(10)
        out += "<div class=\"cols\"><div><h3>Busiest operations</h3>" + operationTable(Array(busiest)) + "</div>"
        out += "<div><h3>Slowest operations (p95)</h3>" + operationTable(Array(slowest)) + "</div></div></section>\n"
        return out
    }

    private func operationTable(_ ops: [SpanNameSummary]) -> String {
        guard !ops.isEmpty else { return "<p class=\"empty\">No spans.</p>" }
        var out =
            "<table class=\"ops\"><thead><tr><th>Operation</th><th>Count</th><th>Errors</th><th>p50</th><th>p95</th><th>p99</th></tr></thead><tbody>"
        for o in ops {
            out +=
                "<tr><td>\(HTMLText.escape(o.name))</td><td>\(o.count)</td><td>\(o.errors)</td><td>\(HumanText.duration(Int64(clamping: o.p50)))</td>"
            out +=
                "<td>\(HumanText.duration(Int64(clamping: o.p95)))</td><td>\(HumanText.duration(Int64(clamping: o.p99)))</td></tr>"
        }
        return out + "</tbody></table>"
    }

    /// A series' unit after a figure, as tables show it (`{token}` as tokens); empty without one.
    private func unit(_ s: MetricReport.Series) -> String {
        s.unit.map { " " + HTMLText.escape(TableReportExporter.unitText($0)) } ?? ""
    }

    private func title(_ key: SeriesKey) -> String {
        let labels = key.labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ")
        return HTMLText.escape(key.name)
            + (labels.isEmpty ? "" : " <span class=\"labels\">{\(HTMLText.escape(labels))}</span>")
    }

    private func quantile(_ f: Figures, _ q: Double) -> Double? {
        guard let i = Self.quantiles.firstIndex(where: { abs($0 - q) < 1e-9 }), i < f.quantiles.count else {
            return nil
        }
        return f.quantiles[i]
    }

    /// A section with an article per series of one kind.
    private func metricSection(
        _ m: MetricReport, _ kind: MetricKind, id: String, title heading: String,
        _ article: (MetricReport.Series) -> String
    ) -> String {
        let all = m.series.filter { $0.key.kind == kind }
        // Series that are zero throughout get one line between them, not empty charts.
        let zero = all.filter(Self.isAllZero)
        let series = all.filter { !Self.isAllZero($0) }
        var out = "<section id=\"\(id)\"><h2>\(heading)</h2>"
        if all.isEmpty { out += "<p class=\"empty\">No \(heading.lowercased().dropLast()) metrics.</p>" }
        if !zero.isEmpty {
            out +=
                "<p class=\"zero\">Zero throughout (\(plural(zero.count, "series", "series"))): "
                + zero.map { title($0.key) }.joined(separator: ", ") + "</p>"
        }
        for s in series {
            out +=
                "<article class=\"metric\" data-name=\"\(HTMLText.escape(s.key.name))\"><h3>\(title(s.key))</h3>"
                + article(s) + "</article>"
        }
        return out + "</section>\n"
    }

    /// Whether every value of a series is zero (and it has some).
    static func isAllZero(_ s: MetricReport.Series) -> Bool {
        let f = s.figures
        switch s.key.kind {
        case .counter: return f.total == 0
        case .gauge, .histogram: return f.min == 0 && f.max == 0
        }
    }

    /// The report's time range, shared by every chart over time so that they line up.
    private func timeRange(_ m: MetricReport) -> ClosedRange<Double>? {
        guard let start = m.start, let end = m.end, end >= start else { return nil }
        return Double(start)...Double(end)
    }

    /// A chart over the report's time range, with time ticks and labels.
    private func timeChart(_ m: MetricReport, title: String) -> SVGChart {
        var chart = SVGChart(title: title)
        chart.xRange = timeRange(m)
        chart.xTicks = SVGChart.timeTicks
        chart.xLabel = timeLabel(chart.xRange)
        return chart
    }

    /// Log scale for values with a heavy tail (the largest over 20 times the smallest positive).
    static func scale(for values: [Double]) -> SVGChart.Scale {
        let positive = values.filter { $0 > 0 && $0.isFinite }
        guard let lo = positive.min(), let hi = positive.max(), positive.count == values.filter(\.isFinite).count
        else { return .linear }
        return hi / lo > 20 ? .log : .linear
    }

    private func histograms(_ m: MetricReport) -> String {
        metricSection(m, .histogram, id: "histograms", title: "Histograms") { s in
            let f = s.figures
            let unit = s.unit.map { " " + HTMLText.escape(TableReportExporter.unitText($0)) } ?? ""
            let shown = [quantile(f, 0.5), quantile(f, 0.95), quantile(f, 0.99), f.mean, f.max]
            let decimals = HumanText.decimals(for: shown)
            let n = { (v: Double?) in HumanText.number(v, decimals: decimals) + unit }
            var out = "<p class=\"nums\">count <b>\(f.count)</b>"
            for (name, v) in zip(["p50", "p95", "p99"], shown) { out += " · \(name) <b class=\"\(name)\">\(n(v))</b>" }
            out += " · mean \(n(f.mean)) · max \(n(f.max))</p><div class=\"cols\">"
            // The distribution: the value below which each share of the observations lies.
            let unitName = s.unit.map { TableReportExporter.unitText($0) } ?? ""
            var dist = SVGChart(title: "distribution of \(s.key.name)")
            dist.width = 360
            dist.xRange = 0...1
            dist.xLabel = { ReportNumbers.fixed($0 * 100, decimals: 0) + "%" }
            dist.yUnit = unitName
            dist.lines = [
                .init(
                    name: "value at each share of observations",
                    points: zip(Self.quantiles, f.quantiles).compactMap { q, v in v.map { (q, $0) } }
                        .sorted { $0.x < $1.x }, color: "#4269d0")
            ]
            dist.yScale = Self.scale(for: dist.lines[0].points.map(\.y))
            out +=
                "<figure><figcaption>Distribution (value under which each share of observations lies)</figcaption>\(dist.render())</figure>"
            var time = timeChart(m, title: "percentiles of \(s.key.name) over time")
            time.width = 360
            time.yUnit = unitName
            let step = Double(m.query.step ?? 0)
            time.lines = [("p50", 0.5, "#4269d0"), ("p95", 0.95, "#efb118"), ("p99", 0.99, "#ff725c")].map {
                name, q, color in
                .init(
                    name: name,
                    points: s.windows.compactMap { w in quantile(w.figures, q).map { (Double(w.start), $0) } },
                    color: color, gap: step * 1.5)
            }
            time.yScale = Self.scale(for: time.lines.flatMap { $0.points.map(\.y) })
            return out
                + "<figure><figcaption>Percentiles per \(HumanText.duration(m.query.step ?? 0)) window</figcaption>\(time.render())</figure></div>"
        }
    }

    private func counters(_ m: MetricReport) -> String {
        metricSection(m, .counter, id: "counters", title: "Counters") { s in
            var chart = timeChart(m, title: "rate of \(s.key.name) over time")
            // Per second, minute or hour, as the report's rates: the unit that suits the busiest window.
            let peak = s.windows.compactMap(\.figures.rate).max() ?? 0
            let (factor, per) = peak >= 1 ? (1.0, "/s") : peak * 60 >= 1 ? (60.0, "/min") : (3600.0, "/h")
            chart.yUnit = per
            // A window without increments is a rate of zero, drawn as such (not a line across it).
            var rates: [Int64: Double] = [:]
            for w in s.windows { rates[w.start] = w.figures.rate ?? 0 }
            var points: [(x: Double, y: Double)] = []
            if let step = m.query.step, step > 0, let start = m.start, let end = m.end {
                var w = (start >= 0 ? start / step : (start + 1) / step - 1) * step
                while w <= end && points.count < 100_000 {
                    points.append((Double(w), rates[w] ?? 0))
                    let (next, overflow) = w.addingReportingOverflow(step)
                    if overflow { break }
                    w = next
                }
            }
            chart.lines = [
                .init(name: "rate \(per)", points: points.map { ($0.x, $0.y * factor) }, color: "#3ca951")
            ]
            return
                "<p class=\"nums\">total <b class=\"total\">\(HumanText.number(s.figures.total))\(unit(s))</b> · rate <b>\(HumanText.rate(s.figures.rate))</b></p>"
                + chart.render()
        }
    }

    private func gauges(_ m: MetricReport) -> String {
        metricSection(m, .gauge, id: "gauges", title: "Gauges") { s in
            var chart = timeChart(m, title: "\(s.key.name) over time")
            chart.yUnit = s.unit.map { TableReportExporter.unitText($0) } ?? ""
            let step = Double(m.query.step ?? 0)
            chart.lines = [
                ("max", \Figures.max, "#ff725c", true), ("mean", \Figures.mean, "#4269d0", false),
                ("min", \Figures.min, "#3ca951", true)
            ].map { name, path, color, dashed in
                .init(
                    name: name,
                    points: s.windows.compactMap { w in w.figures[keyPath: path].map { (Double(w.start), $0) } },
                    color: color, dashed: dashed, gap: step * 1.5)
            }
            return
                { (f: Figures) in
                    let decimals = HumanText.decimals(for: [f.last, f.min, f.max, f.mean])
                    let n = { (v: Double?) in HumanText.number(v, decimals: decimals) + unit(s) }
                    return
                        "<p class=\"nums\">last <b class=\"last\">\(n(f.last))</b> · min \(n(f.min)) · mean \(n(f.mean)) · max \(n(f.max))</p>"
                }(s.figures)
                + chart.render()
        }
    }

    private func tracesSection(_ input: Input) -> String {
        var waterfall = Waterfall()
        waterfall.formatTime = formatTime
        var out = "<section id=\"traces\"><h2>Slowest traces</h2>"
        out +=
            input.slowest.isEmpty ? "<p class=\"empty\">No traces.</p>" : input.slowest.map(waterfall.render).joined()
        out += "<h2 id=\"failing\">Failing traces</h2>"
        out +=
            input.failing.isEmpty
            ? "<p class=\"empty\">No failing traces.</p>" : input.failing.map(waterfall.render).joined()
        return out + "</section>\n"
    }

    private func rules(_ result: Backtest.Result, file: String, interval: Int64) -> String {
        var out =
            "<section id=\"rules\"><h2>Rules <small>\(HTMLText.escape(file)), evaluated every \(HumanText.duration(interval))</small></h2>"
        for rule in result.rules {
            let groups = result.groups.filter { $0.rule == rule.name }
            out +=
                "<article class=\"rule\" data-rule=\"\(HTMLText.escape(rule.name))\"><h3>\(HTMLText.escape(rule.name)) <small>\(rule.severity.rawValue)</small></h3>"
            if groups.isEmpty { out += "<p class=\"empty\">No data for this rule.</p>" }
            for g in groups {
                let labels = g.group.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ", ")
                let firing = g.episodes.count
                out +=
                    "<p class=\"nums\">\(labels.isEmpty ? "" : "{\(HTMLText.escape(labels))} · ")<b class=\"episodes\">\(firing)</b> \(noun(firing, "firing episode")) · \(plural(g.notifications, "notification"))</p>"
                var chart = SVGChart(title: "\(rule.name) over time")
                if let first = result.start, let last = result.end, last >= first {
                    chart.xRange = Double(first)...Double(last)
                }
                chart.xTicks = SVGChart.timeTicks
                chart.xLabel = timeLabel(chart.xRange)
                chart.lines = [
                    .init(
                        name: "value", points: g.phases.compactMap { p in p.value.map { (Double(p.at), $0) } },
                        color: "#4269d0", gap: Double(interval) * 1.5)
                ]
                if case .threshold(let op, let threshold) = rule.condition, threshold.isFinite {
                    chart.markers.append(
                        .init(y: threshold, label: "\(op.rawValue) \(ReportNumbers.shortest(threshold))"))
                }
                // Bands where the group was pending or firing, from one evaluation to the next.
                for (i, p) in g.phases.enumerated() where p.phase != .inactive {
                    let next = i + 1 < g.phases.count ? g.phases[i + 1].at : p.at
                    chart.bands.append(
                        .init(
                            x0: Double(p.at), x1: Double(next), color: p.phase == .firing ? "#ffd0c8" : "#fff0c0",
                            label: "\(p.phase == .firing ? "firing" : "pending") at \(formatTime(p.at))"))
                }
                out += chart.render()
            }
            out += "</article>"
        }
        return out + "</section>\n"
    }

    /// A time axis' labels: the time of day (`14:30`) over a range of up to a day and a half,
    /// else with the date (`11-02 14:30`).
    private func timeLabel(_ range: ClosedRange<Double>?) -> (Double) -> String {
        let full = formatTime64
        guard let range, range.upperBound - range.lowerBound <= 36 * 3600 * 1e9 else { return full }
        return { String(full($0).suffix(5)) }
    }

    /// A chart's time: the ISO time without the year and seconds (`11-02 14:30`), which fits
    /// under an axis.
    private var formatTime64: (Double) -> String {
        { [formatTime] in
            let iso = formatTime(Int64(clamping: $0))
            guard iso.count >= 16 else { return iso }
            let chars = Array(iso)
            return String(chars[5..<10]) + " " + String(chars[11..<16])
        }
    }
}
