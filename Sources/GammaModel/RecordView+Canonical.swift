#if canImport(Glibc)
import Glibc
#endif

extension RecordView {
    /// The writer's own layout of a metric line, checked in one pass without closures or String keys:
    /// `{"type":"<kind>","ts":<int>,"name":"<ascii>","labels":{("<ascii>":"<ascii>",?)*},"value":<number>}`.
    ///
    /// Returns `false`, leaving nothing decided, for anything else: other layouts, whitespace,
    /// escapes, non-ASCII text, more than 16 labels, non-finite values. The caller then takes the
    /// general path, so what is accepted is exactly what ``RecordDecoder`` accepts.
    static func scanCanonicalMetric(_ line: UnsafeRawBufferPointer, into view: inout RecordView) -> Bool {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        let n = line.count
        var i = 0

        @inline(__always) func match(_ literal: StaticString) -> Bool { CanonicalBytes.match(literal, base, n, &i) }
        @inline(__always) func plainString() -> Range<Int>? { CanonicalBytes.plainString(base, n, &i) }

        let kind: Kind
        if match(#"{"type":"counter","ts":"#) { kind = .counter }
        else if match(#"{"type":"histogram","ts":"#) { kind = .histogram }
        else if match(#"{"type":"gauge","ts":"#) { kind = .gauge }
        else { return false }

        var s = JSONScanner(line)
        s.i = i
        guard i < n, base[i] == UInt8(ascii: "-") || (base[i] >= 0x30 && base[i] <= 0x39),
              case .int(let ts)? = try? s.number() else { return false }
        i = s.i
        guard match(#","name":""#), let name = plainString(), match(#","labels":{"#) else { return false }

        let labelsStart = i - 1
        var keys: [Range<Int>] = []
        if i < n && base[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard match("\""), let key = plainString(), match(":\""), plainString() != nil else { return false }
                for k in keys where k.count == key.count && memcmp(base + k.lowerBound, base + key.lowerBound, k.count) == 0 {
                    return false  // a duplicate label: the general path reports it
                }
                keys.append(key)
                guard keys.count <= 16, i < n else { return false }
                if base[i] == UInt8(ascii: "}") { i += 1; break }
                guard base[i] == 0x2C else { return false }
                i += 1
            }
        }
        let labels = labelsStart..<i
        guard match(#","value":"#), i < n, base[i] == UInt8(ascii: "-") || (base[i] >= 0x30 && base[i] <= 0x39) else { return false }
        s.i = i
        guard let number = try? s.number() else { return false }
        i = s.i
        guard i + 1 == n, base[i] == UInt8(ascii: "}") else { return false }

        view = RecordView()
        view.kind = kind
        view.type = 9..<(9 + (kind == .counter ? 7 : kind == .gauge ? 5 : 9))
        view.ts = ts
        view.name = name
        view.labels = labels
        view.value = number.asDouble
        return true
    }
}

extension RecordView {
    /// The writer's own layout of a span line with plain attributes (strings, numbers, bools) and
    /// no events or links. Same contract as ``scanCanonicalMetric(_:into:)``: `false` decides nothing.
    static func scanCanonicalSpan(_ line: UnsafeRawBufferPointer, into view: inout RecordView) -> Bool {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        let n = line.count
        var i = 0
        var s = JSONScanner(line)

        @inline(__always) func match(_ literal: StaticString) -> Bool { CanonicalBytes.match(literal, base, n, &i) }
        @inline(__always) func plainString() -> Range<Int>? { CanonicalBytes.plainString(base, n, &i) }
        @inline(__always) func integer() -> Int64? {
            guard i < n, base[i] == UInt8(ascii: "-") || (base[i] >= 0x30 && base[i] <= 0x39) else { return nil }
            s.i = i
            guard case .int(let v)? = try? s.number() else { return nil }
            i = s.i
            return v
        }
        /// Lower-case hex of exactly `digits` digits, not all zero, then the closing quote.
        @inline(__always) func hex(_ digits: Int) -> UInt128? {
            guard i + digits < n else { return nil }
            var v: UInt128 = 0
            for k in 0..<digits {
                let c = base[i + k]
                let d: UInt8
                if c >= 0x30 && c <= 0x39 { d = c - 0x30 } else if c >= 0x61 && c <= 0x66 { d = c - 0x57 } else { return nil }
                v = v << 4 | UInt128(d)
            }
            i += digits
            guard base[i] == 0x22, v != 0 else { return nil }
            i += 1
            return v
        }
        @inline(__always) func oneOf(_ words: [StaticString]) -> Int? {
            for (k, w) in words.enumerated() where match(w) { return k }
            return nil
        }

        guard match(#"{"type":"span","ts":"#), let ts = integer(),
              match(#","trace_id":""#), let trace = hex(32),
              match(#","span_id":""#), let span = hex(16) else { return false }
        var parent: SpanID?
        if match(#","parent_span_id":""#) {
            guard let p = hex(16) else { return false }
            parent = SpanID(p)
        }
        guard match(#","name":""#), let name = plainString(),
              match(#","kind":""#), oneOf([#"internal""#, #"server""#, #"client""#, #"producer""#, #"consumer""#]) != nil,
              match(#","start":"#), let start = integer(),
              match(#","end":"#), let end = integer(), end == ts,
              match(#","status":""#), let status = oneOf([#"unset""#, #"ok""#, #"error""#]) else { return false }
        if match(#","status_message":""#) { guard plainString() != nil else { return false } }
        guard match(#","attributes":{"#) else { return false }
        var keys: [Range<Int>] = []
        if i < n && base[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard match("\""), let key = plainString(), match(":"), i < n else { return false }
                for k in keys where k.count == key.count && memcmp(base + k.lowerBound, base + key.lowerBound, k.count) == 0 { return false }
                keys.append(key)
                let c = base[i]
                if c == 0x22 {
                    i += 1
                    guard plainString() != nil else { return false }
                } else if c == UInt8(ascii: "t") {
                    guard match("true") else { return false }
                } else if c == UInt8(ascii: "f") {
                    guard match("false") else { return false }
                } else if c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) {
                    s.i = i
                    guard (try? s.number()) != nil else { return false }
                    i = s.i
                } else {
                    return false
                }
                guard keys.count <= 64, i < n else { return false }
                if base[i] == UInt8(ascii: "}") { i += 1; break }
                guard base[i] == 0x2C else { return false }
                i += 1
            }
        }
        var unfinished = false
        if match(#","unfinished":true"#) { unfinished = true }
        guard i + 1 == n, base[i] == UInt8(ascii: "}") else { return false }

        view = RecordView()
        view.kind = .span
        view.type = 9..<13
        view.ts = ts
        view.name = name
        view.traceID = trace
        view.spanID = SpanID(span)
        view.parentSpanID = parent
        view.start = start
        view.end = end
        view.status = [SpanRecord.Status.unset, .ok, .error][status]
        view.unfinished = unfinished
        return true
    }
}

/// The byte steps both canonical scanners take.
enum CanonicalBytes {
    /// Whether `literal` stands at `i`; if so, moves past it.
    @inline(__always)
    static func match(_ literal: StaticString, _ base: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= n, memcmp(base + i, literal.utf8Start, count) == 0 else { return false }
        i += count
        return true
    }

    /// A string of printable ASCII without `"` or `\`, from after its opening quote through its
    /// closing one: its content range, or `nil` (anything else is the general path's to judge).
    @inline(__always)
    static func plainString(_ base: UnsafePointer<UInt8>, _ n: Int, _ i: inout Int) -> Range<Int>? {
        let start = i
        while i < n {
            let c = base[i]
            if c == 0x22 { i += 1; return start..<(i - 1) }
            if c < 0x20 || c == 0x5C || c >= 0x80 { return nil }
            i += 1
        }
        return nil
    }
}
