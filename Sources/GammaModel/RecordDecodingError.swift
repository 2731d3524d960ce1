/// Why a line is not a valid record: the byte offset in the line, and the reason.
public struct RecordDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Offset of the offending byte from the start of the line.
    public var offset: Int
    public var reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "byte \(offset): \(reason)" }
}

/// A decoded line: a record of schema v1, or a record of a type this version does not know
/// (forward compatibility: count it, do not fail).
public enum DecodedLine: Hashable, Sendable {
    case record(Record)
    case unknown(type: String)
}
