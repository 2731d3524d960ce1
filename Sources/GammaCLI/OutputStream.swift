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

    public init(fd: Int32 = 1) {
        self.fd = fd
        buffer.reserveCapacity(1 << 17)
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
