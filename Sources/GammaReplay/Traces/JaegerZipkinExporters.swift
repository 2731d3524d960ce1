public import GammaModel

/// The JSON that the Jaeger UI accepts as an upload ("JSON File" on the search page): the
/// `{"data":[trace…]}` its query API returns. Times in microseconds; each trace's processes are
/// the resources of its spans (`service.name` as the service).
public struct JaegerExporter: TraceFormat {
    public init() {}

    public func begin(_ w: inout JSONWriter) { w.raw(#"{"data":["#) }
    public func end(_ w: inout JSONWriter) { w.raw("]}\n") }

    public func write(_ t: Trace, index: Int, resources: [Attributes], _ w: inout JSONWriter) {
        if index > 0 { w.byte(0x2C) }
        let used = Set(t.nodes.map(\.resource)).sorted()
        w.raw(#"{"traceID":"#); w.hex(t.traceID, digits: 32)
        w.raw(#","spans":["#)
        for (i, n) in t.nodes.enumerated() {
            if i > 0 { w.byte(0x2C) }
            let s = n.span
            w.raw(#"{"traceID":"#); w.hex(s.traceID, digits: 32)
            w.raw(#","spanID":"#); w.hex(UInt128(s.spanID), digits: 16)
            w.raw(#","operationName":"#); w.string(s.name)
            w.raw(#","references":["#)
            if let p = s.parentSpanID {
                w.raw(#"{"refType":"CHILD_OF","traceID":"#); w.hex(s.traceID, digits: 32)
                w.raw(#","spanID":"#); w.hex(UInt128(p), digits: 16)
                w.byte(UInt8(ascii: "}"))
            }
            for l in s.links {
                w.raw(#",{"refType":"FOLLOWS_FROM","traceID":"#); w.hex(l.traceID, digits: 32)
                w.raw(#","spanID":"#); w.hex(UInt128(l.spanID), digits: 16)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw(#"],"startTime":"#); w.int(TraceJSON.micros(s.start))
            w.raw(#","duration":"#); w.int(TraceJSON.micros(s.end) - TraceJSON.micros(s.start))
            var tags = s.attributes
            tags["span.kind"] = .string(s.kind.rawValue)
            if s.status == .error { tags["error"] = .bool(true) }
            if let m = s.statusMessage { tags["otel.status_description"] = .string(m) }
            if s.status != .unset { tags["otel.status_code"] = .string(s.status == .ok ? "OK" : "ERROR") }
            if s.unfinished { tags["gamma.unfinished"] = .bool(true) }
            w.raw(#","tags":"#); Self.tags(tags, &w)
            w.raw(#","logs":["#)
            for (k, e) in s.events.enumerated() {
                if k > 0 { w.byte(0x2C) }
                var fields = e.attributes
                fields["event"] = .string(e.name)
                w.raw(#"{"timestamp":"#); w.int(TraceJSON.micros(e.ts))
                w.raw(#","fields":"#); Self.tags(fields, &w)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw(#"],"processID":"#); w.string("p\(used.firstIndex(of: n.resource)! + 1)")
            w.raw(#","warnings":null}"#)
        }
        w.raw(#"],"processes":{"#)
        for (k, r) in used.enumerated() {
            if k > 0 { w.byte(0x2C) }
            var attrs = resources[Int(r)]
            let service = attrs.removeValue(forKey: "service.name").map(TraceQuery.text) ?? "unknown_service"
            w.key("p\(k + 1)")
            w.raw(#"{"serviceName":"#); w.string(service)
            w.raw(#","tags":"#); Self.tags(attrs, &w)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw(#"},"warnings":null}"#)
    }

    /// Jaeger's typed tags: `{"key":…,"type":"string|int64|float64|bool","value":…}`; arrays as text.
    static func tags(_ a: Attributes, _ w: inout JSONWriter) {
        w.byte(UInt8(ascii: "["))
        for (i, (k, v)) in a.sorted(by: { JSONWriter.byteOrder($0.key, $1.key) }).enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.raw(#"{"key":"#); w.string(k)
            switch v {
            case .int(let x): w.raw(#","type":"int64","value":"#); w.int(x)
            case .double(let x) where x.isFinite: w.raw(#","type":"float64","value":"#); w.double(x)
            case .bool(let x): w.raw(#","type":"bool","value":"#); w.bool(x)
            default: w.raw(#","type":"string","value":"#); w.string(TraceQuery.text(v))
            }
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
    }
}

/// Zipkin v2 JSON: one array of spans (what `POST /api/v2/spans` takes and the Zipkin UI loads).
/// Times in microseconds; tags are strings; events are annotations; internal spans have no kind.
public struct ZipkinExporter: TraceFormat {
    public init() {}

    public func begin(_ w: inout JSONWriter) { w.byte(UInt8(ascii: "[")) }
    public func end(_ w: inout JSONWriter) { w.raw("]\n") }

    public func write(_ t: Trace, index: Int, resources: [Attributes], _ w: inout JSONWriter) {
        for (k, n) in t.nodes.enumerated() {
            if index > 0 || k > 0 { w.byte(0x2C) }
            let s = n.span
            w.raw(#"{"traceId":"#); w.hex(s.traceID, digits: 32)
            w.raw(#","id":"#); w.hex(UInt128(s.spanID), digits: 16)
            if let p = s.parentSpanID { w.raw(#","parentId":"#); w.hex(UInt128(p), digits: 16) }
            w.raw(#","name":"#); w.string(s.name)
            switch s.kind {
            case .client: w.raw(#","kind":"CLIENT""#)
            case .server: w.raw(#","kind":"SERVER""#)
            case .producer: w.raw(#","kind":"PRODUCER""#)
            case .consumer: w.raw(#","kind":"CONSUMER""#)
            case .internal: break
            }
            w.raw(#","timestamp":"#); w.int(TraceJSON.micros(s.start))
            w.raw(#","duration":"#); w.int(max(1, TraceJSON.micros(s.end) - TraceJSON.micros(s.start)))
            let service = resources[Int(n.resource)]["service.name"].map(TraceQuery.text) ?? "unknown_service"
            w.raw(#","localEndpoint":{"serviceName":"#); w.string(service)
            w.raw(#"},"tags":{"#)
            var tags = s.attributes.mapValues(TraceQuery.text)
            if s.status == .error { tags["error"] = s.statusMessage ?? "true" }
            if s.unfinished { tags["gamma.unfinished"] = "true" }
            for (i, (k, v)) in tags.sorted(by: { JSONWriter.byteOrder($0.key, $1.key) }).enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.key(k)
                w.string(v)
            }
            w.raw(#"},"annotations":["#)
            for (i, e) in s.events.enumerated() {
                if i > 0 { w.byte(0x2C) }
                w.raw(#"{"timestamp":"#); w.int(TraceJSON.micros(e.ts))
                w.raw(#","value":"#); w.string(e.name)
                w.byte(UInt8(ascii: "}"))
            }
            w.raw("]}")
        }
    }
}
