/// Something wrong in a segment: where, what, and whether `gamma-log repair` may remove it.
public struct LogDamage: Equatable, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The last member of a dead stream's segment is cut short, or junk follows the last valid member.
        case tornTail = "torn tail"
        /// A member whose header is valid but whose data is not (inflate error, CRC, ISIZE, lines).
        case corruptMember = "corrupt member"
        /// Bytes between valid members that are not a member; the reader skipped to the next header.
        case corruptBytes = "corrupt bytes"
        /// A file with no gzip member at all.
        case notASegment = "not a segment"
        /// A file that could not be read.
        case unreadable
    }

    public var kind: Kind
    public var path: String
    /// Byte offset in the file where the damage starts.
    public var offset: Int64
    /// Bytes affected, when known.
    public var length: Int64?
    public var reason: String
    /// Whether `gamma-log repair` removes it (torn tails of dead streams, by truncation).
    public var repairable: Bool

    public init(kind: Kind, path: String, offset: Int64, length: Int64? = nil, reason: String, repairable: Bool = false)
    {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.length = length
        self.reason = reason
        self.repairable = repairable
    }

    public var description: String {
        let span = length.map { " (\($0) bytes)" } ?? ""
        return "\(path) at byte \(offset)\(span): \(kind.rawValue): \(reason)"
    }
}
