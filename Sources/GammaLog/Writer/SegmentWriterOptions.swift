/// How a ``SegmentWriter`` batches, compresses, rotates and syncs.
public struct SegmentWriterOptions: Sendable {
    /// When the writer calls `fsync`.
    public enum Durability: String, Sendable, CaseIterable {
        /// Never; the kernel writes back when it likes. A process crash loses nothing written; a power loss may.
        case never
        /// When a segment is sealed, and on the folder when a segment is created. The default.
        case onRotate
        /// After every member, so a completed ``SegmentWriter/flush()`` survives a power loss.
        case everyFlush
    }

    /// What an append does when the compressor has fallen behind by ``maxPendingMembers`` members.
    public enum Overflow: String, Sendable, CaseIterable {
        /// Wait for the compressor. The default: nothing is lost.
        case block
        /// Drop the member being handed off and count its lines in ``SegmentWriter/Stats/droppedLines``.
        case drop
    }

    /// zlib level, 1 (fastest, the default) to 9.
    public var compressionLevel: Int32 = 1
    /// A member is cut when its uncompressed lines reach this many bytes (default 128 KiB).
    public var memberBytes: Int = 128 << 10
    /// Lines waiting longer than this are flushed as a member by the background thread (default 1 s).
    public var flushInterval: Duration = .seconds(1)
    /// A segment is sealed once its compressed size reaches this many bytes (default 64 MiB).
    public var maxSegmentBytes: Int64 = 64 << 20
    /// A segment is sealed before a member is written to it once it is this old (default 1 hour).
    public var maxSegmentAge: Duration = .seconds(3600)
    public var durability: Durability = .onRotate
    public var overflow: Overflow = .block
    /// Members handed to the compressor and not yet written, at most (default 8).
    public var maxPendingMembers: Int = 8
    /// The longest line accepted, in bytes (default 16 MiB).
    public var maxLineBytes: Int = 16 << 20
    /// Lines that open every new segment, in a member of their own before any appended line
    /// (the recorder's resource and meta records). Called on the writer's background thread with
    /// the earliest timestamp of the member that opens the segment, so the preamble's times come
    /// from the data and not from when the background thread got to it (a simulation on a virtual
    /// clock then writes the same bytes every time).
    public var segmentPreamble: (@Sendable (_ firstTimestamp: Int64) -> [(line: [UInt8], timestamp: Int64)])?

    public init() {}
}
