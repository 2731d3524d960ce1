extension RecordView {
    /// The writer's own layout of a metric line, checked in one pass without closures or String keys:
    /// `{"type":"<kind>","ts":<int>,"name":"<ascii>","labels":{("<ascii>":"<ascii>",?)*},"value":<number>}`.
    ///
    /// Returns `false`, leaving nothing decided, for anything else: other layouts, whitespace,
    /// escapes, non-ASCII text, labels out of the writer's byte order, non-finite values, numbers
    /// the fast steps of ``CanonicalBytes`` refuse. The caller then takes the general path, so what
    /// is accepted is exactly what ``RecordDecoder`` accepts.
    static func scanCanonicalMetric(_ line: UnsafeRawBufferPointer, into view: inout RecordView) -> Bool {
        guard var c = CanonicalBytes(line) else { return false }

        let kind: Kind
        if c.match(#"{"type":"counter","ts":"#) {
            kind = .counter
        } else if c.match(#"{"type":"histogram","ts":"#) {
            kind = .histogram
        } else if c.match(#"{"type":"gauge","ts":"#) {
            kind = .gauge
        } else {
            return false
        }

        guard let ts = c.integer(), ts >= 0,
            c.match(#","name":""#), let name = c.plainString(), c.match(#","labels":{"#)
        else { return false }
        let labelsStart = c.i - 1
        guard c.membersInKeyOrder({ c in c.take(0x22) && c.plainString() != nil }) else { return false }
        let labels = labelsStart..<c.i
        guard c.match(#","value":"#), let value = c.decimal(), c.take(UInt8(ascii: "}")), c.i == c.n else {
            return false
        }

        view = RecordView()
        view.kind = kind
        view.type = 9..<(9 + (kind == .counter ? 7 : kind == .gauge ? 5 : 9))
        view.ts = ts
        view.name = name
        view.labels = labels
        view.value = value
        return true
    }
}

extension RecordView {
    /// The writer's own layout of a span line with plain attributes (strings, numbers, bools) and
    /// no events or links. Same contract as ``scanCanonicalMetric(_:into:)``: `false` decides nothing.
    static func scanCanonicalSpan(_ line: UnsafeRawBufferPointer, into view: inout RecordView) -> Bool {
        guard var c = CanonicalBytes(line) else { return false }

        guard c.match(#"{"type":"span","ts":"#), let ts = c.integer(), ts >= 0,
            c.match(#","trace_id":""#), let trace = c.hexID(words: 4),
            c.match(#","span_id":""#), let span = c.hexID(words: 2)
        else { return false }
        var parent: SpanID?
        if c.match(#","parent_span_id":""#) {
            guard let p = c.hexID(words: 2) else { return false }
            parent = SpanID(p)
        }
        guard c.match(#","name":""#), let name = c.plainString(),
            c.match(#","kind":""#),
            c.match(#"internal""#) || c.match(#"client""#) || c.match(#"server""#) || c.match(#"producer""#)
                || c.match(#"consumer""#),
            c.match(#","start":"#), let start = c.integer(), start >= 0,
            c.match(#","end":"#), let end = c.integer(), end == ts, start <= end,
            c.match(#","status":""#)
        else { return false }
        let status: SpanRecord.Status
        if c.match(#"ok""#) {
            status = .ok
        } else if c.match(#"error""#) {
            status = .error
        } else if c.match(#"unset""#) {
            status = .unset
        } else {
            return false
        }
        if c.match(#","status_message":""#) { guard c.plainString() != nil else { return false } }
        guard c.match(#","attributes":{"#) else { return false }
        let plainValue = { (c: inout CanonicalBytes) -> Bool in
            switch c.peek {
            case 0x22?: c.i += 1; return c.plainString() != nil
            case UInt8(ascii: "t")?: return c.match("true")
            case UInt8(ascii: "f")?: return c.match("false")
            case let d? where d == UInt8(ascii: "-") || CanonicalBytes.isDigit(d): return c.decimal() != nil
            default: return false
            }
        }
        guard c.membersInKeyOrder(plainValue) else { return false }
        let unfinished = c.match(#","unfinished":true"#)
        guard c.take(UInt8(ascii: "}")), c.i == c.n else { return false }

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
        view.status = status
        view.unfinished = unfinished
        return true
    }
}

extension CanonicalBytes {
    /// The members of an object whose opening brace is already read, through its closing one:
    /// `"key":` and a value that `value` reads, keys plain and in strictly ascending byte order,
    /// as the writers sort them. That order rules out duplicate keys without remembering them;
    /// any other order (and so any duplicate) is the general path's to judge.
    @inline(__always)
    mutating func membersInKeyOrder(_ value: (inout CanonicalBytes) -> Bool) -> Bool {
        if take(UInt8(ascii: "}")) { return true }
        var previous: Range<Int>?
        while true {
            guard take(0x22), let key = plainString(), take(UInt8(ascii: ":")), value(&self) else { return false }
            if let p = previous, !ascending(p, key) { return false }
            previous = key
            if take(UInt8(ascii: "}")) { return true }
            guard take(UInt8(ascii: ",")) else { return false }
        }
    }
}
