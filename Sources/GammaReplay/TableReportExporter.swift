public import GammaModel

/// Writes a report as aligned text for a terminal of 100 columns: a section per kind, a heading
/// line per metric (with its unit), and a row per label set (and per window, with `--step`).
/// Numbers go through ``HumanText``: a metric's figures share their decimals, chosen from its
/// values; rates carry the unit that suits them. The JSON format has every number whole.
public struct TableReportExporter: Sendable {
    /// Formats a time for the heading (RFC 3339 in the CLI).
    public var formatTime: @Sendable (Int64) -> String

    public init(formatTime: @escaping @Sendable (Int64) -> String = { TimeParser.format($0) }) {
        self.formatTime = formatTime
    }

    /// The widest line, unless a label alone is wider.
    static let width = 100

    public func render(_ report: MetricReport) -> String {
        var out = ""
        if let start = report.start, let end = report.end {
            out += "\(formatTime(start)) to \(formatTime(end)) (\(HumanText.duration(end - start)))"
        } else {
            out += "no records in range"
        }
        out += "\n\(plural(report.records, "record")), \(report.series.count) series\n"
        if report.invalidLines > 0 { out += "\(plural(report.invalidLines, "invalid line")) skipped\n" }
        if !report.damages.isEmpty {
            out += "\(plural(report.damages.count, "damaged place")) skipped (see the warnings)\n"
        }
        let stepped = report.query.step != nil
        for kind in [MetricKind.histogram, .counter, .gauge] {
            let series = report.series.filter { $0.key.kind == kind }
            guard !series.isEmpty else { continue }
            let headers: [String]
            switch kind {
            case .histogram:
                headers = ["COUNT"] + report.query.quantiles.map { "P" + ReportNumbers.shortest($0 * 100) } + ["MAX"]
            case .counter: headers = ["TOTAL", "RATE"]
            case .gauge: headers = ["LAST", "MIN", "MAX", "MEAN"]
            }
            // Rows of text first: a heading per metric, then its label sets (and windows).
            var lines: [(label: String, cells: [String]?)] = []
            var start = 0
            while start < series.count {
                var end = start
                while end < series.count && series[end].key.name == series[start].key.name { end += 1 }
                let block = series[start..<end]
                let first = block.first!
                lines.append((Self.visible(first.key.name) + (first.unit.map { " (\(Self.unitText($0)))" } ?? ""), nil))
                let figures = block.flatMap { s in [s.figures] + (stepped ? s.windows.map(\.figures) : []) }
                let decimals = HumanText.decimals(for: figures.flatMap { Self.values($0, kind: kind) })
                for s in block {
                    let label =
                        s.key.labels.isEmpty
                        ? "  (no labels)"
                        : "  "
                            + s.key.labels.map { "\(Self.visible($0.name))=\(Self.visible($0.value))" }.joined(
                                separator: " ")
                    lines.append((label, cells(s.figures, kind: kind, decimals: decimals)))
                    if stepped {
                        for w in s.windows {
                            lines.append(
                                ("    " + formatTime(w.start), cells(w.figures, kind: kind, decimals: decimals)))
                        }
                    }
                }
                start = end
            }
            let cellWidth =
                max(headers.map(\.count).max()!, lines.compactMap(\.cells).flatMap { $0 }.map(\.count).max() ?? 0) + 2
            let labelWidth = min(
                max(12, lines.filter { $0.cells != nil }.map(\.label.count).max() ?? 0),
                max(12, Self.width - cellWidth * headers.count))
            let title = kind == .histogram ? "HISTOGRAMS" : kind == .counter ? "COUNTERS" : "GAUGES"
            out += "\n" + row(title, headers, labelWidth: labelWidth, cellWidth: cellWidth)
            for line in lines {
                if let cells = line.cells {
                    out += row(line.label, cells, labelWidth: labelWidth, cellWidth: cellWidth)
                } else {
                    out += line.label + "\n"
                }
            }
        }
        return out
    }

    /// The figures of a row that share the metric's decimals (not counts, not rates).
    static func values(_ f: Figures, kind: MetricKind) -> [Double?] {
        switch kind {
        case .histogram: return f.quantiles.map { $0 } + [f.max]
        case .counter: return [f.total]
        case .gauge: return [f.last, f.min, f.max, f.mean]
        }
    }

    func cells(_ f: Figures, kind: MetricKind, decimals: Int) -> [String] {
        let n = { (v: Double?) in HumanText.number(v, decimals: decimals) }
        switch kind {
        case .histogram: return [String(f.count)] + f.quantiles.map(n) + [n(f.max)]
        case .counter: return [n(f.total), HumanText.rate(f.rate)]
        case .gauge: return [n(f.last), n(f.min), n(f.max), n(f.mean)]
        }
    }

    /// A label column and right-aligned cells; a label too long for its column gets its own line.
    func row(_ label: String, _ cells: [String], labelWidth: Int, cellWidth: Int) -> String {
        var line = ""
        var lead = label
        if label.count > labelWidth {
            line += label + "\n"
            lead = ""
        }
        line += lead + String(repeating: " ", count: labelWidth - lead.count)
        for c in cells { line += String(repeating: " ", count: max(1, cellWidth - c.count)) + c }
        return line + "\n"
    }

    /// A unit as people write it: UCUM annotations such as `{token}` become `tokens`, `By` bytes.
    package static func unitText(_ unit: String) -> String {
        if unit == "By" { return "bytes" }
        if unit.hasPrefix("{") && unit.hasSuffix("}") && unit.count > 2 {
            let word = String(unit.dropFirst().dropLast())
            return visible(word.hasSuffix("s") ? word : word + "s")
        }
        return visible(unit)
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
}
