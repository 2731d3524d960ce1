#if canImport(Glibc)
package import Glibc
#endif

/// Nanoseconds on the monotonic clock.
@inline(__always)
package func monotonicNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// Starts a real thread running `body`: the one place a closure crosses `pthread_create`. Used
/// for the writer's compressor, the reader's workers, and the tests' threads and stub servers.
/// - Parameter joinable: keep the thread joinable (``joinThread(_:)``) instead of detaching it.
/// - Returns: the thread, for ``joinThread(_:)`` when joinable.
@discardableResult
package func startThread(joinable: Bool = false, _ body: @escaping @Sendable () -> Void) -> pthread_t {
    final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
    let box = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(
        &thread, nil,
        { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            box.body()
            return nil
        }, box)
    precondition(rc == 0, "pthread_create failed: \(rc)")
    if !joinable { pthread_detach(thread) }
    return thread
}

/// Waits for a thread started with `joinable: true` to end.
package func joinThread(_ thread: pthread_t) {
    pthread_join(thread, nil)
}
