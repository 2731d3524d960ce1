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
    /// Whether a foreign gzip member's lines wait until its CRC has checked (the default, for every
    /// figure). Off, they stream as they are inflated and a member that then fails is reported as
    /// damage saying its lines may be wrong: `gamma-log cat`, which recovers what `zcat` would.
    public var checkForeignMembersFirst = true
    /// How much of a foreign member's lines is held before its end; a larger member is inflated
    /// twice, once to check it and once to deliver it.
    package var foreignBufferLimit = 128 << 20
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
