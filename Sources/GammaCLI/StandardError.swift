#if canImport(Glibc)
import Glibc
#endif

/// Writes a message and a newline to standard error at once (one `write`, no buffering).
public func printError(_ message: String) {
    var text = message + "\n"
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

/// The width of the terminal on `fd` (standard output by default), or `nil` when it is not a
/// terminal: callers choose their own default for files and pipes.
public func terminalWidth(fd: Int32 = 1) -> Int? {
    var size = winsize()
    guard isatty(fd) == 1, ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
    return Int(size.ws_col)
}
