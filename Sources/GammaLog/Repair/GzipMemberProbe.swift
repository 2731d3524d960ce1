internal import CZlib

#if canImport(Glibc)
import Glibc
#endif

/// Whether bytes hold a complete gzip member: one that inflates to its end with its CRC-32 and
/// length checked, whatever its header says besides (MTIME, a `Gm` subfield, a header CRC that
/// fails Gamma's check). `zcat` reads such a member, so repair must never remove it.
enum GzipMemberProbe {
    /// The length of the complete gzip member at `offset` of `path`, or `nil` when the bytes there
    /// cannot be one (cut short, damaged, not gzip).
    static func completeMember(path: String, at offset: Int64) -> Int64? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer {
            inflateEnd(stream)
            stream.deinitialize(count: 1)
            stream.deallocate()
        }
        guard czlib_inflate_init2(stream, 16 + 15) == Z_OK else { return nil }
        var input = [UInt8](repeating: 0, count: 1 << 16)
        var output = [UInt8](repeating: 0, count: 1 << 16)
        var position = offset
        while true {
            let n = input.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(position)) }
            guard n > 0 else { return nil }  // the end of the file before the member's end: cut short
            let rc: Int32 = input.withUnsafeMutableBufferPointer { inp in
                output.withUnsafeMutableBufferPointer { out in
                    stream.pointee.next_in = inp.baseAddress
                    stream.pointee.avail_in = uInt(n)
                    var rc: Int32 = Z_OK
                    repeat {
                        stream.pointee.next_out = out.baseAddress
                        stream.pointee.avail_out = uInt(out.count)
                        rc = inflate(stream, Z_NO_FLUSH)
                    } while rc == Z_OK && stream.pointee.avail_in > 0
                    return rc
                }
            }
            let consumed = Int64(n) - Int64(stream.pointee.avail_in)
            position += consumed
            if rc == Z_STREAM_END { return position - offset }
            guard rc == Z_OK || rc == Z_BUF_ERROR else { return nil }
        }
    }
}
