/// The members of a segment as its headers tell, found without inflating anything.
package struct SegmentLayout: Equatable, Sendable {
    package enum Format: String, Sendable {
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
    package struct Member: Equatable, Sendable {
        package var offset: Int64
        package var header: MemberHeader
        package var end: Int64 { offset + Int64(header.length) }
    }

    /// Bytes after the last valid member that are not a whole member.
    package struct Tail: Equatable, Sendable {
        package var offset: Int64
        package var length: Int64
        /// A prefix of a member, as a crash mid-write leaves ("not yet" while the stream is live).
        package var isIncompleteMember: Bool
        package var reason: String
    }

    package var format: Format
    package var size: Int64
    package var members: [Member] = []
    /// Invalid byte ranges between valid members: (offset, length, reason).
    package var corruptRegions: [CorruptRegion] = []
    package var tail: Tail?

    package struct CorruptRegion: Equatable, Sendable {
        package var offset: Int64
        package var length: Int64
        package var reason: String
    }

    /// Whether the segment ends with the sealed trailer and nothing after it.
    package var isSealed: Bool { tail == nil && members.last?.header.sealed == true }
    package var lineCount: Int { members.reduce(0) { $0 + Int($1.header.lineCount) } }
    package var timeRange: ClosedRange<Int64>? {
        let data = members.filter { $0.header.lineCount > 0 }
        guard let lo = data.map(\.header.minTimestamp).min(), let hi = data.map(\.header.maxTimestamp).max() else {
            return nil
        }
        return lo...hi
    }
}
