internal import CZlib

/// The fixed 48-byte gzip header that starts every Gamma member (docs/FORMAT.md, "Member header").
///
/// ```
/// 0  1F 8B 08 04            ID1 ID2 CM=deflate FLG=FEXTRA
/// 4  00 00 00 00            MTIME = 0
/// 8  XFL OS=03              XFL: 04 at level 1, 02 at level 9, else 00
/// 10 24 00                  XLEN = 36
/// 12 47 6D 20 00            subfield "Gm", LEN = 32
/// 16 version=2 flags index  flags bit 0: sealed trailer, bit 1: first member of its segment;
///                           index: u16, the member's place in its segment modulo 2^16
/// 20 u32 member length      bytes from the member's first byte to its last (ISIZE), inclusive
/// 24 u32 line count
/// 28 i64 min ts, 36 i64 max ts
/// 44 u32 CRC-32 of bytes 0..<44
/// ```
/// All integers are little-endian.
package struct MemberHeader: Equatable, Sendable {
    package static let size = 48
    /// The trailer after the deflate data: CRC-32 and ISIZE.
    package static let trailerSize = 8
    /// The version writers write. Version 1 (no index, no first-member flag) is still read.
    package static let version: UInt8 = 2
    static let xlen: UInt16 = 36

    package var sealed: Bool
    /// Total bytes of the member, header and trailer included.
    package var length: UInt32
    package var lineCount: UInt32
    package var minTimestamp: Int64
    package var maxTimestamp: Int64
    var extraFlags: UInt8 = 0
    /// The header's version: 2 as written today, 1 in logs of earlier writers.
    package var version: UInt8 = Self.version
    /// The member's place in its segment, modulo 2^16 (0 in version 1 headers).
    package var index: UInt16 = 0
    /// Whether this is the first member of its segment (false in version 1 headers).
    package var startsSegment = false

    /// Whether the header carries `index` and `startsSegment`.
    package var isIndexed: Bool { version >= 2 }

    package init(
        sealed: Bool, length: UInt32, lineCount: UInt32, minTimestamp: Int64, maxTimestamp: Int64,
        index: UInt16 = 0, startsSegment: Bool = false
    ) {
        self.index = index
        self.startsSegment = startsSegment
        self.sealed = sealed
        self.length = length
        self.lineCount = lineCount
        self.minTimestamp = minTimestamp
        self.maxTimestamp = maxTimestamp
    }

    /// The 48 bytes of this header.
    package func encoded() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: Self.size)
        write(into: &b, at: 0)
        return b
    }

    func write(into b: inout [UInt8], at o: Int) {
        b[o + 0] = 0x1F; b[o + 1] = 0x8B; b[o + 2] = 8; b[o + 3] = 4
        b[o + 4] = 0; b[o + 5] = 0; b[o + 6] = 0; b[o + 7] = 0
        b[o + 8] = extraFlags; b[o + 9] = 3
        Self.put(UInt64(Self.xlen), 2, &b, o + 10)
        b[o + 12] = UInt8(ascii: "G"); b[o + 13] = UInt8(ascii: "m")
        Self.put(32, 2, &b, o + 14)
        b[o + 16] = version
        if version >= 2 {
            b[o + 17] = (sealed ? 1 : 0) | (startsSegment ? 2 : 0)
            Self.put(UInt64(index), 2, &b, o + 18)
        } else {
            b[o + 17] = sealed ? 1 : 0; b[o + 18] = 0; b[o + 19] = 0
        }
        Self.put(UInt64(length), 4, &b, o + 20)
        Self.put(UInt64(lineCount), 4, &b, o + 24)
        Self.put(UInt64(bitPattern: minTimestamp), 8, &b, o + 28)
        Self.put(UInt64(bitPattern: maxTimestamp), 8, &b, o + 36)
        let crc = b.withUnsafeBufferPointer { p in
            UInt32(crc32(0, p.baseAddress! + o, 44))
        }
        Self.put(UInt64(crc), 4, &b, o + 44)
    }

    /// What the bytes at a position are.
    package enum Parse: Equatable, Sendable {
        /// A valid Gamma member header.
        case header(MemberHeader)
        /// Fewer than 48 bytes, all matching what a Gamma header starts with: a member cut short.
        case incomplete
        /// Not a Gamma member header; `reason` says what is wrong.
        case invalid(reason: String)
    }

    /// Reads a header from the start of `bytes`.
    package static func parse(_ bytes: UnsafeRawBufferPointer) -> Parse {
        let fixed: [UInt8] = [0x1F, 0x8B, 8, 4, 0, 0, 0, 0]
        let n = bytes.count
        for i in 0..<min(n, 8) where bytes[i] != fixed[i] {
            return .invalid(reason: i < 2 ? "no gzip magic" : "not a Gamma member header (byte \(i))")
        }
        if n >= 10 && bytes[9] != 3 { return .invalid(reason: "not a Gamma member header (byte 9)") }
        let sub: [UInt8] = [0x24, 0, UInt8(ascii: "G"), UInt8(ascii: "m"), 32, 0]
        for i in 10..<max(10, min(n, 16)) where bytes[i] != sub[i - 10] {
            return .invalid(reason: "not a Gamma member header (byte \(i))")
        }
        if n > 16 && !(1...version).contains(bytes[16]) {
            return .invalid(reason: "not a Gamma member header (version \(bytes[16]))")
        }
        if n < size { return .incomplete }
        let stored = UInt32(get(bytes, 44, 4))
        let actual = UInt32(crc32(0, bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), 44))
        guard stored == actual else { return .invalid(reason: "member header checksum mismatch") }
        let headerVersion = bytes[16]
        let knownFlags: UInt8 = headerVersion >= 2 ? 3 : 1
        guard bytes[17] & ~knownFlags == 0, headerVersion >= 2 || (bytes[18] == 0 && bytes[19] == 0) else {
            return .invalid(reason: "unknown member header flags")
        }
        var h = MemberHeader(
            sealed: bytes[17] & 1 == 1,
            length: UInt32(get(bytes, 20, 4)),
            lineCount: UInt32(get(bytes, 24, 4)),
            minTimestamp: Int64(bitPattern: get(bytes, 28, 8)),
            maxTimestamp: Int64(bitPattern: get(bytes, 36, 8)),
            index: UInt16(get(bytes, 18, 2)),
            startsSegment: bytes[17] & 2 == 2
        )
        h.version = headerVersion
        h.extraFlags = bytes[8]
        guard Int(h.length) >= size + 2 + trailerSize else {
            return .invalid(reason: "member length \(h.length) too small")
        }
        return .header(h)
    }

    package static func parse(_ bytes: [UInt8]) -> Parse {
        bytes.withUnsafeBytes { parse($0) }
    }

    static func put(_ v: UInt64, _ width: Int, _ b: inout [UInt8], _ at: Int) {
        for i in 0..<width { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
    }

    static func get(_ b: UnsafeRawBufferPointer, _ at: Int, _ width: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<width { v |= UInt64(b[at + i]) << (8 * UInt64(i)) }
        return v
    }
}
