public import GammaModel
import GammaLog
import Synchronization

/// The discrete-event clock of a simulation: concurrent runs interleave in simulated time, one
/// at a time, in an order fixed by the seed.
///
/// Every run is a task, but only one of them executes at any moment. A run that lets time pass
/// (``pass(_:)``) parks on a wake-up at `now + nanoseconds` and hands control back to the
/// driver (``Simulation``), which pops the earliest event, moves the clock to it, and resumes
/// that one run (or starts a new one, or samples the gauges). Ties go to the event scheduled
/// first. So nothing sleeps, the clock only moves forward, and the same seed records the same
/// lines in the same order, whatever the machine's scheduler does.
public final class SimulationClock: EpochClock {
    /// What an event does when its time comes.
    package enum Event {
        /// A parked run continues.
        case resume(CheckedContinuation<Void, Never>)
        /// The driver's own events: a run arrives, the gauges are sampled.
        case arrival
        case tick
    }

    /// Why control came back to the driver.
    package enum Handback: Equatable { case parked, finished }

    struct Key: Comparable {
        var time: Int64
        var seq: UInt64
        static func < (a: Key, b: Key) -> Bool { (a.time, a.seq) < (b.time, b.seq) }
    }

    struct State {
        var now: Int64
        var heap = MinHeap<Key>()
        var events: [UInt64: Event] = [:]
        var seq: UInt64 = 0
        var handback: Handback?
        var driver: CheckedContinuation<Handback, Never>?

        mutating func schedule(_ event: Event, at time: Int64) {
            seq += 1
            heap.push(Key(time: time, seq: seq))
            events[seq] = event
        }

        /// Hands control back: to the waiting driver, or to its next wait.
        mutating func handBack(_ h: Handback) -> (CheckedContinuation<Handback, Never>, Handback)? {
            if let d = driver {
                driver = nil
                return (d, h)
            }
            handback = h
            return nil
        }
    }

    private let state: Mutex<State>

    public init(start: Int64) { state = Mutex(State(now: start)) }

    public func now() -> Int64 { state.withLock { $0.now } }

    /// Parks the calling run until `nanoseconds` of simulated time have passed.
    public func pass(_ nanoseconds: Int64) async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let waiting = state.withLock { s in
                s.schedule(.resume(c), at: s.now + max(0, nanoseconds))
                return s.handBack(.parked)
            }
            if let (driver, h) = waiting { driver.resume(returning: h) }
        }
    }

    /// A run is over: control goes back to the driver.
    package func finished() {
        if let (driver, h) = state.withLock({ $0.handBack(.finished) }) { driver.resume(returning: h) }
    }

    /// Schedules one of the driver's own events.
    package func schedule(_ event: Event, at time: Int64) {
        state.withLock { $0.schedule(event, at: time) }
    }

    /// Takes the earliest event and moves the clock to its time; `nil` when none is left.
    package func next() -> (time: Int64, event: Event)? {
        state.withLock { s in
            guard let key = s.heap.peek else { return nil }
            s.heap.pop()
            s.now = max(s.now, key.time)
            return (key.time, s.events.removeValue(forKey: key.seq)!)
        }
    }

    /// Waits until the run that has control parks or finishes.
    package func waitForHandback() async -> Handback {
        await withCheckedContinuation { (c: CheckedContinuation<Handback, Never>) in
            let ready: Handback? = state.withLock { s in
                if let h = s.handback {
                    s.handback = nil
                    return h
                }
                s.driver = c
                return nil
            }
            if let ready { c.resume(returning: ready) }
        }
    }
}
