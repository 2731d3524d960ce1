#if canImport(Glibc)
import Glibc
#endif

/// A record read in place: the line is validated exactly as ``RecordDecoder`` validates it, but
/// strings and maps are left as byte ranges into the line instead of being built. This is what
/// replay uses on its hot path (no allocation per record); ``RecordDecoder`` builds full records.
///
/// Ranges index the line given to ``scan(_:into:)``; a string range is the content between the
/// quotes with escapes still in place (``nameEscaped`` says whether there are any).
public struct RecordView {
    public enum Kind: UInt8, Sendable { case resource, counter, gauge, histogram, meta, span, alert, unknown }

    public var kind: Kind = .unknown
    /// The `type` string's range (for unknown types).
    public var type: Range<Int> = 0..<0
    public var ts: Int64 = 0
    public var name: Range<Int>?
    public var nameEscaped = false
    /// The `labels` object, braces included.
    public var labels: Range<Int>?
    /// The value; `nil` for JSON null or absent.
    public var value: Double?
    public var start: Int64?
    public var end: Int64?
    public var traceID: TraceID?
    public var spanID: SpanID?
    public var parentSpanID: SpanID?
    /// `status` of a span: "unset", "ok" or "error" (unset when absent).
    public var status: SpanRecord.Status = .unset
    public var unfinished = false

    public init() {}

    /// Validates `line` and fills `view` with its fields.
    /// - Throws: ``RecordDecodingError`` for exactly the lines ``RecordDecoder`` rejects (tested side by side).
    public static func scan(_ line: UnsafeRawBufferPointer, into view: inout RecordView) throws(RecordDecodingError) {
        do throws(RecordDecodingError) {
            try scanGeneral(line, into: &view)
        } catch {
            // The decoder's one rule for unknown types: only JSON, one string type, one integer ts.
            guard let unknown = RecordDecoder.unknownType(line) else { throw error }
            view = RecordView()
            view.kind = .unknown
            view.type = unknown.range
            view.ts = unknown.ts
        }
    }

    static let typeFirst: StaticString = #"{"type":""#

    static func scanGeneral(_ line: UnsafeRawBufferPointer, into view: inout RecordView) throws(RecordDecodingError) {
        guard line.count <= RecordDecoder.maxLineBytes else {
            throw RecordDecodingError(
                offset: RecordDecoder.maxLineBytes, reason: "line longer than \(RecordDecoder.maxLineBytes) bytes")
        }
        // Both of the writer's own layouts start so; a line that does not goes straight on.
        if line.count > 9, memcmp(line.baseAddress!, Self.typeFirst.utf8Start, 9) == 0,
            scanCanonicalMetric(line, into: &view) || scanCanonicalSpan(line, into: &view)
        {
            return
        }
        // The general path: any key order, whitespace and field, judged in one pass without
        // allocating. What it leaves undecided (an invalid line, escaped keys, a type outside
        // schema v1) is read with the decoder's help below, whose verdict and error stand.
        do throws(GeneralRecordScanner.Undecided) {
            try GeneralRecordScanner.scan(line, into: &view)
            return
        } catch {}
        do throws(RecordDecodingError) {
            try scanWithDecoder(line, into: &view)
        } catch {
            _ = try RecordDecoder.decode(line)  // its error names the place, whichever check comes first
            throw error
        }
    }

    /// The slow and sure path: the fields the view holds found by a scan with decoded keys, and
    /// the line judged by ``RecordDecoder``.
    static func scanWithDecoder(_ line: UnsafeRawBufferPointer, into view: inout RecordView) throws(RecordDecodingError)
    {
        view = RecordView()
        var s = JSONScanner(line)
        s.skipWhitespace()
        guard s.peek == UInt8(ascii: "{") else {
            throw s.fail(
                s.peek == nil
                    ? "empty line: a record is a JSON object"
                    : "a record is a JSON object, found \(s.describe(s.peek!))")
        }
        var seen: UInt32 = 0
        var needsFullCheck = false
        var sawType = false, sawTS = false, sawValue = false
        try s.object("the record") { (s, key, keyAt) throws(RecordDecodingError) in
            let bit: UInt32
            switch key {
            case "type": bit = 1
            case "ts": bit = 2
            case "name": bit = 4
            case "labels": bit = 8
            case "value": bit = 16
            default: bit = 0
            }
            if bit != 0 {
                guard seen & bit == 0 else { throw s.fail("duplicate field '\(key)'", at: keyAt) }
                seen |= bit
            }
            switch key {
            case "type":
                guard s.peek == 0x22 else { throw s.fail("field 'type' must be a string") }
                let at = s.i
                let (r, escaped) = try s.skipString()
                view.type = r
                view.kind = escaped ? Self.kind(decodedStringAt: at, line) : Self.kind(line, r)
                sawType = true
            case "ts":
                let at = s.i
                guard let c = s.peek, c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39) else {
                    throw s.fail("field 'ts' must be an integer")
                }
                guard case .int(let v) = try s.number() else {
                    throw RecordDecodingError(offset: at, reason: "field 'ts' must be an integer that fits in 64 bits")
                }
                guard v >= 0 else {
                    throw RecordDecodingError(
                        offset: at, reason: "field 'ts' must not be negative (nanoseconds since 1970)")
                }
                view.ts = v
                sawTS = true
            case "name":
                guard s.peek == 0x22 else { throw s.fail("field 'name' must be a string") }
                let (r, e) = try s.skipString()
                view.name = r
                view.nameEscaped = e
            case "labels":
                let at = s.i
                var keys = Set<String>()
                try s.object("field 'labels'") { (s, k, keyAt) throws(RecordDecodingError) in
                    guard s.peek == 0x22 else { throw s.fail("field 'labels.\(k)' must be a string") }
                    _ = try s.skipString()
                    guard keys.insert(k).inserted else { throw s.fail("duplicate key '\(k)' in 'labels'", at: keyAt) }
                }
                view.labels = at..<s.i
            case "value":
                sawValue = true
                let at = s.i
                switch s.peek {
                case UInt8(ascii: "n")?: try s.literal("null")
                case 0x22?:
                    var unescaped = s
                    let (r, escaped) = try s.skipString()
                    let text =
                        escaped
                        ? try unescaped.string()
                        : String(decoding: UnsafeRawBufferPointer(rebasing: line[r]), as: UTF8.self)
                    switch text {
                    case "NaN": view.value = .nan
                    case "Infinity": view.value = .infinity
                    case "-Infinity": view.value = -.infinity
                    default:
                        throw RecordDecodingError(
                            offset: at,
                            reason:
                                "field 'value' must be a number, or \"NaN\", \"Infinity\" or \"-Infinity\", not \"\(text)\""
                        )
                    }
                case let c? where c == UInt8(ascii: "-") || (c >= 0x30 && c <= 0x39):
                    view.value = try s.number().asDouble
                default:
                    throw s.fail("field 'value' must be a number")
                }
            default:
                needsFullCheck = true
                try s.skipValue(depth: 1)
            }
        }
        s.skipWhitespace()
        if s.i < s.end { throw s.fail("trailing characters after the record") }
        guard sawType else {
            throw RecordDecodingError(offset: line.count, reason: "missing field 'type' for a record")
        }
        guard sawTS else {
            throw RecordDecodingError(
                offset: line.count,
                reason:
                    "missing field 'ts' for a \(String(decoding: UnsafeRawBufferPointer(rebasing: line[view.type]), as: UTF8.self))"
            )
        }
        switch view.kind {
        case .counter, .gauge, .histogram:
            guard view.name != nil else {
                throw RecordDecodingError(offset: line.count, reason: "missing field 'name' for a \(view.kind)")
            }
            guard sawValue else {
                throw RecordDecodingError(offset: line.count, reason: "missing field 'value' for a \(view.kind)")
            }
            guard view.value != nil else {
                throw RecordDecodingError(
                    offset: line.count, reason: "field 'value' of a \(view.kind) must be a number")
            }
            // Other fields may be named like typed ones of schema v1 ("kind", "attributes", ...): the decoder judges them.
            if needsFullCheck { _ = try RecordDecoder.decode(line) }
        case .unknown:
            break
        default:
            // Other records carry typed fields (ids, enums, attributes) that the full decoder checks.
            guard case .record(let record) = try RecordDecoder.decode(line) else { return }
            if case .span(let span) = record {
                view.start = span.start
                view.end = span.end
                view.traceID = span.traceID
                view.spanID = span.spanID
                view.parentSpanID = span.parentSpanID
                view.status = span.status
                view.unfinished = span.unfinished
            }
        }
    }

    /// The kind named by the escaped string starting (at its quote) at `at`: `"sp\u0061n"` is a span.
    static func kind(decodedStringAt at: Int, _ line: UnsafeRawBufferPointer) -> Kind {
        var s = JSONScanner(line)
        s.i = at
        guard let text = try? s.string() else { return .unknown }
        return Array(text.utf8).withUnsafeBytes { kind($0, 0..<$0.count) }
    }

    static func kind(_ line: UnsafeRawBufferPointer, _ r: Range<Int>) -> Kind {
        let t = UnsafeRawBufferPointer(rebasing: line[r])
        @inline(__always) func eq(_ s: StaticString) -> Bool { memcmp(t.baseAddress!, s.utf8Start, t.count) == 0 }
        switch t.count {
        case 4: return eq("span") ? .span : eq("meta") ? .meta : .unknown
        case 5: return eq("gauge") ? .gauge : eq("alert") ? .alert : .unknown
        case 7: return eq("counter") ? .counter : .unknown
        case 8: return eq("resource") ? .resource : .unknown
        case 9: return eq("histogram") ? .histogram : .unknown
        default: return .unknown
        }
    }
}
