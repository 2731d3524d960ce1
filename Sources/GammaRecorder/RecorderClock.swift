#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Where the recorder's time comes from: nanoseconds since the Unix epoch, UTC.
///
/// Inject a ``ManualClock`` to record simulated time (nothing sleeps; time moves when told).
public protocol RecorderClock: Sendable {
    func now() -> Int64
}

/// The system's real-time clock.
public struct SystemClock: RecorderClock {
    public init() {}
    public func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_REALTIME, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }
}

/// A clock that moves only when told: for simulations and tests.
public final class ManualClock: RecorderClock {
    private let nanos: Atomic<Int64>

    public init(start: Int64) { nanos = Atomic(start) }

    public func now() -> Int64 { nanos.load(ordering: .relaxed) }

    public func set(_ value: Int64) { nanos.store(value, ordering: .relaxed) }

    @discardableResult
    public func advance(by delta: Int64) -> Int64 { nanos.add(delta, ordering: .relaxed).newValue }
}
