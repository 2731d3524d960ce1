#if _endian(big)
#error("Digits and CanonicalBytes read and write words as little-endian bytes")
#endif

/// Decimal digits of an integer, into a buffer, eight digits a step: every record line carries
/// a 19-digit timestamp, so this is on the recording path of every metric and span.
package enum Digits {
    /// Writes `v` at `at`; returns where it ends. Needs 20 bytes of room.
    @inlinable @inline(__always)
    package static func write(_ v: Int64, _ buf: UnsafeMutableRawBufferPointer, _ at: Int) -> Int {
        if v < 0 {
            buf[at] = UInt8(ascii: "-")
            return write(v == .min ? UInt64(Int64.max) + 1 : UInt64(-v), buf, at + 1)
        }
        return write(UInt64(v), buf, at)
    }

    /// Writes `v` at `at`; returns where it ends. Needs 20 bytes of room.
    @inlinable @inline(__always)
    package static func write(_ v: UInt64, _ buf: UnsafeMutableRawBufferPointer, _ at: Int) -> Int {
        let p = buf.baseAddress! + at
        if v < 10 {
            p.storeBytes(of: 0x30 + UInt8(v), as: UInt8.self)
            return at + 1
        }
        // v = a·10^16 + b·10^8 + c, each part as eight digits (a < 1845, so its word has leading zeros).
        let c = v % 100_000_000, rest = v / 100_000_000
        let b = rest % 100_000_000, a = rest / 100_000_000
        let words = (eight(a), eight(b), eight(c))
        // Leading zeros to skip, from the first word that is not all '0's.
        let zeros = ascii(0)
        let skip: Int
        if a != 0 {
            skip = (words.0 ^ zeros).trailingZeroBitCount >> 3
        } else if b != 0 {
            skip = 8 + (words.1 ^ zeros).trailingZeroBitCount >> 3
        } else {
            skip = 16 + (words.2 ^ zeros).trailingZeroBitCount >> 3
        }
        let count = 24 - skip
        withUnsafeBytes(of: words) { w in
            p.copyMemory(from: w.baseAddress! + skip, byteCount: count)
        }
        return at + count
    }

    /// Eight ASCII digits of `v` (below 10^8) as the bytes of a word, the first digit lowest,
    /// which is first in memory on a little-endian machine.
    @inlinable @inline(__always)
    package static func eight(_ v: UInt64) -> UInt64 {
        // Halves of four digits in 32-bit lanes, then pairs in 16-bit lanes, then digits in bytes:
        // each step divides every lane at once by multiplying and shifting.
        let top = v / 10_000
        var x = top | (v &- top &* 10_000) << 32
        let hundreds = ((x &* 10_486) >> 20) & 0x0000_007F_0000_007F  // x / 100 for x < 10^4
        x = hundreds | (x &- hundreds &* 100) << 16
        let tens = ((x &* 103) >> 10) & 0x000F_000F_000F_000F  // x / 10 for x < 100
        x = tens | (x &- tens &* 10) << 8
        return x | 0x3030_3030_3030_3030
    }

    @inlinable @inline(__always)
    package static func ascii(_ digit: UInt8) -> UInt64 { 0x0101_0101_0101_0101 &* UInt64(0x30 + digit) }
}
