public import Tracing

/// An instant of an ``EpochClock``, for the tracing API's `at:` parameters.
public struct AgentInstant: TracerInstant {
    public var nanosecondsSinceEpoch: UInt64
    public init(_ nanos: Int64) { nanosecondsSinceEpoch = UInt64(max(0, nanos)) }
    public static func < (a: AgentInstant, b: AgentInstant) -> Bool {
        a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch
    }
}
