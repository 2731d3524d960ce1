/// Writes records as schema v1 JSON lines (docs/FORMAT.md, "Records"): fixed key order,
/// map keys in byte order, no whitespace, no trailing newline. Same record, same bytes.
public enum RecordEncoder {
    /// The line for `record`, without `\n`.
    public static func encode(_ record: Record) -> [UInt8] {
        var w = JSONWriter()
        encode(record, into: &w)
        return w.bytes
    }

    public static func encode(_ record: Record, into w: inout JSONWriter) {
        switch record {
        case .resource(let r):
            w.raw(#"{"type":"resource","ts":"#); w.int(r.ts)
            w.raw(#","schema":"#); w.int(r.schema)
            w.raw(#","stream":"#); w.string(r.stream)
            w.raw(#","attributes":"#); w.attributes(r.attributes)
            w.byte(UInt8(ascii: "}"))
        case .metric(let m):
            encodeMetric(kind: m.kind, ts: m.ts, name: m.name, labels: m.labels, value: m.value, into: &w)
        case .meta(let m):
            w.raw(#"{"type":"meta","ts":"#); w.int(m.ts)
            w.raw(#","name":"#); w.string(m.name)
            w.raw(#","kind":"#); w.string(m.kind.rawValue)
            if let unit = m.unit { w.raw(#","unit":"#); w.string(unit) }
            if let help = m.help { w.raw(#","help":"#); w.string(help) }
            w.byte(UInt8(ascii: "}"))
        case .span(let s):
            encodeSpan(s, into: &w)
        case .alert(let a):
            w.raw(#"{"type":"alert","ts":"#); w.int(a.ts)
            w.raw(#","rule":"#); w.string(a.rule)
            w.raw(#","state":"#); w.string(a.state.rawValue)
            w.raw(#","severity":"#); w.string(a.severity)
            w.raw(#","labels":"#); w.stringMap(a.labels)
            w.raw(#","value":"#)
            if let v = a.value { w.double(v) } else { w.raw("null") }
            if let t = a.threshold { w.raw(#","threshold":"#); w.double(t) }
            if let n = a.notifier { w.raw(#","notifier":"#); w.string(n) }
            if let u = a.undelivered { w.raw(#","undelivered":"#); w.string(u) }
            w.byte(UInt8(ascii: "}"))
        }
    }

    public static func encodeMetric(
        kind: MetricKind, ts: Int64, name: String, labels: [String: String], value: Double, into w: inout JSONWriter
    ) {
        switch kind {
        case .counter: w.raw(#"{"type":"counter","ts":"#)
        case .gauge: w.raw(#"{"type":"gauge","ts":"#)
        case .histogram: w.raw(#"{"type":"histogram","ts":"#)
        }
        w.int(ts)
        w.raw(#","name":"#); w.string(name)
        w.raw(#","labels":"#); w.stringMap(labels)
        w.raw(#","value":"#); w.double(value)
        w.byte(UInt8(ascii: "}"))
    }

    static func encodeSpan(_ s: SpanRecord, into w: inout JSONWriter) {
        encodeSpan(
            traceID: s.traceID, spanID: s.spanID, parentSpanID: s.parentSpanID, name: s.name, kind: s.kind,
            start: s.start, end: s.end, status: s.status, statusMessage: s.statusMessage,
            attributes: { $0.attributes(s.attributes) }, events: s.events, links: s.links, unfinished: s.unfinished,
            into: &w)
    }

    /// A span line whose attributes object is written by `attributes` (the tracer writes its own
    /// attributes straight from the span, without building a record first).
    public static func encodeSpan(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID?, name: String, kind: SpanRecord.Kind,
        start: Int64, end: Int64, status: SpanRecord.Status, statusMessage: String?,
        attributes: (inout JSONWriter) -> Void, events: [SpanRecord.Event], links: [SpanRecord.Link],
        unfinished: Bool, into w: inout JSONWriter
    ) {
        w.raw(#"{"type":"span","ts":"#); w.int(end)
        w.raw(#","trace_id":"#); w.hex(traceID, digits: 32)
        w.raw(#","span_id":"#); w.hex(UInt128(spanID), digits: 16)
        if let p = parentSpanID { w.raw(#","parent_span_id":"#); w.hex(UInt128(p), digits: 16) }
        w.raw(#","name":"#); w.string(name)
        w.raw(#","kind":"#); w.string(kind.rawValue)
        w.raw(#","start":"#); w.int(start)
        w.raw(#","end":"#); w.int(end)
        w.raw(#","status":"#); w.string(status.rawValue)
        if let m = statusMessage { w.raw(#","status_message":"#); w.string(m) }
        w.raw(#","attributes":"#); attributes(&w)
        if !events.isEmpty {
            w.raw(#","events":["#)
            for (i, e) in events.enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.raw(#"{"name":"#); w.string(e.name)
                w.raw(#","ts":"#); w.int(e.ts)
                w.raw(#","attributes":"#); w.attributes(e.attributes)
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
        }
        if !links.isEmpty {
            w.raw(#","links":["#)
            for (i, l) in links.enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.raw(#"{"trace_id":"#); w.hex(l.traceID, digits: 32)
                w.raw(#","span_id":"#); w.hex(UInt128(l.spanID), digits: 16)
                w.raw(#","attributes":"#); w.attributes(l.attributes)
                w.byte(UInt8(ascii: "}"))
            }
            w.byte(UInt8(ascii: "]"))
        }
        if unfinished { w.raw(#","unfinished":true"#) }
        w.byte(UInt8(ascii: "}"))
    }
}
