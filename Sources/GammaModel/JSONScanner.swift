#if canImport(Glibc)
import Glibc
#endif

/// A strict JSON tokenizer over one line's bytes (RFC 8259): validates UTF-8 and escapes,
/// including surrogate pairs; enforces a nesting depth limit. Errors carry the byte offset.
struct JSONScanner {
    let base: UnsafePointer<UInt8>
    let end: Int
    var i = 0
    static let maxDepth = 32

    init(_ buffer: UnsafeRawBufferPointer) {
        base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) ?? UnsafePointer(bitPattern: 1)!
        end = buffer.count
    }

    @inline(__always) func fail(_ reason: String, at offset: Int? = nil) -> RecordDecodingError {
        RecordDecodingError(offset: offset ?? i, reason: reason)
    }

    @inline(__always) var peek: UInt8? { i < end ? base[i] : nil }

    @inline(__always) mutating func skipWhitespace() {
        while i < end {
            let c = base[i]
            if c == 0x20 || c == 0x0A || c == 0x09 || c == 0x0D { i += 1 } else { return }
        }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws(RecordDecodingError) {
        skipWhitespace()
        guard i < end else { throw fail("line ends where \(what) was expected") }
        guard base[i] == c else { throw fail("expected \(what), found \(describe(base[i]))") }
        i += 1
    }

    func describe(_ c: UInt8) -> String {
        if c >= 0x20 && c < 0x7F { return "'\(Character(Unicode.Scalar(c)))'" }
        return "byte 0x\(String(c, radix: 16))"
    }

    // MARK: - Strings

    /// Parses a string starting at `"`.
    mutating func string() throws(RecordDecodingError) -> String {
        let start = i
        guard i < end, base[i] == 0x22 else {
            throw fail(
                i < end ? "expected a string, found \(describe(base[i]))" : "line ends where a string was expected")
        }
        i += 1
        let contentStart = i
        // Fast path: ASCII without escapes.
        while i < end {
            let c = base[i]
            if c == 0x22 {
                let s = String(
                    decoding: UnsafeBufferPointer(start: base + contentStart, count: i - contentStart), as: UTF8.self)
                i += 1
                return s
            }
            if c == 0x5C || c < 0x20 || c >= 0x80 { break }
            i += 1
        }
        // Slow path: escapes and multi-byte UTF-8, validated.
        var out: [UInt8] = Array(UnsafeBufferPointer(start: base + contentStart, count: i - contentStart))
        while true {
            guard i < end else { throw fail("unterminated string", at: start) }
            let c = base[i]
            switch c {
            case 0x22:
                i += 1
                return String(decoding: out, as: UTF8.self)
            case 0x5C:
                try escape(into: &out)
            case 0..<0x20:
                throw fail("unescaped control character 0x\(String(c, radix: 16)) in a string")
            case 0..<0x80:
                out.append(c)
                i += 1
            default:
                let n = try utf8Sequence()
                out.append(contentsOf: UnsafeBufferPointer(start: base + i, count: n))
                i += n
            }
        }
    }

    /// Validates a string starting at `"` without building it: the range of its content (between
    /// the quotes, escapes still in place) and whether it holds any escape.
    mutating func skipString() throws(RecordDecodingError) -> (range: Range<Int>, escaped: Bool) {
        let start = i
        guard i < end, base[i] == 0x22 else {
            throw fail(
                i < end ? "expected a string, found \(describe(base[i]))" : "line ends where a string was expected")
        }
        i += 1
        let contentStart = i
        var escaped = false
        while i < end {
            // Plain ASCII runs in a tight loop on a local index: most strings are nothing else.
            var j = i
            while j < end {
                let b = base[j]
                if b < 0x20 || b == 0x22 || b == 0x5C || b >= 0x80 { break }
                j += 1
            }
            i = j
            guard i < end else { break }
            let c = base[i]
            if c == 0x22 {
                i += 1
                return (contentStart..<(i - 1), escaped)
            }
            if c == 0x5C {
                escaped = true
                var scratch: [UInt8] = []
                try escape(into: &scratch)
            } else if c < 0x20 {
                throw fail("unescaped control character 0x\(String(c, radix: 16)) in a string")
            } else if c < 0x80 {
                i += 1
            } else {
                i += try utf8Sequence()
            }
        }
        throw fail("unterminated string", at: start)
    }

    /// Validates one multi-byte UTF-8 sequence at `i` (Unicode 15, table 3-7) and returns its length.
    func utf8Sequence() throws(RecordDecodingError) -> Int {
        let b0 = base[i]
        func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) throws(RecordDecodingError) {
            guard i + k < end else { throw fail("truncated UTF-8 sequence") }
            let b = base[i + k]
            guard b >= lo && b <= hi else { throw fail("invalid UTF-8 sequence") }
        }
        switch b0 {
        case 0xC2...0xDF: try cont(1); return 2
        case 0xE0: try cont(1, 0xA0, 0xBF); try cont(2); return 3
        case 0xE1...0xEC, 0xEE...0xEF: try cont(1); try cont(2); return 3
        case 0xED: try cont(1, 0x80, 0x9F); try cont(2); return 3  // no UTF-16 surrogates
        case 0xF0: try cont(1, 0x90, 0xBF); try cont(2); try cont(3); return 4
        case 0xF1...0xF3: try cont(1); try cont(2); try cont(3); return 4
        case 0xF4: try cont(1, 0x80, 0x8F); try cont(2); try cont(3); return 4
        default: throw fail("invalid UTF-8 byte 0x\(String(b0, radix: 16))")
        }
    }

    mutating func escape(into out: inout [UInt8]) throws(RecordDecodingError) {
        let at = i
        guard i + 1 < end else { throw fail("unterminated escape") }
        let e = base[i + 1]
        i += 2
        switch e {
        case UInt8(ascii: "\""): out.append(0x22)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "/"): out.append(0x2F)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4(at: at)
            if (0xD800...0xDBFF).contains(scalar) {
                guard i + 1 < end, base[i] == 0x5C, base[i + 1] == UInt8(ascii: "u") else {
                    throw fail("high surrogate \\u\(String(scalar, radix: 16)) without a low surrogate", at: at)
                }
                i += 2
                let low = try hex4(at: i - 2)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw fail("high surrogate followed by \\u\(String(low, radix: 16)), not a low surrogate", at: at)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw fail("lone low surrogate \\u\(String(scalar, radix: 16))", at: at)
            }
            out.append(contentsOf: String(Character(Unicode.Scalar(scalar)!)).utf8)
        default:
            throw fail("invalid escape \\\(describe(e))", at: at)
        }
    }

    mutating func hex4(at escapeStart: Int) throws(RecordDecodingError) -> UInt32 {
        guard i + 4 <= end else { throw fail("truncated \\u escape", at: escapeStart) }
        var v: UInt32 = 0
        for k in 0..<4 {
            let c = base[i + k]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x61...0x66: d = c - 0x61 + 10
            case 0x41...0x46: d = c - 0x41 + 10
            default: throw fail("invalid hex digit in \\u escape", at: i + k)
            }
            v = v << 4 | UInt32(d)
        }
        i += 4
        return v
    }

    // MARK: - Numbers

    enum Number {
        case int(Int64)
        case double(Double)

        var asDouble: Double {
            switch self {
            case .int(let v): Double(v)
            case .double(let d): d
            }
        }
    }

    static let pow10: [Double] = (0...22).map { e in (0..<e).reduce(1.0) { r, _ in r * 10 } }

    /// Parses a number by the JSON grammar. Integers that fit in Int64 stay exact.
    mutating func number() throws(RecordDecodingError) -> Number {
        let start = i
        var negative = false
        if i < end && base[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        guard i < end, base[i] >= 0x30 && base[i] <= 0x39 else { throw fail("invalid number", at: start) }
        var mantissa: UInt64 = 0
        var digits = 0
        var overflow = false
        if base[i] == 0x30 {
            i += 1
            if i < end && base[i] >= 0x30 && base[i] <= 0x39 { throw fail("leading zero in a number", at: start) }
        } else {
            // Up to 18 digits cannot overflow: no checks on the common numbers.
            while i < end && digits < 18 && base[i] >= 0x30 && base[i] <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(base[i] &- 0x30)
                digits += 1
                i += 1
            }
            while i < end && base[i] >= 0x30 && base[i] <= 0x39 {
                let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(base[i] - 0x30))
                if o1 || o2 { overflow = true } else { mantissa = a }
                digits += 1
                i += 1
            }
        }
        var fractionDigits = 0
        var isInteger = true
        if i < end && base[i] == UInt8(ascii: ".") {
            isInteger = false
            i += 1
            guard i < end, base[i] >= 0x30 && base[i] <= 0x39 else {
                throw fail("a digit must follow the decimal point", at: i)
            }
            while i < end && digits + fractionDigits < 18 && base[i] >= 0x30 && base[i] <= 0x39 {
                mantissa = mantissa &* 10 &+ UInt64(base[i] &- 0x30)
                fractionDigits += 1
                i += 1
            }
            while i < end && base[i] >= 0x30 && base[i] <= 0x39 {
                let (m, o1) = mantissa.multipliedReportingOverflow(by: 10)
                let (a, o2) = m.addingReportingOverflow(UInt64(base[i] - 0x30))
                if o1 || o2 { overflow = true } else { mantissa = a; fractionDigits += 1 }
                i += 1
            }
        }
        var exponent = 0
        if i < end && (base[i] == UInt8(ascii: "e") || base[i] == UInt8(ascii: "E")) {
            isInteger = false
            i += 1
            var expNegative = false
            if i < end && (base[i] == UInt8(ascii: "+") || base[i] == UInt8(ascii: "-")) {
                expNegative = base[i] == UInt8(ascii: "-"); i += 1
            }
            guard i < end, base[i] >= 0x30 && base[i] <= 0x39 else {
                throw fail("a digit must follow the exponent", at: i)
            }
            while i < end && base[i] >= 0x30 && base[i] <= 0x39 {
                if exponent < 100_000 { exponent = exponent * 10 + Int(base[i] - 0x30) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        if isInteger && !overflow {
            if negative {
                if mantissa <= UInt64(Int64.max) { return .int(-Int64(mantissa)) }
                if mantissa == UInt64(Int64.max) + 1 { return .int(.min) }
            } else if mantissa <= UInt64(Int64.max) {
                return .int(Int64(mantissa))
            }
        }
        // Clinger's fast path: exact when the mantissa and the power of ten are both exact doubles.
        let e10 = exponent - fractionDigits
        if !overflow && mantissa < (1 << 53) && abs(e10) <= 22 {
            var d = Double(mantissa)
            d = e10 < 0 ? d / Self.pow10[-e10] : d * Self.pow10[e10]
            return .double(negative ? -d : d)
        }
        // Otherwise the C library's correctly rounded strtod.
        var text = [CChar](repeating: 0, count: i - start + 1)
        for k in 0..<(i - start) { text[k] = CChar(bitPattern: base[start + k]) }
        let d = strtod(text, nil)
        // A literal out of Double's range is not a number this schema can hold: infinity is only
        // ever the string "Infinity" (or "-Infinity").
        guard d.isFinite else {
            throw fail(
                "number out of range: \(String(decoding: text.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self))",
                at: start)
        }
        return .double(d)
    }

    // MARK: - Skipping

    /// Validates and skips any JSON value.
    mutating func skipValue(depth: Int) throws(RecordDecodingError) {
        guard depth <= Self.maxDepth else { throw fail("nesting deeper than \(Self.maxDepth) levels") }
        skipWhitespace()
        guard i < end else { throw fail("line ends where a value was expected") }
        switch base[i] {
        case 0x22: _ = try string()
        case UInt8(ascii: "{"):
            i += 1
            skipWhitespace()
            if peek == UInt8(ascii: "}") { i += 1; return }
            while true {
                skipWhitespace()
                _ = try string()
                try expect(UInt8(ascii: ":"), "':'")
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let c = peek else { throw fail("unterminated object") }
                i += 1
                if c == UInt8(ascii: "}") { return }
                guard c == 0x2C else { throw fail("expected ',' or '}', found \(describe(c))", at: i - 1) }
            }
        case UInt8(ascii: "["):
            i += 1
            skipWhitespace()
            if peek == UInt8(ascii: "]") { i += 1; return }
            while true {
                try skipValue(depth: depth + 1)
                skipWhitespace()
                guard let c = peek else { throw fail("unterminated array") }
                i += 1
                if c == UInt8(ascii: "]") { return }
                guard c == 0x2C else { throw fail("expected ',' or ']', found \(describe(c))", at: i - 1) }
            }
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        default: _ = try number()
        }
    }

    mutating func literal(_ word: StaticString) throws(RecordDecodingError) {
        let n = word.utf8CodeUnitCount
        let p = word.utf8Start
        guard i + n <= end, (0..<n).allSatisfy({ base[i + $0] == p[$0] }) else {
            throw fail("invalid literal, expected \(word)")
        }
        i += n
    }

    /// Iterates the members of an object starting at `{`; `body` must consume each value.
    mutating func object(_ what: String, _ body: (inout JSONScanner, String, Int) throws(RecordDecodingError) -> Void)
        throws(RecordDecodingError)
    {
        skipWhitespace()
        guard i < end, base[i] == UInt8(ascii: "{") else {
            throw fail(i < end ? "\(what) must be an object" : "line ends where \(what) was expected")
        }
        i += 1
        skipWhitespace()
        if peek == UInt8(ascii: "}") { i += 1; return }
        while true {
            skipWhitespace()
            let keyAt = i
            let key = try string()
            try expect(UInt8(ascii: ":"), "':'")
            skipWhitespace()
            try body(&self, key, keyAt)
            skipWhitespace()
            guard let c = peek else { throw fail("unterminated object") }
            i += 1
            if c == UInt8(ascii: "}") { return }
            guard c == 0x2C else { throw fail("expected ',' or '}', found \(describe(c))", at: i - 1) }
        }
    }

    /// Iterates the elements of an array starting at `[`.
    mutating func array(_ what: String, _ body: (inout JSONScanner) throws(RecordDecodingError) -> Void)
        throws(RecordDecodingError)
    {
        skipWhitespace()
        guard i < end, base[i] == UInt8(ascii: "[") else { throw fail("\(what) must be an array") }
        i += 1
        skipWhitespace()
        if peek == UInt8(ascii: "]") { i += 1; return }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            guard let c = peek else { throw fail("unterminated array") }
            i += 1
            if c == UInt8(ascii: "]") { return }
            guard c == 0x2C else { throw fail("expected ',' or ']', found \(describe(c))", at: i - 1) }
        }
    }
}
