#if canImport(Glibc)
import Glibc
#endif
import Synchronization
public import Tracing

/// Where the agent's time comes from. A real clock sleeps; a virtual one only moves forward, so
/// a simulation records hours of traffic in seconds.
public protocol AgentClock: Sendable {
    /// Nanoseconds since the Unix epoch.
    func now() -> Int64
    /// Lets `nanoseconds` pass (a model's simulated latency, a retry's backoff).
    func pass(_ nanoseconds: Int64) async
}

/// The system's clock; `pass` sleeps.
public struct RealAgentClock: AgentClock {
    public init() {}
    public func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
    public func pass(_ nanoseconds: Int64) async {
        guard nanoseconds > 0 else { return }
        try? await Task.sleep(nanoseconds: UInt64(nanoseconds))
    }
}

/// A clock that moves only when time is let pass: for one run at a time in simulated time.
public final class VirtualAgentClock: AgentClock {
    private let nanos: Atomic<Int64>
    public init(start: Int64) { nanos = Atomic(start) }
    public func now() -> Int64 { nanos.load(ordering: .relaxed) }
    public func pass(_ nanoseconds: Int64) async { _ = nanos.wrappingAdd(max(0, nanoseconds), ordering: .relaxed) }
}

/// An instant of an ``AgentClock``, for the tracing API's `at:` parameters.
public struct AgentInstant: TracerInstant {
    public var nanosecondsSinceEpoch: UInt64
    public init(_ nanos: Int64) { nanosecondsSinceEpoch = UInt64(max(0, nanos)) }
    public static func < (a: AgentInstant, b: AgentInstant) -> Bool { a.nanosecondsSinceEpoch < b.nanosecondsSinceEpoch }
}
