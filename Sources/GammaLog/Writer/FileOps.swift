#if canImport(Glibc)
internal import Glibc
#endif

/// The system calls the writer makes, behind a seam so tests can inject faults
/// (a short write, ENOSPC, EIO on fsync), as wlog's tests swap in a faulty segment file.
///
/// Each function returns the C result and leaves `errno` set on failure.
package struct FileOps: Sendable {
    package var open: @Sendable (_ path: String, _ flags: Int32, _ mode: UInt32) -> Int32
    package var write: @Sendable (_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int
    package var fsync: @Sendable (_ fd: Int32) -> Int32
    package var ftruncate: @Sendable (_ fd: Int32, _ length: Int64) -> Int32

    package static let system = FileOps(
        open: { path, flags, mode in Glibc.open(path, flags, mode_t(mode)) },
        write: { fd, bytes in Glibc.write(fd, bytes.baseAddress, bytes.count) },
        fsync: { fd in Glibc.fsync(fd) },
        ftruncate: { fd, length in Glibc.ftruncate(fd, off_t(length)) }
    )

    package init(
        open: @escaping @Sendable (String, Int32, UInt32) -> Int32,
        write: @escaping @Sendable (Int32, UnsafeRawBufferPointer) -> Int,
        fsync: @escaping @Sendable (Int32) -> Int32,
        ftruncate: @escaping @Sendable (Int32, Int64) -> Int32
    ) {
        self.open = open
        self.write = write
        self.fsync = fsync
        self.ftruncate = ftruncate
    }

    /// Writes every byte or returns the errno of the failure (swift-system's `writeAll`).
    func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Int32? {
        var done = 0
        while done < bytes.count {
            let n = write(fd, UnsafeRawBufferPointer(rebasing: bytes[done...]))
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            done += n
        }
        return nil
    }
}

/// Small POSIX helpers for the reader and repair, which need no fault seam.
package enum POSIX {
    package static func isDirectory(_ path: String) -> Bool? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func fileSize(_ path: String) -> Int64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Int64(st.st_size)
    }

    /// The names in a folder, sorted bytewise, without `.` and `..`.
    package static func listDirectory(_ path: String) throws(LogError) -> [String] {
        guard let dir = opendir(path) else { throw .system(path: path, operation: "opendir", errno: errno) }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// Reads up to `count` bytes at `offset`; fewer only at the end of the file.
    static func pread(fd: Int32, offset: Int64, count: Int, path: String) throws(LogError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        var done = 0
        let failure: Int32? = result.withUnsafeMutableBytes { buf in
            while done < count {
                let n = Glibc.pread(fd, buf.baseAddress! + done, count - done, off_t(offset) + off_t(done))
                if n < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                if n == 0 { break }
                done += n
            }
            return nil
        }
        if let failure { throw .system(path: path, operation: "pread", errno: failure) }
        if done < count { result.removeLast(count - done) }
        return result
    }

    /// fsyncs a folder, so a file created in it survives a power loss.
    static func syncDirectory(_ path: String) -> Int32? {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return errno }
        defer { close(fd) }
        return fsync(fd) == 0 ? nil : errno
    }
}
