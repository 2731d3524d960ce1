#if canImport(Glibc)
import Glibc
#endif

/// What a ``LogReader`` reads.
public struct ReadOptions: Sendable {
    /// Lines with `ts` before this (nanoseconds since the epoch) are left out. Members whose
    /// header says they end before it are not even inflated.
    public var since: Int64?
    /// Lines with `ts` at or after this are left out (the range is half-open).
    public var until: Int64?
    /// Threads inflating members; by default one per core.
    public var workers: Int = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    public init(since: Int64? = nil, until: Int64? = nil) {
        self.since = since
        self.until = until
    }

    func contains(_ ts: Int64) -> Bool {
        if let since, ts < since { return false }
        if let until, ts >= until { return false }
        return true
    }
}

/// One line, valid only during the callback that receives it.
public struct LogLine {
    /// The line's bytes, without `\n`.
    public let bytes: UnsafeRawBufferPointer
    /// Index into ``LogReader/streams``.
    public let stream: Int
    /// Index into that stream's segments.
    public let segment: Int
    /// Byte offset of the member the line came from (0 for foreign files).
    public let memberOffset: Int64

    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// What a read found.
public struct ReadSummary: Equatable, Sendable {
    public var lines = 0
    public var membersRead = 0
    /// Members not inflated because their header's time range is outside the requested one.
    public var membersSkipped = 0
    public var segments = 0
    /// Damage, sorted by path and offset.
    public var damages: [LogDamage] = []
    /// Incomplete last members of live streams: "not yet", not damage.
    public var pendingTails: [LogDamage] = []
}
