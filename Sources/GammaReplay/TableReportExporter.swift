public import GammaModel

/// Writes a report as aligned text for a terminal of 80 columns: a section per kind, a heading
/// line per metric (with its unit), and a row per label set. Numbers keep about four
/// significant digits; the JSON format has them whole.
public struct TableReportExporter: Sendable {
    /// Formats a time for the heading (RFC 3339 in the CLI).
    public var formatTime: @Sendable (Int64) -> String

    public init(formatTime: @escaping @Sendable (Int64) -> String = { TimeParser.format($0) }) {
        self.formatTime = formatTime
    }

    static let width = 80
    static let cell = 9

    public func render(_ report: MetricReport) -> String {
        var out = ""
        if let start = report.start, let end = report.end {
            out += "\(formatTime(start)) to \(formatTime(end)) (\(Self.duration(end - start)))"
        } else {
            out += "no records in range"
        }
        out += "\n\(plural(report.records, "record")), \(report.series.count) series\n"
        if report.invalidLines > 0 { out += "\(report.invalidLines) invalid lines skipped\n" }
        if !report.damages.isEmpty { out += "\(report.damages.count) damaged places skipped (see the warnings)\n" }
        let stepped = report.query.step != nil
        for kind in [MetricKind.histogram, .counter, .gauge] {
            let series = report.series.filter { $0.key.kind == kind }
            guard !series.isEmpty else { continue }
            let headers: [String]
            switch kind {
            case .histogram:
                headers = ["COUNT"] + report.query.quantiles.map { "P" + ReportNumbers.shortest($0 * 100) } + ["MAX"]
            case .counter: headers = ["TOTAL", "RATE/S"]
            case .gauge: headers = ["LAST", "MIN", "MAX", "MEAN"]
            }
            let title = kind == .histogram ? "HISTOGRAMS" : kind == .counter ? "COUNTERS" : "GAUGES"
            out += "\n" + row(title, headers)
            var lastName = ""
            for s in series {
                if s.key.name != lastName {
                    out += Self.visible(s.key.name) + (s.unit.map { " (\(Self.visible($0)))" } ?? "") + "\n"
                    lastName = s.key.name
                }
                let label =
                    s.key.labels.isEmpty
                    ? "  (no labels)"
                    : "  "
                        + s.key.labels.map { "\(Self.visible($0.name))=\(Self.visible($0.value))" }.joined(
                            separator: " ")
                let points: [(String, Figures)] =
                    stepped
                    ? [(label, s.figures)] + s.windows.map { ("    " + formatTime($0.start), $0.figures) }
                    : [(label, s.figures)]
                for (name, f) in points { out += row(name, cells(f, kind: kind)) }
            }
        }
        return out
    }

    func cells(_ f: Figures, kind: MetricKind) -> [String] {
        switch kind {
        case .histogram:
            return [String(f.count)] + f.quantiles.map(ReportNumbers.compact) + [ReportNumbers.compact(f.max)]
        case .counter: return [ReportNumbers.compact(f.total), ReportNumbers.compact(f.rate)]
        case .gauge:
            return [
                ReportNumbers.compact(f.last), ReportNumbers.compact(f.min), ReportNumbers.compact(f.max),
                ReportNumbers.compact(f.mean)
            ]
        }
    }

    /// A label column and right-aligned cells; a label too long for its column gets its own line.
    func row(_ label: String, _ cells: [String]) -> String {
        let labelWidth = max(12, Self.width - Self.cell * cells.count)
        var line = ""
        var lead = label
        if label.count >= labelWidth {
            line += label + "\n"
            lead = ""
        }
        line += lead + String(repeating: " ", count: labelWidth - lead.count)
        for c in cells { line += String(repeating: " ", count: max(1, Self.cell - c.count)) + c }
        return line + "\n"
    }

    /// Text with control characters shown as escapes, so that a label cannot break the layout.
    package static func visible(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\u{\(String(c.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out
    }

    package static func duration(_ ns: Int64) -> String {
        var s = ns / 1_000_000_000
        if s < 60 { return "\(ReportNumbers.fixed(Double(ns) / 1e9, decimals: 3).trimmingZeros)s" }
        var parts: [String] = []
        let d = s / 86_400; s %= 86_400
        let h = s / 3_600; s %= 3_600
        let m = s / 60; s %= 60
        if d > 0 { parts.append("\(d)d") }
        if h > 0 { parts.append("\(h)h") }
        if m > 0 { parts.append("\(m)m") }
        if s > 0 { parts.append("\(s)s") }
        return parts.joined()
    }
}

extension String {
    var trimmingZeros: String {
        guard contains(".") else { return self }
        var s = self
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s
    }
}
