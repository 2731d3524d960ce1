/// Appends JSON tokens to a byte buffer. The primitives of ``RecordEncoder``.
public struct JSONWriter {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always) public mutating func raw(_ s: StaticString) {
        s.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    @inline(__always) public mutating func byte(_ b: UInt8) { bytes.append(b) }

    /// A JSON string: `"`, `\`, and every control character escaped; other text as UTF-8.
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in string(UnsafeRawBufferPointer(utf8)) }
    }

    /// A JSON string from UTF-8 bytes (already valid UTF-8).
    public mutating func string(_ utf8: UnsafeRawBufferPointer) {
        bytes.append(0x22)
        var clean = true
        for b in utf8 where b < 0x20 || b == 0x22 || b == 0x5C { clean = false; break }
        if clean {
            bytes.append(contentsOf: utf8)
        } else {
            for b in utf8 {
                switch b {
                case 0x22: bytes.append(0x5C); bytes.append(0x22)
                case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(0x5C); bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(0x5C); bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(0x5C); bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(0x5C); bytes.append(UInt8(ascii: "f"))
                case 0..<0x20:
                    raw("\\u00")
                    bytes.append(Self.hexDigits[Int(b >> 4)])
                    bytes.append(Self.hexDigits[Int(b & 0xF)])
                default: bytes.append(b)
                }
            }
        }
        bytes.append(0x22)
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON key and its colon.
    @inline(__always) public mutating func key(_ k: String) {
        string(k)
        bytes.append(0x3A)
    }

    public mutating func int(_ v: Int64) {
        if v < 0 {
            bytes.append(UInt8(ascii: "-"))
            uint(v == .min ? UInt64(Int64.max) + 1 : UInt64(-v))
        } else {
            uint(UInt64(v))
        }
    }

    public mutating func uint(_ v: UInt64) {
        if v < 10 { bytes.append(0x30 + UInt8(v)); return }
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 32 bytes of scratch on the stack
        let count = withUnsafeMutableBytes(of: &digits) { buf -> Int in
            var n = v
            var i = 20
            while n > 0 {
                i -= 1
                buf[i] = 0x30 + UInt8(n % 10)
                n /= 10
            }
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buf[i..<20]))
            return 20 - i
        }
        _ = count
    }

    /// A double as the shortest text that reads back to the same value; integral values below
    /// 2^53 without a fraction; NaN and infinities as the strings "NaN", "Infinity", "-Infinity".
    public mutating func double(_ v: Double) {
        if v.isNaN { raw("\"NaN\""); return }
        if v.isInfinite { v > 0 ? raw("\"Infinity\"") : raw("\"-Infinity\""); return }
        if v == v.rounded(.towardZero) && abs(v) < 9_007_199_254_740_992 && !(v == 0 && v.sign == .minus) {
            int(Int64(v))
            return
        }
        bytes.append(contentsOf: v.description.utf8)
    }

    public mutating func bool(_ v: Bool) { v ? raw("true") : raw("false") }

    /// Lower-case hex, zero-padded to `digits`.
    public mutating func hex(_ v: UInt128, digits: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 34) { buf in
            buf[0] = 0x22
            var x = v
            Self.hexDigits.withUnsafeBufferPointer { h in
                for i in stride(from: digits, through: 1, by: -1) {
                    buf[i] = h[Int(truncatingIfNeeded: x) & 0xF]
                    x >>= 4
                }
            }
            buf[digits + 1] = 0x22
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[..<(digits + 2)]))
        }
    }

    public mutating func stringMap(_ map: [String: String]) {
        sortedObject(map) { $0.string($1) }
    }

    public mutating func attributes(_ attrs: Attributes) {
        sortedObject(attrs) { $0.attribute($1) }
    }

    /// An object with its keys in byte order.
    mutating func sortedObject<V>(_ map: [String: V], _ value: (inout JSONWriter, V) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for (k, v) in map.sorted(by: { Self.byteOrder($0.key, $1.key) }) {
            if !first { bytes.append(0x2C) }
            first = false
            key(k)
            value(&self, v)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    public mutating func attribute(_ v: AttributeValue) {
        func array<T>(_ xs: [T], _ each: (inout JSONWriter, T) -> Void) {
            bytes.append(UInt8(ascii: "["))
            for (i, x) in xs.enumerated() {
                if i > 0 { bytes.append(0x2C) }
                each(&self, x)
            }
            bytes.append(UInt8(ascii: "]"))
        }
        switch v {
        case .string(let s): string(s)
        case .int(let i): int(i)
        case .double(let d): doubleAttribute(d)
        case .bool(let b): bool(b)
        case .stringArray(let xs): array(xs) { $0.string($1) }
        case .intArray(let xs): array(xs) { $0.int($1) }
        case .doubleArray(let xs): array(xs) { $0.doubleAttribute($1) }
        case .boolArray(let xs): array(xs) { $0.bool($1) }
        }
    }

    /// A double attribute always carries a fraction or exponent, so it reads back as a double, not an integer.
    public mutating func doubleAttribute(_ v: Double) {
        if !v.isFinite { double(v); return }
        bytes.append(contentsOf: v.description.utf8)
    }

    /// Keys sort by their UTF-8 bytes, whatever the locale.
    @inline(__always) public static func byteOrder(_ a: String, _ b: String) -> Bool {
        a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}
