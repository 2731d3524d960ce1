#if canImport(Glibc)
import Glibc
#endif

/// Random access to a segment's bytes: a file (by `pread`) or memory (tests, the fuzzer).
package protocol ByteSource: AnyObject, Sendable {
    /// Where the bytes come from, for error messages.
    var path: String { get }
    var count: Int64 { get }
    /// Up to `count` bytes at `offset`; fewer only at the end.
    func read(at offset: Int64, count: Int) throws(LogError) -> [UInt8]
}

/// A file, opened once and read with `pread`. The size is taken when it is opened.
package final class FileSource: ByteSource {
    package let path: String
    package let count: Int64
    private let fd: Int32

    package init(path: String) throws(LogError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            let code = errno
            close(fd)
            throw .system(path: path, operation: "fstat", errno: code)
        }
        self.path = path
        self.fd = fd
        self.count = Int64(st.st_size)
    }

    deinit { close(fd) }

    package func read(at offset: Int64, count: Int) throws(LogError) -> [UInt8] {
        let n = Int(max(0, min(Int64(count), self.count - offset)))
        return try POSIX.pread(fd: fd, offset: offset, count: n, path: path)
    }
}

/// Bytes in memory.
package final class MemorySource: ByteSource {
    package let path: String
    package let bytes: [UInt8]
    package var count: Int64 { Int64(bytes.count) }

    package init(_ bytes: [UInt8], path: String = "<memory>") {
        self.bytes = bytes
        self.path = path
    }

    package func read(at offset: Int64, count: Int) throws(LogError) -> [UInt8] {
        let start = Int(max(0, min(offset, self.count)))
        let end = min(bytes.count, start + count)
        return Array(bytes[start..<end])
    }
}
