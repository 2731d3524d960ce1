import GammaModel

/// Writes a report as CSV (RFC 4180): one row per series, or with a step one row per series and
/// window. Times are nanoseconds since the epoch; empty cells are figures without a value or that
/// do not apply to the series' kind.
public struct CSVReportExporter: Sendable {
    public init() {}

    public func render(_ report: MetricReport) -> String {
        let qs = report.query.quantiles.map { "p" + ReportNumbers.shortest($0 * 100) }
        var out =
            ([
                "metric", "kind", "labels", "window_start", "window_end", "first_ts", "last_ts", "count", "nan_count",
                "total", "rate", "last", "sum", "mean", "min", "max", "stddev"
            ] + qs).joined(separator: ",") + "\r\n"
        for s in report.series {
            let labels = s.key.labels.map { "\($0.name)=\($0.value)" }.joined(separator: ";")
            let rows: [(Int64?, Int64?, Figures)] =
                report.query.step == nil
                ? [(report.start, report.end, s.figures)]
                : s.windows.map { ($0.start, $0.end, $0.figures) }
            for (start, end, f) in rows {
                func n(_ v: Double?) -> String { v.map(Self.number) ?? "" }
                let cells =
                    [
                        Self.field(s.key.name), s.key.kind.rawValue, Self.field(labels),
                        start.map(String.init) ?? "", end.map(String.init) ?? "", String(f.firstTS), String(f.lastTS),
                        String(f.count), String(f.nanCount), n(f.total), n(f.rate), n(f.last), n(f.sum), n(f.mean),
                        n(f.min), n(f.max), n(f.stddev)
                    ] + f.quantiles.map(n) + (f.quantiles.isEmpty ? qs.map { _ in "" } : [])
                out += cells.joined(separator: ",") + "\r\n"
            }
        }
        return out
    }

    static func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "Infinity" : "-Infinity" }
        return ReportNumbers.shortest(v)
    }

    /// A cell, quoted when it holds a comma, a quote or a line break.
    package static func field(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
