import GammaLog
import GammaModel

/// Writes a report as one JSON document (docs/REPORT.md gives the schema): the fields in a
/// fixed order, series sorted by name, kind and labels, so the same report gives the same bytes.
/// Times are integer nanoseconds since the epoch; non-finite numbers are the strings "NaN",
/// "Infinity" and "-Infinity", as in records; a figure without a value is `null`.
public struct JSONReportExporter: Sendable {
    public init() {}

    public func render(_ report: MetricReport) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.raw(#"{"schema":"gamma.report.v1","start":"#); optionalInt(report.start, &w)
        w.raw(#","end":"#); optionalInt(report.end, &w)
        w.raw(#","step":"#); optionalInt(report.query.step, &w)
        w.raw(#","approximate":"#); w.bool(report.query.approximate)
        w.raw(#","quantiles":["#)
        for (i, q) in report.query.quantiles.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.double(q)
        }
        w.raw(#"],"records":"#); w.int(Int64(report.records))
        w.raw(#","observations":"#); w.int(Int64(report.observations))
        w.raw(#","invalid_lines":"#); w.int(Int64(report.invalidLines))
        w.raw(#","unknown_records":"#); w.int(Int64(report.unknownRecords))
        w.raw(#","damages":["#)
        for (i, d) in report.damages.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.raw(#"{"path":"#); w.string(d.path)
            w.raw(#","offset":"#); w.int(d.offset)
            w.raw(#","kind":"#); w.string(d.kind.rawValue)
            w.raw(#","reason":"#); w.string(d.reason)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw(#"],"series":["#)
        for (i, s) in report.series.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.raw(#"{"name":"#); w.string(s.key.name)
            w.raw(#","kind":"#); w.string(s.key.kind.rawValue)
            w.raw(#","labels":{"#)
            for (j, l) in s.key.labels.enumerated() {
                if j > 0 { w.byte(0x2C) }
                w.key(l.name)
                w.string(l.value)
            }
            w.raw(#"},"unit":"#); if let u = s.unit { w.string(u) } else { w.raw("null") }
            w.raw(#","help":"#); if let h = s.help { w.string(h) } else { w.raw("null") }
            w.byte(0x2C)
            figures(s.figures, kind: s.key.kind, report.query, &w)
            if report.query.step != nil {
                w.raw(#","windows":["#)
                for (j, win) in s.windows.enumerated() {
                    if j > 0 { w.byte(0x2C) }
                    w.raw(#"{"start":"#); w.int(win.start)
                    w.raw(#","end":"#); w.int(win.end)
                    w.byte(0x2C)
                    figures(win.figures, kind: s.key.kind, report.query, &w)
                    w.byte(UInt8(ascii: "}"))
                }
                w.byte(UInt8(ascii: "]"))
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("]}\n")
        return w.bytes
    }

    func figures(_ f: Figures, kind: MetricKind, _ query: MetricQuery, _ w: inout JSONWriter) {
        w.raw(#""first_ts":"#); w.int(f.firstTS)
        w.raw(#","last_ts":"#); w.int(f.lastTS)
        w.raw(#","count":"#); w.int(Int64(f.count))
        w.raw(#","nan_count":"#); w.int(Int64(f.nanCount))
        func number(_ key: StaticString, _ v: Double?) {
            w.raw(key)
            if let v { w.double(v) } else { w.raw("null") }
        }
        switch kind {
        case .counter:
            number(#","total":"#, f.total)
            number(#","rate":"#, f.rate)
        case .gauge:
            number(#","last":"#, f.last)
            number(#","min":"#, f.min)
            number(#","max":"#, f.max)
            number(#","mean":"#, f.mean)
        case .histogram:
            number(#","sum":"#, f.sum)
            number(#","mean":"#, f.mean)
            number(#","min":"#, f.min)
            number(#","max":"#, f.max)
            number(#","stddev":"#, f.stddev)
            w.raw(#","quantiles":{"#)
            for (i, (q, v)) in zip(query.quantiles, f.quantiles).enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.key(ReportNumbers.shortest(q))
                if let v { w.double(v) } else { w.raw("null") }
            }
            w.byte(UInt8(ascii: "}"))
            if let bounds = query.buckets, let counts = f.buckets {
                w.raw(#","buckets":["#)
                for (i, (b, c)) in zip(bounds, counts).enumerated() {
                    if i > 0 { w.byte(0x2C) }
                    w.raw(#"{"le":"#); w.double(b)
                    w.raw(#","count":"#); w.int(Int64(c))
                    w.byte(UInt8(ascii: "}"))
                }
                w.byte(UInt8(ascii: "]"))
            }
        }
    }

    func optionalInt(_ v: Int64?, _ w: inout JSONWriter) {
        if let v { w.int(v) } else { w.raw("null") }
    }
}
