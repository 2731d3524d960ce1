/// Appends JSON tokens to a byte buffer. The primitives of ``RecordEncoder``.
///
/// The bytes live in one growing allocation written through a pointer (an `Array` append costs a
/// call and checks per token); the buffer is copied on write, so the writer is a plain value.
public struct JSONWriter {
    private var storage: ByteStorage

    public init(capacity: Int = 256) {
        storage = ByteStorage(capacity: max(capacity, 16))
    }

    /// The bytes written so far, copied into an array.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: storage.base, count: storage.count)) }

    /// The number of bytes written so far.
    public var count: Int { storage.count }

    /// Forgets the bytes written so far, keeping the buffer (a streaming writer's flush).
    public mutating func removeAll() {
        if !isKnownUniquelyReferenced(&storage) { storage = ByteStorage(capacity: storage.capacity) }
        storage.count = 0
    }

    /// Calls `body` with the bytes written so far, without copying them.
    public func withBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try withExtendedLifetime(storage) { () throws(E) -> R in
            try body(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
        }
    }

    /// Room for `n` more bytes: where to write them. The caller then calls ``commit(_:)``.
    @inline(__always)
    mutating func reserve(_ n: Int) -> UnsafeMutablePointer<UInt8> {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy(extra: n) }
        if storage.count + n > storage.capacity { storage.grow(toHold: storage.count + n) }
        return storage.base + storage.count
    }

    @inline(__always) mutating func commit(_ n: Int) { storage.count += n }

    @inline(__always) mutating func append(_ p: UnsafeRawPointer, _ n: Int) {
        let at = reserve(n)
        UnsafeMutableRawPointer(at).copyMemory(from: p, byteCount: n)
        commit(n)
    }

    @inline(__always) public mutating func raw(_ s: StaticString) { append(s.utf8Start, s.utf8CodeUnitCount) }

    @inline(__always) public mutating func byte(_ b: UInt8) {
        reserve(1).pointee = b
        commit(1)
    }

    /// A JSON string: `"`, `\`, and every control character escaped; other text as UTF-8.
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in string(UnsafeRawBufferPointer(utf8)) }
    }

    /// A JSON string from UTF-8 bytes (already valid UTF-8).
    public mutating func string(_ utf8: UnsafeRawBufferPointer) {
        if Self.needsNoEscape(utf8) {
            let p = reserve(utf8.count + 2)
            p[0] = 0x22
            if let from = utf8.baseAddress {
                UnsafeMutableRawPointer(p + 1).copyMemory(from: from, byteCount: utf8.count)
            }
            p[utf8.count + 1] = 0x22
            commit(utf8.count + 2)
            return
        }
        byte(0x22)
        for b in utf8 {
            switch b {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            case 0..<0x20:
                raw("\\u00")
                byte(Self.hexDigit(b >> 4))
                byte(Self.hexDigit(b & 0xF))
            default: byte(b)
            }
        }
        byte(0x22)
    }

    @inline(__always) static func hexDigit(_ d: UInt8) -> UInt8 { d < 10 ? 0x30 + d : 0x57 + d }

    /// Whether no byte is `"`, `\` or a control character, eight bytes at a time.
    @inline(__always)
    static func needsNoEscape(_ utf8: UnsafeRawBufferPointer) -> Bool {
        guard let base = utf8.baseAddress else { return true }
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        var i = 0
        while i + 8 <= utf8.count {
            let x = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            let quote = x ^ (ones &* 0x22), backslash = x ^ (ones &* 0x5C)
            // Bytes of 0x80 and up are UTF-8 text, never escaped: `& ~x` keeps them unflagged.
            let flags = ((quote &- ones) & ~quote | (backslash &- ones) & ~backslash | (x &- ones &* 0x20)) & ~x & highs
            if flags != 0 { return false }
            i += 8
        }
        while i < utf8.count {
            let b = utf8[i]
            if b < 0x20 || b == 0x22 || b == 0x5C { return false }
            i += 1
        }
        return true
    }

    /// A JSON key and its colon.
    @inline(__always) public mutating func key(_ k: String) {
        string(k)
        byte(0x3A)
    }

    public mutating func int(_ v: Int64) {
        let p = reserve(20)
        commit(Digits.write(v, UnsafeMutableRawBufferPointer(start: p, count: 20), 0))
    }

    public mutating func uint(_ v: UInt64) {
        let p = reserve(20)
        commit(Digits.write(v, UnsafeMutableRawBufferPointer(start: p, count: 20), 0))
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
        appendText(v.description)
    }

    /// Appends `text` as it is: the caller makes sure it is valid JSON in its place.
    @inline(__always) public mutating func appendText(_ text: String) {
        var text = text
        text.withUTF8 { append($0.baseAddress!, $0.count) }
    }

    public mutating func bool(_ v: Bool) { v ? raw("true") : raw("false") }

    /// Lower-case hex, zero-padded to `digits`.
    /// Lower-case hex, zero-padded to `digits` (16 or 32), in quotes.
    public mutating func hex(_ v: UInt128, digits: Int) {
        precondition(digits == 16 || digits == 32)
        let buf = reserve(digits + 2)
        buf[0] = 0x22
        var at = 1
        if digits == 32 {
            Self.hex16(UInt64(truncatingIfNeeded: v >> 64), buf + at)
            at += 16
        }
        Self.hex16(UInt64(truncatingIfNeeded: v), buf + at)
        buf[digits + 1] = 0x22
        commit(digits + 2)
    }

    /// Sixteen lower-case hex digits of `v` at `p`, a word at a time.
    @inline(__always)
    static func hex16(_ v: UInt64, _ p: UnsafeMutablePointer<UInt8>) {
        UnsafeMutableRawPointer(p).storeBytes(
            of: hex8(UInt32(truncatingIfNeeded: v >> 32)).littleEndian, as: UInt64.self)
        UnsafeMutableRawPointer(p + 8).storeBytes(of: hex8(UInt32(truncatingIfNeeded: v)).littleEndian, as: UInt64.self)
    }

    /// The eight hex digits of `v` as eight bytes, the first digit lowest (the order they are stored in).
    @inline(__always)
    static func hex8(_ v: UInt32) -> UInt64 {
        // Spread the nibbles one to a byte, most significant first in the lowest byte.
        var x = UInt64(v)
        x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF
        x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
        x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        x = x.byteSwapped
        // Nibbles of 10 and up become 'a'...'f': add '0', plus 39 more where the nibble is above 9.
        let letters = ((x &+ 0x7676_7676_7676_7676) >> 7) & 0x0101_0101_0101_0101  // 0x76 + 10 = 0x80
        return x &+ 0x3030_3030_3030_3030 &+ letters &* 39
    }

    public mutating func stringMap(_ map: [String: String]) {
        sortedObject(map) { $0.string($1) }
    }

    public mutating func attributes(_ attrs: Attributes) {
        sortedObject(attrs) { $0.attribute($1) }
    }

    /// An object with its keys in byte order.
    mutating func sortedObject<V>(_ map: [String: V], _ value: (inout JSONWriter, V) -> Void) {
        byte(UInt8(ascii: "{"))
        var first = true
        for (k, v) in map.sorted(by: { Self.byteOrder($0.key, $1.key) }) {
            if !first { byte(0x2C) }
            first = false
            key(k)
            value(&self, v)
        }
        byte(UInt8(ascii: "}"))
    }

    public mutating func attribute(_ v: AttributeValue) {
        func array<T>(_ xs: [T], _ each: (inout JSONWriter, T) -> Void) {
            byte(UInt8(ascii: "["))
            for (i, x) in xs.enumerated() {
                if i > 0 { byte(0x2C) }
                each(&self, x)
            }
            byte(UInt8(ascii: "]"))
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
        appendText(v.description)
    }

    /// Keys sort by their UTF-8 bytes, whatever the locale.
    @inline(__always) public static func byteOrder(_ a: String, _ b: String) -> Bool {
        if let r = a.utf8.withContiguousStorageIfAvailable({ x in
            b.utf8.withContiguousStorageIfAvailable { y -> Bool in
                let common = min(x.count, y.count)
                for i in 0..<common where x[i] != y[i] { return x[i] < y[i] }
                return x.count < y.count
            }
        }), let r {
            return r
        }
        return a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

/// The bytes of a ``JSONWriter``: one allocation, freed with the last writer that holds it.
final class ByteStorage {
    var base: UnsafeMutablePointer<UInt8>
    var count = 0
    var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }

    func copy(extra: Int) -> ByteStorage {
        let c = ByteStorage(capacity: max(capacity, count + extra))
        c.base.update(from: base, count: count)
        c.count = count
        return c
    }

    func grow(toHold n: Int) {
        var newCapacity = capacity * 2
        while newCapacity < n { newCapacity *= 2 }
        let b = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        b.update(from: base, count: count)
        base.deallocate()
        base = b
        capacity = newCapacity
    }
}
