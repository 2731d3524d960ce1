#if canImport(Glibc)
import Glibc
#endif

/// A mutex with a condition variable, for the writer's hand-off queue and the reader's pipeline.
///
/// `Synchronization.Mutex` has no condition variable, so this wraps pthreads. The pthread objects
/// are heap-allocated so they never move.
// @unchecked Sendable: a lock-owning box; concurrency checks do not recognize pthread locks.
package final class ConditionLock: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cond: UnsafeMutablePointer<pthread_cond_t>

    package init() {
        mutex = .allocate(capacity: 1)
        cond = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    package func lock() { pthread_mutex_lock(mutex) }
    package func unlock() { pthread_mutex_unlock(mutex) }

    package func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Waits for a signal; the lock must be held.
    package func wait() { pthread_cond_wait(cond, mutex) }

    /// Waits for a signal or until the monotonic deadline (nanoseconds); the lock must be held.
    package func wait(untilMonotonic deadline: Int64) {
        var ts = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
        pthread_cond_timedwait(cond, mutex, &ts)
    }

    package func broadcast() { pthread_cond_broadcast(cond) }
}
