/// The members of a segment as its headers tell, found without inflating anything.
public struct SegmentLayout: Equatable, Sendable {
    public enum Format: String, Sendable {
        /// Gamma members with the `Gm` subfield.
        case gamma
        /// gzip made by another tool: members are found by inflating, in order.
        case foreign
        /// A file of zero bytes.
        case empty
        /// No gzip at all.
        case unknown
    }

    /// A member's position and header.
    public struct Member: Equatable, Sendable {
        public var offset: Int64
        public var header: MemberHeader
        public var end: Int64 { offset + Int64(header.length) }
    }

    /// Bytes after the last valid member that are not a whole member.
    public struct Tail: Equatable, Sendable {
        public var offset: Int64
        public var length: Int64
        /// A prefix of a member, as a crash mid-write leaves ("not yet" while the stream is live).
        public var isIncompleteMember: Bool
        public var reason: String
    }

    public var format: Format
    public var size: Int64
    public var members: [Member] = []
    /// Invalid byte ranges between valid members: (offset, length, reason).
    public var corruptRegions: [CorruptRegion] = []
    public var tail: Tail?

    public struct CorruptRegion: Equatable, Sendable {
        public var offset: Int64
        public var length: Int64
        public var reason: String
    }

    /// Whether the segment ends with the sealed trailer and nothing after it.
    public var isSealed: Bool { tail == nil && members.last?.header.sealed == true }
    public var lineCount: Int { members.reduce(0) { $0 + Int($1.header.lineCount) } }
    public var timeRange: ClosedRange<Int64>? {
        let data = members.filter { $0.header.lineCount > 0 }
        guard let lo = data.map(\.header.minTimestamp).min(), let hi = data.map(\.header.maxTimestamp).max() else { return nil }
        return lo...hi
    }
}
