/// Lower-case hex of W3C trace and span ids, as records, `traceparent` and the trace formats write them.
public enum Hex {
    static let digits = Array("0123456789abcdef".utf8)

    /// `v` as exactly `n` lower-case hex digits (zero-padded).
    public static func string(_ v: UInt128, digits n: Int) -> String {
        String(decoding: (0..<n).map { i in digits[Int((v >> UInt128(4 * (n - 1 - i))) & 0xF)] }, as: UTF8.self)
    }

    /// A span id's 16 digits.
    public static func id(_ v: SpanID) -> String { string(UInt128(v), digits: 16) }

    /// A trace id's 32 digits.
    public static func trace(_ v: TraceID) -> String { string(v, digits: 32) }

    /// Lower-case hex only (W3C forbids upper case).
    public static func parse(_ s: Substring) -> UInt128? {
        var v: UInt128 = 0
        for c in s.utf8 {
            switch c {
            case 0x30...0x39: v = v << 4 | UInt128(c - 0x30)
            case 0x61...0x66: v = v << 4 | UInt128(c - 0x61 + 10)
            default: return nil
            }
        }
        return v
    }
}
