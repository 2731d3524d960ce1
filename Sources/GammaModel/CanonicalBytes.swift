/// The byte steps of the canonical scanners (``RecordView/scanCanonicalMetric(_:into:)`` and
/// ``RecordView/scanCanonicalSpan(_:into:)``), eight bytes at a time where they can be.
///
/// A cursor over one line. Every step moves `i` past what it matched and returns a value, or
/// returns `nil` (or `false`) and decides nothing: the caller then gives the line to the general path, which accepts or
/// rejects it exactly as ``RecordDecoder`` does. So a step may refuse anything unusual (a long
/// integer, an exponent, an escape), but must never accept text the decoder would read differently.
///
/// The word tricks (SWAR: SIMD within a register) work on bytes below 0x80 unless said otherwise;
/// no addition below carries out of a byte for such bytes.
struct CanonicalBytes {
    let base: UnsafePointer<UInt8>
    let n: Int
    var i = 0

    init?(_ line: UnsafeRawBufferPointer) {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return nil }
        self.base = base
        self.n = line.count
    }

    /// The byte at `i`, or `nil` at the end of the line.
    var peek: UInt8? { i < n ? base[i] : nil }

    /// Moves past the byte at `i` if it is `c`.
    @inline(__always)
    mutating func take(_ c: UInt8) -> Bool {
        guard i < n, base[i] == c else { return false }
        i += 1
        return true
    }

    @inline(__always)
    static func word(_ p: UnsafePointer<UInt8>) -> UInt64 {
        UInt64(littleEndian: UnsafeRawPointer(p).loadUnaligned(as: UInt64.self))
    }

    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// Whether `literal` stands at `i`; if so, moves past it. Compares a word at a time.
    @inline(__always)
    mutating func match(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard i + count <= n else { return false }
        let p = base + i, q = literal.utf8Start
        if count >= 8 {
            var k = 0
            while k + 8 < count {
                guard Self.word(p + k) == Self.word(q + k) else { return false }
                k += 8
            }
            guard Self.word(p + count - 8) == Self.word(q + count - 8) else { return false }  // the last 8, overlapping
        } else {
            for k in 0..<count where p[k] != q[k] { return false }
        }
        i += count
        return true
    }

    /// A string of printable ASCII without `"` or `\`, from after its opening quote through its
    /// closing one: its content range, or `nil` (anything else is the general path's to judge).
    @inline(__always)
    mutating func plainString() -> Range<Int>? {
        let start = i
        var j = i
        while j + 8 <= n {
            let x = Self.word(base + j)
            // A byte is flagged if it is '"', '\', below 0x20 or at least 0x80. The lowest flagged
            // byte is exact: the borrows that make false flags run only upward from a true one.
            let quote = x ^ (Self.ones &* 0x22), backslash = x ^ (Self.ones &* 0x5C)
            let flags =
                ((quote &- Self.ones) & ~quote | (backslash &- Self.ones) & ~backslash | (x &- Self.ones &* 0x20) & ~x
                    | x) & Self.highs
            if flags == 0 { j += 8; continue }
            j += flags.trailingZeroBitCount >> 3
            guard base[j] == 0x22 else { return nil }
            i = j + 1
            return start..<j
        }
        while j < n {
            let c = base[j]
            if c == 0x22 { i = j + 1; return start..<j }
            if c < 0x20 || c == 0x5C || c >= 0x80 { return nil }
            j += 1
        }
        return nil
    }

    /// Whether the plain string at `b` sorts strictly after the one at `a` (bytes, then length):
    /// the order the writers give label and attribute keys, which rules out duplicates.
    @inline(__always)
    func ascending(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        let common = min(a.count, b.count)
        for k in 0..<common where base[a.lowerBound + k] != base[b.lowerBound + k] {
            return base[a.lowerBound + k] < base[b.lowerBound + k]
        }
        return a.count < b.count
    }

    /// The value of eight ASCII digits, or `nil` if any of the eight is not a digit.
    @inline(__always)
    static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let x = Self.word(p)
        // Every high nibble is 3, and adding 6 keeps it 3 (so every low nibble is at most 9).
        guard x & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030,
            (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0 == 0x3030_3030_3030_3030
        else { return nil }
        // Pairs, then fours, then the eight: the first digit is the lowest byte.
        var v = x & 0x0F0F_0F0F_0F0F_0F0F
        v = (v &* 2561) >> 8
        v = ((v & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((v & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// The digits of a JSON integer part at `j`: its value if it has at most 19 digits and no
    /// leading zero; moves `j` past them. The first byte must be a digit.
    @inline(__always)
    func digits(_ j: inout Int) -> (value: UInt64, count: Int)? {
        let first = j
        var v: UInt64 = 0
        while j + 8 <= n, j - first < 16, let d = Self.eightDigits(base + j) {
            v = v &* 100_000_000 &+ d
            j += 8
        }
        while j < n, Self.isDigit(base[j]) {
            guard j - first < 19 else { return nil }  // 19 digits fit in a UInt64
            v = v &* 10 &+ UInt64(base[j] &- 0x30)
            j += 1
        }
        let count = j - first
        guard count > 0, count == 1 || base[first] != 0x30 else { return nil }
        return (v, count)
    }

    /// An optional minus sign and the digits of a JSON integer part (see ``digits(_:)``).
    @inline(__always)
    func signedDigits(_ j: inout Int) -> (negative: Bool, value: UInt64)? {
        let negative = j < n && base[j] == UInt8(ascii: "-")
        if negative { j += 1 }
        guard j < n, Self.isDigit(base[j]), let (v, _) = digits(&j) else { return nil }
        return (negative, v)
    }

    /// A JSON integer (no fraction, no exponent) that fits in an `Int64`.
    @inline(__always)
    mutating func integer() -> Int64? {
        var j = i
        guard let (negative, v) = signedDigits(&j) else { return nil }
        if j < n, base[j] == UInt8(ascii: ".") || base[j] | 0x20 == UInt8(ascii: "e") { return nil }
        let value: Int64
        if negative {
            guard v <= UInt64(Int64.max) + 1 else { return nil }
            value = Int64(truncatingIfNeeded: 0 &- v)
        } else {
            guard v <= UInt64(Int64.max) else { return nil }
            value = Int64(v)
        }
        i = j
        return value
    }

    /// A JSON number without an exponent whose digits make an exact double (at most 2^53) and
    /// whose fraction has at most 22 digits: then one correctly rounded division gives the value
    /// that ``JSONScanner``'s parse gives. An integer reads as the decoder reads integers.
    @inline(__always)
    mutating func decimal() -> Double? {
        var j = i
        guard let (negative, whole) = signedDigits(&j) else { return nil }
        var mantissa = whole
        var fractionDigits = 0
        if j < n && base[j] == UInt8(ascii: ".") {
            j += 1
            let first = j
            while j < n, Self.isDigit(base[j]) {
                guard j - first < 22, mantissa < 1 << 53 else { return nil }
                mantissa = mantissa &* 10 &+ UInt64(base[j] &- 0x30)
                j += 1
            }
            fractionDigits = j - first
            guard fractionDigits > 0 else { return nil }
        }
        guard mantissa <= 1 << 53 else { return nil }
        if j < n, base[j] | 0x20 == UInt8(ascii: "e") { return nil }
        i = j
        if fractionDigits == 0 { return Double(negative ? -Int64(mantissa) : Int64(mantissa)) }
        let d = Double(mantissa) / JSONScanner.pow10[fractionDigits]
        return negative ? -d : d
    }

    /// Eight lower-case hex digits as a number, or `nil` if any of the eight is not one.
    @inline(__always)
    static func eightHex(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let x = Self.word(p)
        guard x & Self.highs == 0 else { return nil }
        // For bytes below 0x80, c + (0x80 - k) sets the high bit exactly when c >= k.
        let digit = (x &+ 0x5050_5050_5050_5050) & ~(x &+ 0x4646_4646_4646_4646)  // '0'...'9'
        let letter = (x &+ 0x1F1F_1F1F_1F1F_1F1F) & ~(x &+ 0x1919_1919_1919_1919)  // 'a'...'f'
        guard (digit | letter) & Self.highs == Self.highs else { return nil }
        var v = (x & 0x0F0F_0F0F_0F0F_0F0F) &+ ((letter & Self.highs) >> 7) &* 9  // 'a' & 0x0F = 1, + 9
        v = v.byteSwapped  // the first digit is the most significant
        v = (v | (v >> 4)) & 0x00FF_00FF_00FF_00FF
        v = (v | (v >> 8)) & 0x0000_FFFF_0000_FFFF
        return (v | (v >> 16)) & 0x0000_0000_FFFF_FFFF
    }

    /// An id of exactly `words` × 8 lower-case hex digits, not all zero, then the closing quote.
    @inline(__always)
    mutating func hexID(words: Int) -> UInt128? {
        guard i + words * 8 < n else { return nil }
        var v: UInt128 = 0
        for w in 0..<words {
            guard let part = Self.eightHex(base + i + w * 8) else { return nil }
            v = v << 32 | UInt128(part)
        }
        guard base[i + words * 8] == 0x22, v != 0 else { return nil }
        i += words * 8 + 1
        return v
    }
}
