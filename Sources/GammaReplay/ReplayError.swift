/// Why a replay could not produce a report.
public enum ReplayError: Error, Equatable, CustomStringConvertible {
    /// A bad option or argument (exit 64).
    case usage(String)
    /// The selected data cannot be written in the requested format (two metrics mapping to one
    /// exposed name, one name recorded as two kinds, …).
    case conflict(String)
    /// With --strict: the log is damaged or holds invalid lines.
    case damaged(String)

    public var description: String {
        switch self {
        case .usage(let m), .conflict(let m), .damaged(let m): return m
        }
    }
}
