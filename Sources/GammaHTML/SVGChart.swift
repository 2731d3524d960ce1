#if canImport(Glibc)
import Glibc
#endif
import GammaModel
import GammaReplay

/// Line charts as inline SVG: time (or a share) across, values up, each axis with ticks that
/// carry values and units. No script; a point's exact value is in its `<title>`.
///
/// - The x range can be given (``xRange``), so that the charts of a section share one time range
///   and line up; a line breaks where its points are more than ``Line/gap`` apart instead of
///   drawing a diagonal across a gap.
/// - The y scale is linear (from zero unless that flattens the lines) or logarithmic (``Scale``),
///   for heavy tails: on a log scale a p50 stays readable beside a p99 a hundred times higher.
/// - A ``Marker`` is a labelled horizontal line (a rule's threshold); a ``Band`` shades a span of
///   time (a rule pending or firing).
struct SVGChart {
    enum Scale { case linear, log }

    struct Line {
        var name: String
        var points: [(x: Double, y: Double)]
        var color: String
        var dashed = false
        /// Points further apart than this are not joined.
        var gap: Double = .infinity
    }

    /// A band across the chart (a rule firing or pending), from `x0` to `x1`.
    struct Band {
        var x0: Double, x1: Double
        var color: String
        var label: String
    }

    /// A horizontal line at `y`, labelled at its right end.
    struct Marker {
        var y: Double
        var label: String
    }

    var width = 720.0, height = 200.0
    var lines: [Line] = []
    var bands: [Band] = []
    var markers: [Marker] = []
    /// The x range drawn (a section's shared time range); by default the data's.
    var xRange: ClosedRange<Double>?
    /// Where the x ticks go, for a range and the most ticks that fit; by default five even steps.
    var xTicks: (ClosedRange<Double>, Int) -> [Double] = { r, _ in
        (0...4).map { r.lowerBound + Double($0) / 4 * (r.upperBound - r.lowerBound) }
    }
    var xLabel: (Double) -> String = { HumanText.number($0) }
    var yScale = Scale.linear
    /// The unit of the values, written after the top tick's value.
    var yUnit = ""
    /// The chart's accessible name.
    var title: String

    init(title: String) { self.title = title }

    static let left = 70.0, right = 84.0, top = 14.0, bottom = 30.0

    func render() -> String {
        // Room on the right only for the markers' labels.
        let left = Self.left, right = markers.isEmpty ? 18 : Self.right, top = Self.top, bottom = Self.bottom
        let plotW = width - left - right, plotH = height - top - bottom
        var out =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
        let dataXs = lines.flatMap { $0.points.map(\.x) } + bands.flatMap { [$0.x0, $0.x1] }
        guard let xr = xRange ?? dataXs.min().flatMap({ lo in dataXs.max().map { lo...$0 } }) else {
            return out + "<text x=\"\(Int(left))\" y=\"\(Int(height / 2))\" class=\"empty\">no data</text></svg>"
        }
        let x0 = xr.lowerBound, x1 = xr.upperBound > xr.lowerBound ? xr.upperBound : xr.lowerBound + 1
        let scale = yScale
        let values = (lines.flatMap { $0.points.map(\.y) } + markers.map(\.y)).filter {
            $0.isFinite && (scale == .linear || $0 > 0)
        }
        let (y0, y1, yTicks) = Self.yAxis(values, scale)
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double {
            let v = scale == .log ? log10(max(y, y0)) : y
            let lo = scale == .log ? log10(y0) : y0, hi = scale == .log ? log10(y1) : y1
            return top + plotH - (v - lo) / (hi - lo) * plotH
        }
        func f(_ v: Double) -> String { ReportNumbers.fixed(v, decimals: 1) }
        for b in bands {
            let a = max(x0, b.x0), z = min(x1, b.x1)
            guard z >= a else { continue }
            out +=
                "<rect class=\"band\" x=\"\(f(px(a)))\" y=\"\(f(top))\" width=\"\(f(max(1, px(z) - px(a))))\" height=\"\(f(plotH))\" fill=\"\(b.color)\"><title>\(HTMLText.escape(b.label))</title></rect>"
        }
        // The y axis: a grid line and a value at each tick, the unit after the top one.
        let yDecimals = HumanText.decimals(for: yTicks)
        for (i, t) in yTicks.enumerated() {
            let y = py(t)
            out += "<line class=\"grid\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\"/>"
            let text =
                HumanText.number(t, decimals: yDecimals) + (i == yTicks.count - 1 && !yUnit.isEmpty ? " " + yUnit : "")
            out +=
                "<text class=\"tick\" x=\"\(f(left - 5))\" y=\"\(f(y + 3.5))\" text-anchor=\"end\">\(HTMLText.escape(text))</text>"
        }
        if scale == .log {
            out +=
                "<text class=\"tick scale\" x=\"\(f(left - 5))\" y=\"\(f(height - 4))\" text-anchor=\"end\">log scale</text>"
        }
        // The x axis: a tick and a label at each of its ticks.
        out +=
            "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\"/>"
        out += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\"/>"
        for t in xTicks(x0...x1, max(2, Int(plotW / 64))) where t >= x0 && t <= x1 {
            let x = px(t)
            out +=
                "<line class=\"axis\" x1=\"\(f(x))\" y1=\"\(f(top + plotH))\" x2=\"\(f(x))\" y2=\"\(f(top + plotH + 4))\"/>"
            out +=
                "<text class=\"tick\" x=\"\(f(x))\" y=\"\(f(top + plotH + 16))\" text-anchor=\"middle\">\(HTMLText.escape(xLabel(t)))</text>"
        }
        for m in markers where m.y.isFinite && (scale == .linear || m.y > 0) {
            let y = py(m.y)
            out +=
                "<line class=\"marker\" x1=\"\(f(left))\" y1=\"\(f(y))\" x2=\"\(f(left + plotW))\" y2=\"\(f(y))\" stroke-dasharray=\"5 3\"/>"
            out +=
                "<text class=\"tick marker\" x=\"\(f(left + plotW + 4))\" y=\"\(f(y + 3.5))\">\(HTMLText.escape(m.label))</text>"
        }
        for line in lines where !line.points.isEmpty {
            let shown = line.points.filter { $0.y.isFinite && (scale == .linear || $0.y > 0) }
            // Runs of points no further apart than the line's gap, each one polyline.
            var runs: [[(x: Double, y: Double)]] = []
            for p in shown {
                if let last = runs.last?.last, p.x - last.x <= line.gap {
                    runs[runs.count - 1].append(p)
                } else {
                    runs.append([p])
                }
            }
            let dash = line.dashed ? " stroke-dasharray=\"4 3\"" : ""
            for run in runs where run.count > 1 {
                let pts = run.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                out +=
                    "<polyline class=\"line\" fill=\"none\" stroke=\"\(line.color)\"\(dash) points=\"\(pts)\"><title>\(HTMLText.escape(line.name))</title></polyline>"
            }
            // Points on their own (or few) are drawn as dots, each with its value.
            let lonely = Set(runs.filter { $0.count == 1 }.map { $0[0].x })
            if shown.count <= 60 || !lonely.isEmpty {
                for p in shown where shown.count <= 60 || lonely.contains(p.x) {
                    out +=
                        "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"\(lonely.contains(p.x) ? 3 : 2)\" fill=\"\(line.color)\"><title>\(HTMLText.escape(line.name)) \(HTMLText.escape(xLabel(p.x))): \(HTMLText.escape(HumanText.number(p.y) + (yUnit.isEmpty ? "" : " " + yUnit)))</title></circle>"
                }
            }
        }
        out += "</svg>"
        if lines.count > 1 || !bands.isEmpty {
            out += "<p class=\"legend\">"
            for line in lines {
                out += "<span><i style=\"background:\(line.color)\"></i>\(HTMLText.escape(line.name))</span>"
            }
            for color in Set(bands.map(\.color)).sorted() {
                let name = bands.first { $0.color == color }!.label.split(separator: " ").first.map(String.init) ?? ""
                out += "<span><i style=\"background:\(color)\"></i>\(HTMLText.escape(name))</span>"
            }
            out += "</p>"
        }
        return out
    }

    /// The y range and its ticks: on a linear scale from zero (unless that flattens the lines) to
    /// a round value, 1-2-5 steps; on a log scale from one power of ten to another, with 2 and 5
    /// between when the range spans few decades.
    static func yAxis(_ values: [Double], _ scale: Scale) -> (Double, Double, [Double]) {
        switch scale {
        case .log:
            let lo = values.min() ?? 1, hi = values.max() ?? 10
            let e0 = lo.log10Floor()
            var e1 = hi.log10Floor()
            if pow10(e1) < hi { e1 += 1 }
            if e1 == e0 { e1 += 1 }
            let decades = e1 - e0
            var ticks: [Double] = []
            for e in e0...e1 {
                ticks.append(pow10(e))
                if decades <= 2 && e < e1 { ticks += [2 * pow10(e), 5 * pow10(e)] }
            }
            // Drop the ticks far below the data (one step of margin is kept).
            while ticks.count > 2, ticks[1] <= lo { ticks.removeFirst() }
            return (ticks.first!, ticks.last!, ticks)
        case .linear:
            var lo = values.min() ?? 0, hi = values.max() ?? 1
            if lo > 0 && lo < hi * 0.5 { lo = 0 }
            if hi < 0 && hi > lo * 0.5 { hi = 0 }
            if hi == lo {
                hi = lo == 0 ? 1 : lo + abs(lo) * 0.5
                lo = lo == 0 ? 0 : lo - abs(lo) * 0.5
                if lo > 0 && lo < hi * 0.5 { lo = 0 }
            }
            let raw = (hi - lo) / 4
            let magnitude = pow10(raw.log10Floor())
            let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
            let first = (lo / step).rounded(.down) * step, last = (hi / step).rounded(.up) * step
            let ticks = stride(from: first, through: last + step / 2, by: step).map { abs($0) < step * 1e-9 ? 0 : $0 }
            return (first, last, ticks)
        }
    }

    static func pow10(_ e: Int) -> Double {
        var v = 1.0
        if e >= 0 { for _ in 0..<e { v *= 10 } } else { for _ in 0..<(-e) { v /= 10 } }
        return v
    }

    /// Ticks at round times within `range` (nanoseconds since the epoch): the smallest step of
    /// 1 s, 5 s, 15 s, 30 s, 1, 5, 15, 30 min, 1, 3, 6, 12 h or days that gives at most `count`.
    static func timeTicks(_ range: ClosedRange<Double>, _ count: Int) -> [Double] {
        // In whole nanoseconds: a double near 1.8e18 is off by a few hundred, which would move
        // a tick off its round time.
        let lo = Int64(clamping: Int64(exactly: range.lowerBound.rounded(.up)) ?? .max)
        let hi = Int64(clamping: Int64(exactly: range.upperBound.rounded(.down)) ?? .max)
        guard hi >= lo else { return [] }
        let seconds: [Int64] = [1, 5, 15, 30, 60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 172_800, 604_800]
        let span = hi - lo
        let step = (seconds.first { span / ($0 * 1_000_000_000) + 1 <= count } ?? 2_592_000) * 1_000_000_000
        var t = lo / step * step
        if t < lo { t = t.addingReportingOverflow(step).partialValue }
        var out: [Double] = []
        while t <= hi && t >= lo && out.count < 64 {
            out.append(Double(t))
            let (next, overflow) = t.addingReportingOverflow(step)
            if overflow { break }
            t = next
        }
        return out
    }
}
