#if canImport(Glibc)
import Glibc
#endif

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
