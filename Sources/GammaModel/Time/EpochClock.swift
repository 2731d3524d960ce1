#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where time comes from, for the recorder and the agent alike: nanoseconds since the Unix epoch,
/// UTC, and a way to let time pass.
///
/// A real clock (``SystemClock``) sleeps when time passes; a manual one (``ManualClock``, or a
/// simulation's discrete-event clock) only moves forward when told, so a simulation records hours
/// of traffic in seconds and the recorder stamps its records with the simulated time.
public protocol EpochClock: Sendable {
    /// Nanoseconds since the Unix epoch.
    func now() -> Int64
    /// Lets `nanoseconds` pass (a model's latency, a retry's backoff); nothing for zero or less.
    func pass(_ nanoseconds: Int64) async
}

/// The system's real-time clock; ``pass(_:)`` sleeps.
public struct SystemClock: EpochClock {
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

/// A clock that moves only when told (``set(_:)``, ``advance(by:)``) or when time is let pass,
/// without sleeping: for tests and for one run at a time in simulated time.
public final class ManualClock: EpochClock {
    private let nanos: Atomic<Int64>

    public init(start: Int64) { nanos = Atomic(start) }

    public func now() -> Int64 { nanos.load(ordering: .relaxed) }

    public func set(_ value: Int64) { nanos.store(value, ordering: .relaxed) }

    @discardableResult
    public func advance(by delta: Int64) -> Int64 { nanos.wrappingAdd(delta, ordering: .relaxed).newValue }

    public func pass(_ nanoseconds: Int64) async { advance(by: max(0, nanoseconds)) }
}
