public import GammaModel

/// Writes an attribute map or list in the shapes the trace formats use.
enum TraceJSON {
    /// OTLP's `[{"key":…,"value":{"stringValue":…}}]`, keys in byte order.
    static func otlpAttributes(_ a: Attributes, _ w: inout JSONWriter) {
        w.byte(UInt8(ascii: "["))
        for (i, (k, v)) in a.sorted(by: { JSONWriter.byteOrder($0.key, $1.key) }).enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.raw(#"{"key":"#); w.string(k)
            w.raw(#","value":"#); otlpValue(v, &w)
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
    }

    /// An OTLP AnyValue: 64-bit integers as strings, doubles as numbers (non-finite as "NaN",
    /// "Infinity", "-Infinity", as protobuf's JSON mapping writes them).
    static func otlpValue(_ v: AttributeValue, _ w: inout JSONWriter) {
        func array(_ n: Int, _ each: (Int, inout JSONWriter) -> Void) {
            w.raw(#"{"arrayValue":{"values":["#)
            for i in 0..<n {
                if i > 0 { w.byte(0x2C) }
                each(i, &w)
            }
            w.raw("]}}")
        }
        switch v {
        case .string(let s): w.raw(#"{"stringValue":"#); w.string(s); w.byte(UInt8(ascii: "}"))
        case .int(let i): w.raw(#"{"intValue":""#); w.int(i); w.raw(#""}"#)
        case .double(let d): w.raw(#"{"doubleValue":"#); w.double(d); w.byte(UInt8(ascii: "}"))
        case .bool(let b): w.raw(#"{"boolValue":"#); w.bool(b); w.byte(UInt8(ascii: "}"))
        case .stringArray(let xs): array(xs.count) { i, w in otlpValue(.string(xs[i]), &w) }
        case .intArray(let xs): array(xs.count) { i, w in otlpValue(.int(xs[i]), &w) }
        case .doubleArray(let xs): array(xs.count) { i, w in otlpValue(.double(xs[i]), &w) }
        case .boolArray(let xs): array(xs.count) { i, w in otlpValue(.bool(xs[i]), &w) }
        }
    }

    /// A plain JSON value for an attribute (Gamma's own JSON and Chrome's args).
    static func plain(_ a: Attributes, _ w: inout JSONWriter) { w.attributes(a) }

    static func hex(_ v: UInt128, _ digits: Int, _ w: inout JSONWriter) { w.hex(v, digits: digits) }

    /// Microseconds, for the formats that count in them.
    static func micros(_ ns: Int64) -> Int64 { ns >= 0 ? ns / 1000 : (ns - 999) / 1000 }
}

/// A trace format written trace by trace, so that an export of every trace of a log can stream
/// (``StreamingTraceExport``): the document's opening, each trace, its closing. `render` writes
/// a whole list at once the same way.
public protocol TraceFormat: Sendable {
    func begin(_ w: inout JSONWriter)
    /// Writes `t`, the `index`th trace of the output (from 0); `resources` holds at least every
    /// resource its spans name.
    func write(_ t: Trace, index: Int, resources: [Attributes], _ w: inout JSONWriter)
    func end(_ w: inout JSONWriter)
}

extension TraceFormat {
    public func render(_ traces: [Trace], resources: [Attributes]) -> [UInt8] {
        var w = JSONWriter(capacity: 1 << 16)
        begin(&w)
        for (i, t) in traces.enumerated() { write(t, index: i, resources: resources, &w) }
        end(&w)
        return w.bytes
    }
}

/// Gamma's own trace JSON: one document, the traces in order, each a tree of spans.
public struct TraceJSONExporter: TraceFormat {
    public init() {}

    public func begin(_ w: inout JSONWriter) { w.raw(#"{"schema":"gamma.traces.v1","traces":["#) }
    public func end(_ w: inout JSONWriter) { w.raw("]}\n") }

    public func write(_ t: Trace, index: Int, resources: [Attributes], _ w: inout JSONWriter) {
        if index > 0 { w.byte(0x2C) }
        w.raw(#"{"trace_id":"#); w.hex(t.traceID, digits: 32)
        w.raw(#","start":"#); w.int(t.start)
        w.raw(#","end":"#); w.int(t.end)
        w.raw(#","duration":"#); w.int(t.duration)
        w.raw(#","span_count":"#); w.int(Int64(t.nodes.count))
        w.raw(#","error_count":"#); w.int(Int64(t.errorCount))
        w.raw(#","problems":["#)
        for (i, p) in t.problems.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.string(p.description)
        }
        w.raw(#"],"roots":["#)
        for (i, r) in t.roots.enumerated() {
            if i > 0 { w.byte(0x2C) }
            node(t, r, resources, &w)
        }
        w.raw("]}")
    }

    func node(_ t: Trace, _ root: Int, _ resources: [Attributes], _ w: inout JSONWriter) {
        // Iterative: open each node, write its children, close it.
        var stack: [(Int, Bool)] = [(root, false)]
        var first: [Bool] = []
        while let (i, closing) = stack.popLast() {
            if closing {
                w.raw("]}")
                first.removeLast()
                continue
            }
            if let f = first.last {
                if !f { w.byte(0x2C) }
                first[first.count - 1] = false
            }
            let n = t.nodes[i], s = n.span
            w.raw(#"{"span_id":"#); w.hex(UInt128(s.spanID), digits: 16)
            w.raw(#","parent_span_id":"#);
            if let p = s.parentSpanID { w.hex(UInt128(p), digits: 16) } else { w.raw("null") }
            w.raw(#","name":"#); w.string(s.name)
            w.raw(#","kind":"#); w.string(s.kind.rawValue)
            w.raw(#","start":"#); w.int(s.start)
            w.raw(#","end":"#); w.int(s.end)
            w.raw(#","duration":"#); w.int(n.duration)
            w.raw(#","self_time":"#); w.int(n.selfTime)
            w.raw(#","status":"#); w.string(s.status.rawValue)
            w.raw(#","status_message":"#); if let m = s.statusMessage { w.string(m) } else { w.raw("null") }
            w.raw(#","orphan":"#); w.bool(n.orphan)
            w.raw(#","unfinished":"#); w.bool(s.unfinished)
            w.raw(#","critical_path":"#); w.bool(n.onCriticalPath)
            w.raw(#","resource":"#); w.attributes(resources[Int(n.resource)])
            w.raw(#","attributes":"#); w.attributes(s.attributes)
            w.raw(#","events":["#)
            for (k, e) in s.events.enumerated() {
                if k > 0 { w.byte(0x2C) }
                w.raw(#"{"name":"#); w.string(e.name)
                w.raw(#","ts":"#); w.int(e.ts)
                w.raw(#","attributes":"#); w.attributes(e.attributes)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw(#"],"links":["#)
            for (k, l) in s.links.enumerated() {
                if k > 0 { w.byte(0x2C) }
                w.raw(#"{"trace_id":"#); w.hex(l.traceID, digits: 32)
                w.raw(#","span_id":"#); w.hex(UInt128(l.spanID), digits: 16)
                w.raw(#","attributes":"#); w.attributes(l.attributes)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw(#"],"children":["#)
            first.append(true)
            stack.append((i, true))
            for c in n.children.reversed() { stack.append((c, false)) }
        }
    }
}

/// OTLP JSON (opentelemetry-proto's JSON mapping): one ExportTraceServiceRequest per line, one
/// line per trace, spans grouped by resource; what the Collector's otlpjsonfile receiver reads.
/// Ids are lower-case hex, 64-bit integers strings, enums integers.
public struct OTLPExporter: TraceFormat {
    public init() {}

    public func begin(_ w: inout JSONWriter) {}
    public func end(_ w: inout JSONWriter) {}

    public func write(_ t: Trace, index: Int, resources: [Attributes], _ w: inout JSONWriter) {
        let groups = Dictionary(grouping: t.nodes.indices, by: { t.nodes[$0].resource }).sorted { $0.key < $1.key }
        w.raw(#"{"resourceSpans":["#)
        for (gi, (resource, nodes)) in groups.enumerated() {
            if gi > 0 { w.byte(0x2C) }
            w.raw(#"{"resource":{"attributes":"#); TraceJSON.otlpAttributes(resources[Int(resource)], &w)
            w.raw(#"},"scopeSpans":[{"scope":{"name":"gamma"},"spans":["#)
            for (k, i) in nodes.enumerated() {
                if k > 0 { w.byte(0x2C) }
                span(t.nodes[i].span, &w)
            }
            w.raw("]}]}")
        }
        w.raw("]}\n")
    }

    static func kind(_ k: SpanRecord.Kind) -> Int64 {
        switch k {
        case .internal: return 1
        case .server: return 2
        case .client: return 3
        case .producer: return 4
        case .consumer: return 5
        }
    }

    func span(_ s: SpanRecord, _ w: inout JSONWriter) {
        w.raw(#"{"traceId":"#); w.hex(s.traceID, digits: 32)
        w.raw(#","spanId":"#); w.hex(UInt128(s.spanID), digits: 16)
        if let p = s.parentSpanID { w.raw(#","parentSpanId":"#); w.hex(UInt128(p), digits: 16) }
        w.raw(#","name":"#); w.string(s.name)
        w.raw(#","kind":"#); w.int(Self.kind(s.kind))
        w.raw(#","startTimeUnixNano":""#); w.int(s.start)
        w.raw(#"","endTimeUnixNano":""#); w.int(s.end)
        var attributes = s.attributes
        if s.unfinished { attributes["gamma.unfinished"] = .bool(true) }
        w.raw(#"","attributes":"#); TraceJSON.otlpAttributes(attributes, &w)
        w.raw(#","events":["#)
        for (i, e) in s.events.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.raw(#"{"timeUnixNano":""#); w.int(e.ts)
            w.raw(#"","name":"#); w.string(e.name)
            w.raw(#","attributes":"#); TraceJSON.otlpAttributes(e.attributes, &w)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw(#"],"links":["#)
        for (i, l) in s.links.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.raw(#"{"traceId":"#); w.hex(l.traceID, digits: 32)
            w.raw(#","spanId":"#); w.hex(UInt128(l.spanID), digits: 16)
            w.raw(#","attributes":"#); TraceJSON.otlpAttributes(l.attributes, &w)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw(#"],"status":{"code":"#)
        w.int(s.status == .ok ? 1 : s.status == .error ? 2 : 0)
        if let m = s.statusMessage { w.raw(#","message":"#); w.string(m) }
        w.raw("}}")
    }
}
