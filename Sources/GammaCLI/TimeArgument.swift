import GammaConfig
import GammaModel

/// A time given on the command line: absolute, or relative to the end of the data (`-1h`).
public enum TimeArgument: Equatable, Sendable {
    case absolute(Int64)
    /// So many nanoseconds before the last record of the input.
    case beforeEnd(Int64)

    public init?(_ text: String) {
        if text.hasPrefix("-"), let d = DurationParser.parse(String(text.dropFirst())) {
            self = .beforeEnd(d)
        } else if let t = TimeParser.parse(text) {
            self = .absolute(t)
        } else {
            return nil
        }
    }

    /// Whether the time is relative to the end of the data.
    public var isRelative: Bool { if case .beforeEnd = self { true } else { false } }

    public func resolve(end: Int64?) -> Int64? {
        switch self {
        case .absolute(let t): return t
        case .beforeEnd(let d): return end.map { $0 - d }
        }
    }
}
