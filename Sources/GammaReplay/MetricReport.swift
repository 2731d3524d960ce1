public import GammaLog
public import GammaModel

/// Something a replay met and went on past: damage in the log, or a line that is not a record.
public enum ReplayIssue: Equatable, Sendable, CustomStringConvertible {
    case damage(LogDamage)
    /// A line that is not a valid record: its file, its member's byte offset, its line number in
    /// the member (from 1; `nil` where a time-merged read does not count lines), and the
    /// decoder's error (byte offset in the line and reason).
    case invalidLine(path: String, memberOffset: Int64, line: Int?, error: RecordDecodingError)

    public var description: String {
        switch self {
        case .damage(let d): return d.description
        case .invalidLine(let path, let offset, let line, let error):
            return "\(path): member at byte \(offset)\(line.map { ", line \($0)" } ?? ""): invalid record at \(error)"
        }
    }
}

/// The figures of every selected series, over the whole range and per window.
public struct MetricReport: Sendable {
    public struct Window: Equatable, Sendable {
        /// The window's range, half-open, in nanoseconds since the epoch.
        public var start: Int64
        public var end: Int64
        public var figures: Figures
    }

    public struct Series: Sendable {
        public var key: SeriesKey
        /// The unit and help text of its name's meta record, if one was read.
        public var unit: String?
        public var help: String?
        public var figures: Figures
        /// With a step: the windows in which the series has records, in time order.
        public var windows: [Window]
    }

    public var query: MetricQuery
    /// Sorted by name, kind, then labels.
    public var series: [Series]
    /// The covered time: the requested range, or the first and last record read where it is open.
    public var start: Int64?
    public var end: Int64?
    /// Records read in the range, of every type.
    public var records = 0
    /// Records of types this version does not know (counted, not an error).
    public var unknownRecords = 0
    public var invalidLines = 0
    public var damages: [LogDamage] = []
    /// Metric observations kept (after selection).
    public var observations = 0
}
