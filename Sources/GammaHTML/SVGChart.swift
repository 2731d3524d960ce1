import GammaModel
import GammaReplay

/// Line charts as inline SVG: time (or any number) across, values up, with the range of each
/// axis written at its ends. No script; a point's exact value is in its `<title>`.
struct SVGChart {
    struct Line {
        var name: String
        var points: [(x: Double, y: Double)]
        var color: String
        var dashed = false
    }

    /// A band across the chart (a rule firing or pending), from `x0` to `x1`.
    struct Band {
        var x0: Double, x1: Double
        var color: String
        var label: String
    }

    var width = 720.0, height = 200.0
    var lines: [Line] = []
    var bands: [Band] = []
    var xLabel: (Double) -> String = { ReportNumbers.compact($0) }
    var yLabel: (Double) -> String = { ReportNumbers.compact($0) }
    /// The chart's accessible name.
    var title: String

    init(title: String) { self.title = title }

    func render() -> String {
        let left = 64.0, right = 12.0, top = 12.0, bottom = 28.0
        let plotW = width - left - right, plotH = height - top - bottom
        let xs = lines.flatMap { $0.points.map(\.x) } + bands.flatMap { [$0.x0, $0.x1] }
        let ys = lines.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        var out =
            "<svg class=\"chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(title))\">"
        guard let x0 = xs.min(), let x1 = xs.max() else {
            return out + "<text x=\"\(Int(left))\" y=\"\(Int(height / 2))\" class=\"empty\">no data</text></svg>"
        }
        var y0 = ys.min() ?? 0, y1 = ys.max() ?? 1
        if y0 > 0 && y0 < y1 * 0.5 { y0 = 0 }  // start at zero unless it flattens the lines
        if y1 == y0 { y1 = y0 + 1 }
        let spanX = x1 > x0 ? x1 - x0 : 1
        func px(_ x: Double) -> Double { left + (x - x0) / spanX * plotW }
        func py(_ y: Double) -> Double { top + plotH - (y - y0) / (y1 - y0) * plotH }
        func f(_ v: Double) -> String { ReportNumbers.fixed(v, decimals: 1) }
        for b in bands {
            out +=
                "<rect class=\"band\" x=\"\(f(px(b.x0)))\" y=\"\(f(top))\" width=\"\(f(max(1, px(b.x1) - px(b.x0))))\" height=\"\(f(plotH))\" fill=\"\(b.color)\"><title>\(HTMLText.escape(b.label))</title></rect>"
        }
        out +=
            "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(top + plotH))\" x2=\"\(f(left + plotW))\" y2=\"\(f(top + plotH))\"/>"
        out += "<line class=\"axis\" x1=\"\(f(left))\" y1=\"\(f(top))\" x2=\"\(f(left))\" y2=\"\(f(top + plotH))\"/>"
        out +=
            "<text class=\"tick\" x=\"\(f(left - 4))\" y=\"\(f(top + 10))\" text-anchor=\"end\">\(HTMLText.escape(yLabel(y1)))</text>"
        out +=
            "<text class=\"tick\" x=\"\(f(left - 4))\" y=\"\(f(top + plotH))\" text-anchor=\"end\">\(HTMLText.escape(yLabel(y0)))</text>"
        out += "<text class=\"tick\" x=\"\(f(left))\" y=\"\(f(height - 8))\">\(HTMLText.escape(xLabel(x0)))</text>"
        out +=
            "<text class=\"tick\" x=\"\(f(left + plotW))\" y=\"\(f(height - 8))\" text-anchor=\"end\">\(HTMLText.escape(xLabel(x1)))</text>"
        for line in lines where !line.points.isEmpty {
            let pts = line.points.filter { $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(
                separator: " ")
            out +=
                "<polyline class=\"line\" fill=\"none\" stroke=\"\(line.color)\"\(line.dashed ? " stroke-dasharray=\"4 3\"" : "") points=\"\(pts)\"><title>\(HTMLText.escape(line.name))</title></polyline>"
            if line.points.count <= 60 {
                for p in line.points where p.y.isFinite {
                    out +=
                        "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2\" fill=\"\(line.color)\"><title>\(HTMLText.escape(line.name)) \(HTMLText.escape(xLabel(p.x))): \(HTMLText.escape(yLabel(p.y)))</title></circle>"
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
}
