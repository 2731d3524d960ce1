import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Buffered output to standard output or to the file of `-o PATH`, written with `write(2)`.
///
/// `cat` writes hundreds of MB through it; `print` would lock and flush per line.
///
/// A file is written under a temporary name beside it (`.NAME.tmp-PID`, which no reader takes for
/// a log or a report) and renamed over `PATH` by ``finish()`` only when every byte was written, so a
/// run that is refused, fails or is killed leaves an existing file as it was.
public final class Output {
    private var buffer: [UInt8] = []
    public let fd: Int32
    /// Set when a write failed (EPIPE when the reader of a pipe went away): stop producing output.
    public private(set) var failed = false
    /// The errno of the first failed write.
    private var failure: Int32 = 0
    /// The file being written and its temporary name, until ``finish()`` renames one to the other.
    private var file: (path: String, temporary: String)?
    /// A device or pipe opened by path, written in place.
    private var device: String?

    public init(fd: Int32 = 1) {
        self.fd = fd
        buffer.reserveCapacity(1 << 17)
    }

    /// The file of `-o PATH`, or standard output; a file that cannot be made is an error naming
    /// it (exit 2).
    public static func opening(_ path: String?) throws -> Output {
        guard let path else { return Output() }
        // Only a regular file (or a new one) is replaced by rename; a device, a pipe or a socket
        // (`-o /dev/stdout`, `-o /dev/full`, a FIFO) is written in place.
        var info = stat()
        if stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG {
            let fd = open(path, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else {
                printError("error: cannot write \(path): \(String(cString: strerror(errno)))")
                throw ExitCode(2)
            }
            let out = Output(fd: fd)
            out.device = path
            return out
        }
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = folder + "." + name + ".tmp-" + String(getpid())
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            printError("error: cannot write \(path): \(String(cString: strerror(errno)))")
            throw ExitCode(2)
        }
        let out = Output(fd: fd)
        out.file = (path, temporary)
        return out
    }

    /// Flushes; for a file, closes it and renames it over its path. A failed write is an error
    /// naming the output and the reason (exit 2), except a closed pipe on standard output,
    /// which ends the run quietly, as `cat` does.
    public func finish() throws {
        flush()
        if let file {
            self.file = nil
            if !failed && fsync(fd) != 0 && errno != EINVAL { failed = true; failure = errno }
            if close(fd) != 0 && !failed { failed = true; failure = errno }
            if !failed && rename(file.temporary, file.path) != 0 { failed = true; failure = errno }
            if failed {
                unlink(file.temporary)
                printError("error: cannot write \(file.path): \(String(cString: strerror(failure)))")
                throw ExitCode(2)
            }
            return
        }
        if let device {
            self.device = nil
            if close(fd) != 0 && !failed { failed = true; failure = errno }
            if failed {
                printError("error: cannot write \(device): \(String(cString: strerror(failure)))")
                throw ExitCode(2)
            }
            return
        }
        if failed {
            if failure == EPIPE { throw ExitCode.success }
            printError("error: cannot write to standard output: \(String(cString: strerror(failure)))")
            throw ExitCode(2)
        }
    }

    deinit {
        // Never finished (the run stopped with an error): the old file stays, the new one goes.
        if let file {
            close(fd)
            unlink(file.temporary)
        } else if device != nil {
            flush()
            close(fd)
        } else {
            flush()
        }
    }

    public func write(_ bytes: UnsafeRawBufferPointer) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func line(_ text: String = "") {
        write(text)
        buffer.append(0x0A)
    }

    public func flush() {
        guard !buffer.isEmpty, !failed else { buffer.removeAll(keepingCapacity: true); return }
        buffer.withUnsafeBytes { b in
            var done = 0
            while done < b.count {
                let n = Glibc.write(fd, b.baseAddress! + done, b.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 {
                    failed = true
                    failure = n < 0 ? errno : EIO
                    return
                }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}
