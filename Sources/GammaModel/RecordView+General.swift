#if canImport(Glibc)
import Glibc
#endif

/// The general path of ``RecordView``: any key order, whitespace, escapes, unsorted map keys,
/// events, links and unknown fields, read in one pass without building a string, a map or an
/// array. It judges exactly the rules of ``RecordDecoder`` (fields, types, duplicates, the checks
/// of each record type) and fills the view.
///
/// It answers "valid" only when it is sure. Anything it does not settle itself (a rule broken,
/// an escaped key or enum value, a map of more than ``maxMapKeys`` keys, a type it does not know)
/// goes to the decoder, whose verdict stands and whose error names the place: so it accepts and
/// rejects exactly what the decoder does (tested side by side, and by the records fuzz target).
struct GeneralRecordScanner {
    /// A settled "no", or "not settled here": the decoder decides.
    struct Undecided: Error {}

    static let maxMapKeys = 64

    /// The top-level fields of schema v1, by their bit in `seen`.
    enum Field: Int {
        case type, ts, schema, stream, attributes, name, labels, value, kind, unit, help
        case traceID, spanID, parentSpanID, start, end, status, statusMessage, events, links, unfinished
        case rule, state, severity, threshold, notifier, undelivered
    }

    /// A string's text: its bytes in the line, or, when it holds escapes, decoded (rare: no
    /// writer escapes letters, but JSON allows it, and the decoder reads `"\u006Bk"` as `"ok"`).
    enum Text {
        case raw(Range<Int>)
        case decoded([UInt8])
    }

    var s: JSONScanner
    let line: UnsafeRawBufferPointer
    var seen: UInt32 = 0
    var kindText: Text?
    var statusText: Text?
    var stateText: Text?
    var valueIsNull = false
    var schemaSeen = false

    init(_ line: UnsafeRawBufferPointer) {
        self.line = line
        s = JSONScanner(line)
    }

    /// Reads `line` into `view`, or throws `Undecided` for the decoder to judge.
    static func scan(_ line: UnsafeRawBufferPointer, into view: inout RecordView) throws(Undecided) {
        var g = GeneralRecordScanner(line)
        view = RecordView()
        do throws(RecordDecodingError) {
            try g.record(&view)
        } catch {
            throw Undecided()
        }
        try g.check(&view)
    }

    func has(_ f: Field) -> Bool { seen & (1 << UInt32(f.rawValue)) != 0 }

    // MARK: - The record object

    mutating func record(_ view: inout RecordView) throws(RecordDecodingError) {
        if try !enter(UInt8(ascii: "{"), UInt8(ascii: "}")) {
            repeat {
                let (key, escaped, keyAt) = try self.key()
                // "t\u0079pe" is "type": an escaped key is compared by its decoded text.
                if let field = escaped ? Self.field(decodedStringAt: keyAt, line) : Self.field(line, key) {
                    let bit: UInt32 = 1 << UInt32(field.rawValue)
                    guard seen & bit == 0 else { throw Self.no }
                    seen |= bit
                    try value(of: field, &view)
                } else {
                    try s.skipValue(depth: 1)
                }
            } while try !closes(UInt8(ascii: "}"))
        }
        s.skipWhitespace()
        guard s.i == s.end else { throw Self.no }
    }

    static let no = RecordDecodingError(offset: 0, reason: "")

    mutating func value(of field: Field, _ view: inout RecordView) throws(RecordDecodingError) {
        switch field {
        case .type:
            let at = s.i
            let (r, escaped) = try string()
            view.type = r
            view.kind = escaped ? RecordView.kind(decodedStringAt: at, line) : RecordView.kind(line, r)
        case .ts: view.ts = try time()
        case .schema: _ = try integer()
        case .stream, .unit, .help, .statusMessage, .rule, .severity, .notifier, .undelivered: _ = try string()
        case .attributes: try attributes()
        case .name:
            let (r, escaped) = try string()
            view.name = r
            view.nameEscaped = escaped
        case .labels:
            let at = s.i
            try stringMap()
            view.labels = at..<s.i
        case .value:
            if s.peek == UInt8(ascii: "n") {
                try s.literal("null")
                valueIsNull = true
            } else {
                view.value = try double()
            }
        case .kind: kindText = try text()
        case .status: statusText = try text()
        case .state: stateText = try text()
        case .traceID: view.traceID = try hexID(digits: 32)
        case .spanID: view.spanID = SpanID(try hexID(digits: 16))
        case .parentSpanID: view.parentSpanID = SpanID(try hexID(digits: 16))
        case .start: view.start = try time()
        case .end: view.end = try time()
        case .events: try events()
        case .links: try links()
        case .unfinished: view.unfinished = try bool()
        case .threshold: _ = try double()
        }
    }

    /// The checks of the record's type, once every field is read.
    mutating func check(_ view: inout RecordView) throws(Undecided) {
        guard has(.type), has(.ts) else { throw Undecided() }
        switch view.kind {
        case .resource:
            guard has(.schema), has(.stream) else { throw Undecided() }
        case .counter, .gauge, .histogram:
            guard has(.name), has(.value), !valueIsNull else { throw Undecided() }
        case .meta:
            guard has(.name), let k = kindText, isOne(k, of: Self.metricKinds) else {
                throw Undecided()
            }
        case .span:
            guard let start = view.start, let end = view.end, end == view.ts, start <= end,
                view.traceID != nil, view.spanID != nil, has(.name)
            else { throw Undecided() }
            if let k = kindText, !isOne(k, of: Self.spanKinds) { throw Undecided() }
            if let t = statusText {
                switch index(t, in: Self.spanStatuses) {
                case 0?: view.status = .unset
                case 1?: view.status = .ok
                case 2?: view.status = .error
                default: throw Undecided()
                }
            }
        case .alert:
            guard has(.rule), has(.severity), let st = stateText,
                isOne(st, of: Self.alertStates)
            else { throw Undecided() }
        case .unknown:
            throw Undecided()  // not a type of schema v1: the decoder's one rule for those
        }
        // A span's fields belong to spans: a metric line keeps the view of a metric.
        if view.kind != .span {
            view.start = nil; view.end = nil; view.traceID = nil; view.spanID = nil; view.parentSpanID = nil
            view.unfinished = false
        }
        if !(view.kind == .counter || view.kind == .gauge || view.kind == .histogram || view.kind == .alert) {
            view.value = nil
        }
    }

    /// Whether `text` is one of `names` (the raw values of an enum of ``Records``; a test holds
    /// the lists to the enums).
    func isOne(_ text: Text, of names: [StaticString]) -> Bool { index(text, in: names) != nil }

    func index(_ text: Text, in names: [StaticString]) -> Int? {
        func find(_ t: UnsafeRawBufferPointer) -> Int? {
            for (i, n) in names.enumerated() where n.utf8CodeUnitCount == t.count {
                if t.isEmpty || memcmp(t.baseAddress!, n.utf8Start, t.count) == 0 { return i }
            }
            return nil
        }
        switch text {
        case .raw(let r): return find(UnsafeRawBufferPointer(rebasing: line[r]))
        case .decoded(let bytes): return bytes.withUnsafeBytes { find($0) }
        }
    }

    static let spanStatuses: [StaticString] = ["unset", "ok", "error"]

    static let metricKinds: [StaticString] = ["counter", "gauge", "histogram"]
    static let spanKinds: [StaticString] = ["internal", "server", "client", "producer", "consumer"]
    static let alertStates: [StaticString] = ["inactive", "pending", "firing", "resolved"]

    // MARK: - Values, as the decoder's `Values` judges them

    mutating func string() throws(RecordDecodingError) -> (Range<Int>, Bool) {
        guard s.peek == 0x22 else { throw Self.no }
        return try s.skipString()
    }

    /// A string whose text matters (enum values, ids, "NaN"): decoded when it holds escapes.
    mutating func text() throws(RecordDecodingError) -> Text {
        var copy = s
        let (r, escaped) = try string()
        guard escaped else { return .raw(r) }
        return .decoded(Array(try copy.string().utf8))
    }

    func withBytes<R>(_ text: Text, _ body: (UnsafeRawBufferPointer) throws(RecordDecodingError) -> R)
        throws(RecordDecodingError) -> R
    {
        switch text {
        case .raw(let r): return try body(UnsafeRawBufferPointer(rebasing: line[r]))
        case .decoded(let bytes):
            let result = bytes.withUnsafeBytes { b in
                Result { () throws(RecordDecodingError) -> R in try body(b) }
            }
            return try result.get()
        }
    }

    mutating func integer() throws(RecordDecodingError) -> Int64 {
        guard let c = s.peek, c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39),
            case .int(let v) = try s.number()
        else { throw Self.no }
        return v
    }

    mutating func time() throws(RecordDecodingError) -> Int64 {
        let v = try integer()
        guard v >= 0 else { throw Self.no }
        return v
    }

    mutating func double() throws(RecordDecodingError) -> Double {
        guard let c = s.peek else { throw Self.no }
        if c == 0x22 {
            return try withBytes(try text()) { (t) throws(RecordDecodingError) -> Double in
                if t.elementsEqual("NaN".utf8) { return .nan }
                if t.elementsEqual("Infinity".utf8) { return .infinity }
                if t.elementsEqual("-Infinity".utf8) { return -.infinity }
                throw Self.no
            }
        }
        guard c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else { throw Self.no }
        return try s.number().asDouble
    }

    mutating func bool() throws(RecordDecodingError) -> Bool {
        switch s.peek {
        case UInt8(ascii: "t"): try s.literal("true"); return true
        case UInt8(ascii: "f"): try s.literal("false"); return false
        default: throw Self.no
        }
    }

    mutating func hexID(digits: Int) throws(RecordDecodingError) -> UInt128 {
        try withBytes(try text()) { (t) throws(RecordDecodingError) -> UInt128 in
            guard t.count == digits else { throw Self.no }
            var v: UInt128 = 0
            for c in t {
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x61...0x66: d = c - 0x61 + 10
                default: throw Self.no
                }
                v = v << 4 | UInt128(d)
            }
            guard v != 0 else { throw Self.no }
            return v
        }
    }

    /// The members of an object at `{`, each key checked against the ones before it: by its bytes
    /// in the line, or, in a map with an escaped key, by the keys' decoded text; `value` reads
    /// each. More than ``maxMapKeys`` keys are the decoder's to judge.
    mutating func map(_ value: (inout GeneralRecordScanner) throws(RecordDecodingError) -> Void)
        throws(RecordDecodingError)
    {
        if try enter(UInt8(ascii: "{"), UInt8(ascii: "}")) { return }
        try withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: Self.maxMapKeys) {
            (keys) throws(RecordDecodingError) in
            var count = 0
            var anyEscaped = false
            repeat {
                let (key, escaped, _) = try self.key()
                guard count < Self.maxMapKeys else { throw Self.no }
                anyEscaped = anyEscaped || escaped
                if !anyEscaped {
                    let k = UnsafeRawBufferPointer(rebasing: line[key])
                    for j in 0..<count where keys[j].count == key.count {
                        if UnsafeRawBufferPointer(rebasing: line[keys[j]]).elementsEqual(k) { throw Self.no }
                    }
                }
                keys[count] = key
                count += 1
                try value(&self)
            } while try !closes(UInt8(ascii: "}"))
            if anyEscaped {
                var texts = Set<String>()
                for j in 0..<count {
                    var k = JSONScanner(line)
                    k.i = keys[j].lowerBound - 1
                    guard texts.insert(try k.string()).inserted else { throw Self.no }
                }
            }
        }
    }

    /// An object whose keys are not checked for duplicates (an event or a link: the decoder
    /// lets a later key win); `value` reads each, given which key of an event or a link it is.
    mutating func members(_ value: (inout GeneralRecordScanner, MemberKey) throws(RecordDecodingError) -> Void)
        throws(RecordDecodingError)
    {
        if try enter(UInt8(ascii: "{"), UInt8(ascii: "}")) { return }
        repeat {
            let (key, escaped, keyAt) = try self.key()
            if escaped {
                var k = s
                k.i = keyAt
                let text = Array(try k.string().utf8)
                try value(&self, text.withUnsafeBytes { Self.memberField($0, 0..<$0.count) })
            } else {
                try value(&self, Self.memberField(line, key))
            }
        } while try !closes(UInt8(ascii: "}"))
    }

    mutating func elements(_ body: (inout GeneralRecordScanner) throws(RecordDecodingError) -> Void)
        throws(RecordDecodingError)
    {
        if try enter(UInt8(ascii: "["), UInt8(ascii: "]")) { return }
        repeat {
            s.skipWhitespace()
            try body(&self)
        } while try !closes(UInt8(ascii: "]"))
    }

    /// Moves past `open` (after any whitespace); `true` when the container is empty (its
    /// `close` read too).
    mutating func enter(_ open: UInt8, _ close: UInt8) throws(RecordDecodingError) -> Bool {
        s.skipWhitespace()
        guard s.peek == open else { throw Self.no }
        s.i += 1
        s.skipWhitespace()
        guard s.peek == close else { return false }
        s.i += 1
        return true
    }

    /// A member's key and its `:`: the key's range in the line (escapes in place), whether it
    /// holds escapes, and where its quote is.
    mutating func key() throws(RecordDecodingError) -> (range: Range<Int>, escaped: Bool, at: Int) {
        s.skipWhitespace()
        let at = s.i
        let (range, escaped) = try s.skipString()
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: ":") else { throw Self.no }
        s.i += 1
        s.skipWhitespace()
        return (range, escaped, at)
    }

    /// After a member or an element: `true` at the container's `close`, `false` after a comma.
    mutating func closes(_ close: UInt8) throws(RecordDecodingError) -> Bool {
        s.skipWhitespace()
        guard let c = s.peek else { throw Self.no }
        s.i += 1
        if c == close { return true }
        guard c == 0x2C else { throw Self.no }
        return false
    }

    /// A map of strings (labels), read without a closure per member: the metric lines' hot path.
    mutating func stringMap() throws(RecordDecodingError) {
        s.skipWhitespace()
        let start = s.i
        if try enter(UInt8(ascii: "{"), UInt8(ascii: "}")) { return }
        var keys: (Range<Int>, Range<Int>, Range<Int>) = (0..<0, 0..<0, 0..<0)
        var count = 0
        repeat {
            let (key, escaped, _) = try self.key()
            // Up to four plain keys are checked here; a longer or escaped map is read again by
            // the general way.
            guard !escaped, count < 4 else {
                s.i = start
                try map { (g) throws(RecordDecodingError) in _ = try g.string() }
                return
            }
            let k = UnsafeRawBufferPointer(rebasing: line[key])
            func same(_ other: Range<Int>) -> Bool {
                other.count == key.count && UnsafeRawBufferPointer(rebasing: line[other]).elementsEqual(k)
            }
            if (count > 0 && same(keys.0)) || (count > 1 && same(keys.1)) || (count > 2 && same(keys.2)) {
                throw Self.no
            }
            switch count {
            case 0: keys.0 = key
            case 1: keys.1 = key
            case 2: keys.2 = key
            default: break  // the fourth key is compared, not kept: a fifth goes the general way
            }
            count += 1
            _ = try s.skipString()
        } while try !closes(UInt8(ascii: "}"))
    }

    mutating func attributes() throws(RecordDecodingError) {
        try map { (g) throws(RecordDecodingError) in try g.attribute() }
    }

    /// A string, number or bool, or an array of one of those (ints and doubles mixed are doubles).
    mutating func attribute() throws(RecordDecodingError) {
        switch s.peek {
        case 0x22?: _ = try s.skipString()
        case UInt8(ascii: "t")?, UInt8(ascii: "f")?: _ = try bool()
        case UInt8(ascii: "[")?:
            var kinds: UInt8 = 0  // 1 string, 2 bool, 4 number
            try elements { (g) throws(RecordDecodingError) in
                switch g.s.peek {
                case 0x22?: _ = try g.s.skipString(); kinds |= 1
                case UInt8(ascii: "t")?, UInt8(ascii: "f")?: _ = try g.bool(); kinds |= 2
                case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39): _ = try g.s.number(); kinds |= 4
                default: throw Self.no
                }
            }
            guard kinds == 0 || kinds == 1 || kinds == 2 || kinds == 4 else { throw Self.no }
        case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39): _ = try s.number()
        default: throw Self.no
        }
    }

    mutating func events() throws(RecordDecodingError) {
        try elements { (g) throws(RecordDecodingError) in
            var name = false, ts = false
            try g.members { (g, key) throws(RecordDecodingError) in
                switch key {
                case .name: _ = try g.string(); name = true
                case .ts: _ = try g.time(); ts = true
                case .attributes: try g.attributes()
                default: try g.s.skipValue(depth: 3)
                }
            }
            guard name, ts else { throw Self.no }
        }
    }

    mutating func links() throws(RecordDecodingError) {
        try elements { (g) throws(RecordDecodingError) in
            var trace = false, span = false
            try g.members { (g, key) throws(RecordDecodingError) in
                switch key {
                case .traceID: _ = try g.hexID(digits: 32); trace = true
                case .spanID: _ = try g.hexID(digits: 16); span = true
                case .attributes: try g.attributes()
                default: try g.s.skipValue(depth: 3)
                }
            }
            guard trace, span else { throw Self.no }
        }
    }

    // MARK: - Keys

    static func field(_ line: UnsafeRawBufferPointer, _ r: Range<Int>) -> Field? {
        let k = UnsafeRawBufferPointer(rebasing: line[r])
        @inline(__always) func eq(_ s: StaticString) -> Bool {
            s.utf8CodeUnitCount == k.count && memcmp(k.baseAddress!, s.utf8Start, k.count) == 0
        }
        guard !k.isEmpty else { return nil }
        switch k.count {
        case 2: return eq("ts") ? .ts : nil
        case 3: return eq("end") ? .end : nil
        case 4:
            if eq("type") { return .type }
            if eq("name") { return .name }
            if eq("kind") { return .kind }
            if eq("unit") { return .unit }
            if eq("help") { return .help }
            if eq("rule") { return .rule }
            return nil
        case 5:
            if eq("value") { return .value }
            if eq("start") { return .start }
            if eq("links") { return .links }
            if eq("state") { return .state }
            return nil
        case 6:
            if eq("labels") { return .labels }
            if eq("schema") { return .schema }
            if eq("stream") { return .stream }
            if eq("status") { return .status }
            if eq("events") { return .events }
            return nil
        case 7: return eq("span_id") ? .spanID : nil
        case 8:
            if eq("trace_id") { return .traceID }
            if eq("severity") { return .severity }
            if eq("notifier") { return .notifier }
            return nil
        case 9: return eq("threshold") ? .threshold : nil
        case 10:
            if eq("attributes") { return .attributes }
            if eq("unfinished") { return .unfinished }
            return nil
        case 11: return eq("undelivered") ? .undelivered : nil
        case 14:
            if eq("parent_span_id") { return .parentSpanID }
            if eq("status_message") { return .statusMessage }
            return nil
        default: return nil
        }
    }

    /// The keys of an event or a link.
    enum MemberKey { case name, ts, attributes, traceID, spanID, other }

    static func memberField(_ line: UnsafeRawBufferPointer, _ r: Range<Int>) -> MemberKey {
        let k = UnsafeRawBufferPointer(rebasing: line[r])
        if k.elementsEqual("name".utf8) { return .name }
        if k.elementsEqual("ts".utf8) { return .ts }
        if k.elementsEqual("attributes".utf8) { return .attributes }
        if k.elementsEqual("trace_id".utf8) { return .traceID }
        if k.elementsEqual("span_id".utf8) { return .spanID }
        return .other
    }

    /// The field of an escaped key (`"t\u0079pe"` is `type`).
    static func field(decodedStringAt at: Int, _ line: UnsafeRawBufferPointer) -> Field? {
        var s = JSONScanner(line)
        s.i = at
        guard let text = try? s.string() else { return nil }
        return Array(text.utf8).withUnsafeBytes { field($0, 0..<$0.count) }
    }
}
