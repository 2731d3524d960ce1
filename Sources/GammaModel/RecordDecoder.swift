/// Parses schema v1 lines, strictly (docs/FORMAT.md, "Records").
///
/// The full JSON grammar is accepted on a line, in any key order, with whitespace; unknown
/// fields are validated and skipped; a record of an unknown `type` comes back as
/// ``DecodedLine/unknown(type:)``. Every error names the byte offset and the reason.
public enum RecordDecoder {
    /// The longest line accepted (the writer's own limit).
    public static let maxLineBytes = 16 << 20

    public static func decode(_ line: [UInt8]) throws(RecordDecodingError) -> DecodedLine {
        let result: Result<DecodedLine, RecordDecodingError> = line.withUnsafeBytes { b in
            do throws(RecordDecodingError) { return .success(try decode(b)) } catch { return .failure(error) }
        }
        return try result.get()
    }

    public static func decode(_ line: String) throws(RecordDecodingError) -> DecodedLine {
        try decode(Array(line.utf8))
    }

    public static func decode(_ line: UnsafeRawBufferPointer) throws(RecordDecodingError) -> DecodedLine {
        guard line.count <= maxLineBytes else {
            throw RecordDecodingError(offset: maxLineBytes, reason: "line longer than \(maxLineBytes) bytes")
        }
        do throws(RecordDecodingError) {
            return try strict(line)
        } catch {
            // A type this version does not know: its fields mean nothing here, so only valid JSON,
            // a string "type" and an integer "ts" are required of it.
            if let unknown = unknownType(line) { return .unknown(type: unknown.type) }
            throw error
        }
    }

    static func strict(_ line: UnsafeRawBufferPointer) throws(RecordDecodingError) -> DecodedLine {
        var s = JSONScanner(line)
        var f = Fields()
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: "{") else {
            throw s.fail(
                s.peek == nil
                    ? "empty line: a record is a JSON object"
                    : "a record is a JSON object, found \(s.describe(s.peek!))")
        }
        try s.object("the record") { (s, key, keyAt) throws(RecordDecodingError) in
            try f.read(key, keyAt: keyAt, &s)
        }
        s.skipWhitespace()
        if s.i < s.end { throw s.fail("trailing characters after the record") }
        return try f.build(lineEnd: line.count)
    }
}

extension RecordDecoder {
    static let knownTypes: Set<String> = ["resource", "counter", "gauge", "histogram", "meta", "span", "alert"]

    /// For a valid JSON object line with exactly one string `type`, not of schema v1, and exactly one
    /// integer `ts`: the type, its range in the line, and the ts. Else `nil`. The one rule for
    /// records of unknown types, shared by ``RecordDecoder`` and ``RecordView``.
    static func unknownType(_ line: UnsafeRawBufferPointer) -> (type: String, range: Range<Int>, ts: Int64)? {
        var s = JSONScanner(line)
        var type: (String, Range<Int>)?
        var ts: Int64?
        var duplicate = false
        do throws(RecordDecodingError) {
            try s.object("the record") { (s, key, _) throws(RecordDecodingError) in
                if key == "type" {
                    if type != nil { duplicate = true }
                    guard s.peek == 0x22 else { throw s.fail("") }
                    let start = s.i + 1
                    let t = try s.string()
                    type = (t, start..<(s.i - 1))
                } else if key == "ts" {
                    if ts != nil { duplicate = true }
                    guard let c = s.peek, c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39),
                        case .int(let v) = try s.number(), v >= 0
                    else {
                        throw s.fail("")
                    }
                    ts = v
                } else {
                    try s.skipValue(depth: 1)
                }
            }
            s.skipWhitespace()
            guard s.i == s.end, !duplicate, let ts, let type, !knownTypes.contains(type.0) else { return nil }
            return (type.0, type.1, ts)
        } catch {
            return nil
        }
    }
}

/// The top-level fields seen so far, before the record's type decides which are required.
private struct Fields {
    /// The fields met, by ``GeneralRecordScanner/Field`` bit: a duplicate is an error.
    var seen: UInt32 = 0
    /// Where the values of the fields that errors point at begin.
    var atTS = 0, atStart = 0, atValue = 0, atKind = 0, atStatus = 0, atState = 0
    var type: String?
    var ts: Int64?
    var schema: Int64?
    var stream: String?
    var attributes: Attributes?
    var name: String?
    var labels: [String: String]?
    var value: Double??  // .some(nil): JSON null
    var kind: String?
    var unit: String?
    var help: String?
    var traceID: TraceID?
    var spanID: SpanID?
    var parentSpanID: SpanID?
    var start: Int64?
    var end: Int64?
    var status: String?
    var statusMessage: String?
    var events: [SpanRecord.Event]?
    var links: [SpanRecord.Link]?
    var unfinished: Bool?
    var rule: String?
    var state: String?
    var severity: String?
    var threshold: Double?
    var notifier: String?
    var undelivered: String?

    mutating func read(_ key: String, keyAt: Int, _ s: inout JSONScanner) throws(RecordDecodingError) {
        var text = key
        let field = text.withUTF8 { GeneralRecordScanner.field(UnsafeRawBufferPointer($0), 0..<$0.count) }
        guard let field else { try s.skipValue(depth: 1); return }
        let bit: UInt32 = 1 << UInt32(field.rawValue)
        guard seen & bit == 0 else { throw s.fail("duplicate field '\(key)'", at: keyAt) }
        seen |= bit
        switch field {
        case .type: type = try Values.string(&s, key)
        case .ts: atTS = s.i; ts = try Values.time(&s, key)
        case .schema: schema = try Values.integer(&s, key)
        case .stream: stream = try Values.string(&s, key)
        case .attributes: attributes = try Values.attributes(&s, key)
        case .name: name = try Values.string(&s, key)
        case .labels: labels = try Values.stringMap(&s, key)
        case .value: atValue = s.i; value = try Values.optionalDouble(&s, key)
        case .kind: atKind = s.i; kind = try Values.string(&s, key)
        case .unit: unit = try Values.string(&s, key)
        case .help: help = try Values.string(&s, key)
        case .traceID: traceID = try Values.traceID(&s, key)
        case .spanID: spanID = try Values.spanID(&s, key)
        case .parentSpanID: parentSpanID = try Values.spanID(&s, key)
        case .start: atStart = s.i; start = try Values.time(&s, key)
        case .end: end = try Values.time(&s, key)
        case .status: atStatus = s.i; status = try Values.string(&s, key)
        case .statusMessage: statusMessage = try Values.string(&s, key)
        case .events: events = try Values.events(&s)
        case .links: links = try Values.links(&s)
        case .unfinished: unfinished = try Values.bool(&s, key)
        case .rule: rule = try Values.string(&s, key)
        case .state: atState = s.i; state = try Values.string(&s, key)
        case .severity: severity = try Values.string(&s, key)
        case .notifier: notifier = try Values.string(&s, key)
        case .undelivered: undelivered = try Values.string(&s, key)
        case .threshold: threshold = try Values.double(&s, key)
        }
    }

    /// Where the value of `key` began (for the fields errors point at), else the line's end.
    func at(_ key: String, _ lineEnd: Int) -> Int {
        switch key {
        case "ts": return atTS
        case "start": return atStart
        case "value": return atValue
        case "kind": return atKind
        case "status": return atStatus
        case "state": return atState
        default: return lineEnd
        }
    }

    func require<T>(_ v: T?, _ key: String, _ lineEnd: Int) throws(RecordDecodingError) -> T {
        guard let v else {
            throw RecordDecodingError(offset: lineEnd, reason: "missing field '\(key)' for a \(type ?? "record")")
        }
        return v
    }

    func enumValue<E: RawRepresentable<String>>(_ raw: String?, _ key: String, _ fallback: E?, _ lineEnd: Int)
        throws(RecordDecodingError) -> E
    where E: CaseIterable {
        guard let raw else { return try require(fallback, key, lineEnd) }
        guard let v = E(rawValue: raw) else {
            let allowed = E.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw RecordDecodingError(
                offset: at(key, lineEnd), reason: "field '\(key)' is \"\(raw)\", not one of \(allowed)")
        }
        return v
    }

    func build(lineEnd: Int) throws(RecordDecodingError) -> DecodedLine {
        let type = try require(type, "type", lineEnd)
        let ts = try require(ts, "ts", lineEnd)
        switch type {
        case "resource":
            return .record(
                .resource(
                    ResourceRecord(
                        ts: ts, schema: try require(schema, "schema", lineEnd),
                        stream: try require(stream, "stream", lineEnd), attributes: attributes ?? [:])))
        case "counter", "gauge", "histogram":
            guard case .some(.some(let v)) = value else {
                if case .some(.none) = value {
                    throw RecordDecodingError(
                        offset: atValue, reason: "field 'value' of a \(type) must be a number")
                }
                throw RecordDecodingError(offset: lineEnd, reason: "missing field 'value' for a \(type)")
            }
            return .record(
                .metric(
                    MetricRecord(
                        kind: MetricKind(rawValue: type)!, ts: ts, name: try require(name, "name", lineEnd),
                        labels: labels ?? [:], value: v)))
        case "meta":
            return .record(
                .meta(
                    MetaRecord(
                        ts: ts, name: try require(name, "name", lineEnd),
                        kind: try enumValue(kind, "kind", nil, lineEnd), unit: unit, help: help)))
        case "span":
            let start = try require(start, "start", lineEnd)
            let end = try require(end, "end", lineEnd)
            guard end == ts else {
                throw RecordDecodingError(offset: atTS, reason: "field 'ts' of a span must equal its 'end'")
            }
            guard start <= end else {
                throw RecordDecodingError(offset: atStart, reason: "a span's 'start' must not be after its 'end'")
            }
            return .record(
                .span(
                    SpanRecord(
                        traceID: try require(traceID, "trace_id", lineEnd),
                        spanID: try require(spanID, "span_id", lineEnd),
                        parentSpanID: parentSpanID, name: try require(name, "name", lineEnd),
                        kind: try enumValue(kind, "kind", SpanRecord.Kind.internal, lineEnd), start: start, end: end,
                        status: try enumValue(status, "status", SpanRecord.Status.unset, lineEnd),
                        statusMessage: statusMessage,
                        attributes: attributes ?? [:], events: events ?? [], links: links ?? [],
                        unfinished: unfinished ?? false)))
        case "alert":
            return .record(
                .alert(
                    AlertRecord(
                        ts: ts, rule: try require(rule, "rule", lineEnd),
                        state: try enumValue(state, "state", nil, lineEnd),
                        severity: try require(severity, "severity", lineEnd), labels: labels ?? [:],
                        value: value ?? nil, threshold: threshold, notifier: notifier, undelivered: undelivered)))
        default:
            return .unknown(type: type)
        }
    }
}

/// Typed field values.
private enum Values {
    static func string(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> String {
        guard s.peek == 0x22 else { throw s.fail("field '\(key)' must be a string") }
        return try s.string()
    }

    static func integer(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> Int64 {
        let at = s.i
        guard let c = s.peek, c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else {
            throw s.fail("field '\(key)' must be an integer")
        }
        guard case .int(let v) = try s.number() else {
            throw RecordDecodingError(offset: at, reason: "field '\(key)' must be an integer that fits in 64 bits")
        }
        return v
    }

    /// A time: an integer of nanoseconds since the Unix epoch, not before it. (So that no two
    /// times of a record or a log are further apart than `Int64` counts: every difference of two
    /// times fits.)
    static func time(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> Int64 {
        let at = s.i
        let v = try integer(&s, key)
        guard v >= 0 else {
            throw RecordDecodingError(
                offset: at, reason: "field '\(key)' must not be negative (nanoseconds since 1970)")
        }
        return v
    }

    /// A number, or one of the strings "NaN", "Infinity", "-Infinity".
    static func double(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> Double {
        let at = s.i
        guard let c = s.peek else { throw s.fail("line ends where field '\(key)' was expected") }
        if c == 0x22 {
            switch try s.string() {
            case "NaN": return .nan
            case "Infinity": return .infinity
            case "-Infinity": return -.infinity
            case let other:
                throw RecordDecodingError(
                    offset: at,
                    reason:
                        "field '\(key)' must be a number, or \"NaN\", \"Infinity\" or \"-Infinity\", not \"\(other)\"")
            }
        }
        guard c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else {
            throw s.fail("field '\(key)' must be a number")
        }
        return try s.number().asDouble
    }

    static func optionalDouble(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> Double? {
        if s.peek == UInt8(ascii: "n") { try s.literal("null"); return nil }
        return try double(&s, key)
    }

    static func bool(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> Bool {
        switch s.peek {
        case UInt8(ascii: "t"): try s.literal("true"); return true
        case UInt8(ascii: "f"): try s.literal("false"); return false
        default: throw s.fail("field '\(key)' must be true or false")
        }
    }

    static func hexID(_ s: inout JSONScanner, _ key: String, digits: Int) throws(RecordDecodingError) -> UInt128 {
        let at = s.i
        let text = try string(&s, key)
        guard text.utf8.count == digits else {
            throw RecordDecodingError(offset: at, reason: "field '\(key)' must be \(digits) lower-case hex digits")
        }
        var v: UInt128 = 0
        for c in text.utf8 {
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x61 + 10
            default:
                throw RecordDecodingError(offset: at, reason: "field '\(key)' must be \(digits) lower-case hex digits")
            }
            v = v << 4 | UInt128(d)
        }
        guard v != 0 else { throw RecordDecodingError(offset: at, reason: "field '\(key)' must not be all zeros") }
        return v
    }

    static func traceID(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> TraceID {
        try hexID(&s, key, digits: 32)
    }

    static func spanID(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> SpanID {
        SpanID(try hexID(&s, key, digits: 16))
    }

    static func stringMap(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> [String: String] {
        var map: [String: String] = [:]
        try s.object("field '\(key)'") { (s, k, keyAt) throws(RecordDecodingError) in
            let v = try string(&s, "\(key).\(k)")
            guard map.updateValue(v, forKey: k) == nil else {
                throw s.fail("duplicate key '\(k)' in '\(key)'", at: keyAt)
            }
        }
        return map
    }

    static func attributes(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> Attributes {
        var map: Attributes = [:]
        try s.object("field '\(key)'") { (s, k, keyAt) throws(RecordDecodingError) in
            let v = try attribute(&s, "\(key).\(k)")
            guard map.updateValue(v, forKey: k) == nil else {
                throw s.fail("duplicate key '\(k)' in '\(key)'", at: keyAt)
            }
        }
        return map
    }

    static func attribute(_ s: inout JSONScanner, _ key: String) throws(RecordDecodingError) -> AttributeValue {
        let at = s.i
        switch s.peek {
        case 0x22?: return .string(try s.string())
        case UInt8(ascii: "t")?, UInt8(ascii: "f")?: return .bool(try bool(&s, key))
        case UInt8(ascii: "[")?:
            var values: [AttributeValue] = []
            try s.array("field '\(key)'") { (s) throws(RecordDecodingError) in
                if s.peek == UInt8(ascii: "[") {
                    throw s.fail("field '\(key)': arrays of arrays are not attribute values")
                }
                values.append(try attribute(&s, key))
            }
            return try homogeneous(values, key, at)
        case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39):
            switch try s.number() {
            case .int(let v): return .int(v)
            case .double(let d): return .double(d)
            }
        default:
            throw s.fail("field '\(key)' must be a string, number, bool, or an array of one of those")
        }
    }

    static func homogeneous(_ values: [AttributeValue], _ key: String, _ at: Int) throws(RecordDecodingError)
        -> AttributeValue
    {
        func all<T>(_ pick: (AttributeValue) -> T?) -> [T]? {
            var out: [T] = []
            for v in values { guard let x = pick(v) else { return nil }; out.append(x) }
            return out
        }
        if values.isEmpty { return .stringArray([]) }
        if let xs = all({ if case .string(let s) = $0 { s } else { nil } }) { return .stringArray(xs) }
        if let xs = all({ if case .bool(let b) = $0 { b } else { nil } }) { return .boolArray(xs) }
        if let xs = all({ if case .int(let i) = $0 { i } else { nil } }) { return .intArray(xs) }
        if let xs = all({ v -> Double? in
            switch v {
            case .int(let i): Double(i);
            case .double(let d): d;
            default: nil
            }
        }) {
            return .doubleArray(xs)
        }
        throw RecordDecodingError(offset: at, reason: "field '\(key)': an attribute array holds values of one type")
    }

    static func events(_ s: inout JSONScanner) throws(RecordDecodingError) -> [SpanRecord.Event] {
        var out: [SpanRecord.Event] = []
        try s.array("field 'events'") { (s) throws(RecordDecodingError) in
            var name: String?, ts: Int64?, attrs: Attributes?
            let at = s.i
            try s.object("an event") { (s, k, _) throws(RecordDecodingError) in
                switch k {
                case "name": name = try string(&s, "events.name")
                case "ts": ts = try time(&s, "events.ts")
                case "attributes": attrs = try attributes(&s, "events.attributes")
                default: try s.skipValue(depth: 3)
                }
            }
            guard let name, let ts else {
                throw RecordDecodingError(offset: at, reason: "an event needs 'name' and 'ts'")
            }
            out.append(.init(name: name, ts: ts, attributes: attrs ?? [:]))
        }
        return out
    }

    static func links(_ s: inout JSONScanner) throws(RecordDecodingError) -> [SpanRecord.Link] {
        var out: [SpanRecord.Link] = []
        try s.array("field 'links'") { (s) throws(RecordDecodingError) in
            var trace: TraceID?, span: SpanID?, attrs: Attributes?
            let at = s.i
            try s.object("a link") { (s, k, _) throws(RecordDecodingError) in
                switch k {
                case "trace_id": trace = try traceID(&s, "links.trace_id")
                case "span_id": span = try spanID(&s, "links.span_id")
                case "attributes": attrs = try attributes(&s, "links.attributes")
                default: try s.skipValue(depth: 3)
                }
            }
            guard let trace, let span else {
                throw RecordDecodingError(offset: at, reason: "a link needs 'trace_id' and 'span_id'")
            }
            out.append(.init(traceID: trace, spanID: span, attributes: attrs ?? [:]))
        }
        return out
    }
}
