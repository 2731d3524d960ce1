#if canImport(Glibc)
import Glibc
#endif
internal import CZlib

/// Inflates one complete Gamma member and checks it: zlib checks the gzip header, CRC-32 and ISIZE;
/// this checks that the member ends exactly where its header says, holds whole lines only, and
/// holds as many lines as its header says.
///
/// One decoder per thread; the `z_stream` is heap-allocated and reused with `inflateReset`.
final class MemberDecoder {
    /// The largest decompressed member accepted; a writer never makes one above its line limit plus member size.
    static let maxDecodedBytes = 64 << 20

    private let stream: UnsafeMutablePointer<z_stream>

    init() {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = czlib_inflate_init2(stream, 16 + 15)  // gzip wrapper only
        precondition(rc == Z_OK, "inflateInit2 failed: \(rc)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Decodes `member` (all of its bytes, as the header's length says).
    /// - Returns: the decompressed lines, each ending in `\n`, or the reason the member is corrupt.
    func decode(_ member: UnsafeRawBufferPointer, header: MemberHeader) -> Result<[UInt8], MemberCorruption> {
        guard member.count == Int(header.length) else {
            return .failure(.init("member is \(member.count) bytes, header says \(header.length)"))
        }
        let isize = Int(MemberHeader.get(member, member.count - 4, 4))
        guard isize <= Self.maxDecodedBytes else {
            return .failure(.init("ISIZE \(isize) exceeds the limit of \(Self.maxDecodedBytes) bytes"))
        }
        inflateReset(stream)
        var failure: MemberCorruption?
        // One spare byte: output beyond ISIZE is detected, never written past the buffer.
        let out = [UInt8](unsafeUninitializedCapacity: isize + 1) { buf, initialized in
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: member.baseAddress!.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(member.count)
            stream.pointee.next_out = buf.baseAddress!
            stream.pointee.avail_out = uInt(isize + 1)
            let rc = inflate(stream, Z_FINISH)
            initialized = Int(stream.pointee.total_out)
            if rc != Z_STREAM_END {
                failure = MemberCorruption(Self.describe(rc, stream))
            } else if stream.pointee.avail_in != 0 {
                failure = MemberCorruption(
                    "gzip member ends \(stream.pointee.avail_in) bytes before the length in its header")
            }
        }
        if let failure { return .failure(failure) }
        let lines = LineSplitter.count(out)
        if !out.isEmpty && out.last != UInt8(ascii: "\n") {
            return .failure(.init("member does not end at a line boundary"))
        }
        guard lines == Int(header.lineCount) else {
            return .failure(.init("member holds \(lines) lines, its header says \(header.lineCount)"))
        }
        return .success(out)
    }

    static func describe(_ rc: Int32, _ stream: UnsafeMutablePointer<z_stream>) -> String {
        let message = stream.pointee.msg.map { String(cString: $0) }
        switch rc {
        case Z_DATA_ERROR: return "inflate: \(message ?? "invalid deflate data")"
        case Z_BUF_ERROR, Z_OK: return message.map { "inflate: \($0)" } ?? "deflate data ends early or exceeds ISIZE"
        case Z_MEM_ERROR: return "inflate: out of memory"
        case Z_NEED_DICT: return "inflate: needs a preset dictionary"
        default: return "inflate: \(message ?? "error \(rc)")"
        }
    }
}

/// Why a member could not be read.
public struct MemberCorruption: Error, Equatable, Sendable {
    public let reason: String
    init(_ reason: String) { self.reason = reason }
}
