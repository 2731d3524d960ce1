internal import CZlib

/// Compresses a buffer of whole lines into one complete Gamma gzip member.
///
/// Raw deflate between a header written here and a CRC-32/ISIZE trailer, so the header can carry
/// the member's own length. One encoder per thread; the `z_stream` is heap-allocated because zlib
/// keeps a pointer back to it.
final class MemberEncoder {
    private let stream: UnsafeMutablePointer<z_stream>
    private let level: Int32

    init(level: Int32) {
        self.level = level
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // windowBits -15: raw deflate, no zlib or gzip wrapper; memLevel 8 is zlib's default.
        let rc = czlib_deflate_init2(stream, level, -15, 8, Z_DEFAULT_STRATEGY)
        precondition(rc == Z_OK, "deflateInit2 failed: \(rc)")
    }

    deinit {
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Encodes `lines` (whole lines, each ending in `\n`, or empty for the sealed trailer) as the
    /// member at `index` (0 for the first) of its segment.
    func encode(
        _ lines: UnsafeRawBufferPointer, lineCount: Int, minTimestamp: Int64, maxTimestamp: Int64,
        index: Int, sealed: Bool = false
    ) -> [UInt8] {
        deflateReset(stream)
        let bound = Int(deflateBound(stream, uLong(lines.count)))
        let capacity = MemberHeader.size + bound + MemberHeader.trailerSize + 16
        var out = [UInt8](unsafeUninitializedCapacity: capacity) { buf, initialized in
            let base = buf.baseAddress!
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: lines.baseAddress?.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(lines.count)
            stream.pointee.next_out = base + MemberHeader.size
            stream.pointee.avail_out = uInt(capacity - MemberHeader.size - MemberHeader.trailerSize)
            let rc = deflate(stream, Z_FINISH)
            precondition(rc == Z_STREAM_END, "deflate with a deflateBound-sized buffer must finish: \(rc)")
            var end = MemberHeader.size + Int(stream.pointee.total_out)
            let crc = UInt32(crc32(0, lines.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(lines.count)))
            let isize = UInt32(truncatingIfNeeded: lines.count)
            for value in [crc, isize] {
                for i in 0..<4 { base[end + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
                end += 4
            }
            initialized = end
        }
        var header = MemberHeader(
            sealed: sealed, length: UInt32(out.count), lineCount: UInt32(lineCount),
            minTimestamp: minTimestamp, maxTimestamp: maxTimestamp,
            index: UInt16(truncatingIfNeeded: index), startsSegment: index == 0)
        header.extraFlags = level == 1 ? 4 : (level == 9 ? 2 : 0)
        header.write(into: &out, at: 0)
        return out
    }

    /// The empty member that ends a cleanly closed segment, at `index`.
    func sealedTrailer(index: Int) -> [UInt8] {
        encode(
            UnsafeRawBufferPointer(start: nil, count: 0), lineCount: 0, minTimestamp: 0, maxTimestamp: 0,
            index: index, sealed: true)
    }
}
