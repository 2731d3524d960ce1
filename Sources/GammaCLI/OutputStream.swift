import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// Buffered output to a file descriptor (stdout by default), written with `write(2)`.
///
/// `cat` writes hundreds of MB through it; `print` would lock and flush per line.
public final class Output {
    private var buffer: [UInt8] = []
    public let fd: Int32
    /// Set when a write failed (EPIPE when the reader of a pipe went away): stop producing output.
    public private(set) var failed = false

    /// Whether `fd` is a file this output opened (and closes in ``finish()``).
    private var ownsFile = false

    public init(fd: Int32 = 1) {
        self.fd = fd
        buffer.reserveCapacity(1 << 17)
    }

    /// The file of `-o PATH` (made or emptied), or standard output; a file that cannot be
    /// opened is an error naming it (exit 2).
    public static func opening(_ path: String?) throws -> Output {
        guard let path else { return Output() }
        let out = Output(fd: open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644))
        guard out.fd >= 0 else {
            printError("error: cannot write \(path): \(String(cString: strerror(errno)))")
            throw ExitCode(2)
        }
        out.ownsFile = true
        return out
    }

    /// Flushes, closes a file it opened, and exits 2 if a write failed.
    public func finish() throws {
        flush()
        if ownsFile {
            close(fd)
            ownsFile = false
        }
        if failed { throw ExitCode(2) }
    }

    deinit { flush() }

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
                if n <= 0 { failed = true; return }
                done += n
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Writes a message to stderr at once.
public func printError(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}
