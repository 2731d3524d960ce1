#if canImport(Glibc)
import Glibc
#endif
import GammaLog
import Synchronization

/// One line of progress on standard error, redrawn at most five times a second, shown only when
/// standard error is a terminal (so logs and pipes never see it).
public final class ProgressLine: Sendable {
    public let enabled: Bool
    /// When the line was last drawn, and whether it is on the screen.
    private let state = Mutex<(lastShown: Int64, shown: Bool)>((0, false))

    public init(disabled: Bool = false) { enabled = !disabled && isatty(2) == 1 }

    /// Redraws the line with `text`, unless it was drawn less than 0.2 s ago (or `force`).
    public func show(_ text: @autoclosure () -> String, force: Bool = false) {
        guard enabled else { return }
        let now = monotonicNanos()
        let due = state.withLock { s in
            guard force || now - s.lastShown >= 200_000_000 else { return false }
            s = (now, true)
            return true
        }
        guard due else { return }
        let line = "\r\u{1B}[K" + text()
        line.withCString { _ = write(2, $0, strlen($0)) }
    }

    /// A bar of `width` cells, `fraction` of them full.
    public static func bar(_ fraction: Double, width: Int = 30) -> String {
        let full = Int((min(1, max(0, fraction)) * Double(width)).rounded(.down))
        return "[" + String(repeating: "#", count: full) + String(repeating: ".", count: width - full) + "]"
    }

    /// Clears the line, so what follows starts on a clean one.
    public func clear() {
        guard enabled,
            state.withLock({ s in
                defer { s.shown = false }; return s.shown
            })
        else { return }
        "\r\u{1B}[K".withCString { _ = write(2, $0, strlen($0)) }
    }
}
