import GammaLog

/// Ended spans waiting to be written, and the thread that writes them: `end()` costs the caller
/// one lock and an append, while redaction, sorting attributes and encoding the line happen here,
/// off the recording path.
///
/// The thread takes what is queued in batches. After a batch it naps for a millisecond without
/// asking to be woken, so that under steady load no caller pays for a wake-up; only when a nap
/// finds the queue empty does it wait to be signalled, by the next span. ``drain()`` (under
/// ``LogRecorder/flush()`` and ``LogRecorder/close()``) writes what is queued on the calling
/// thread and waits for the batch in flight, so a flush still covers every span ended before it.
/// A full queue (``limit``) or a stopped one refuses a span, and its caller writes it itself: the
/// queue bounds memory without losing anything.
// @unchecked Sendable: a lock-owning box; every stored property is guarded by `lock`.
final class DeferredSpans: @unchecked Sendable {
    static let limit = 1 << 14
    private let lock = ConditionLock()
    private var pending: [GammaSpan] = []
    /// Batches being written outside the lock (by the thread, or by callers of `drain`).
    private var inFlight = 0
    private var threadStarted = false
    private var threadWaiting = false
    private var stopped = false

    init() {}

    /// Queues `span` to be written; `false` when the queue is full or stopped.
    func push(_ span: GammaSpan) -> Bool {
        lock.lock()
        guard !stopped, pending.count < Self.limit else {
            lock.unlock()
            return false
        }
        pending.append(span)
        if !threadStarted {
            threadStarted = true
            startThread { [self] in run() }
        }
        let wake = threadWaiting
        if wake { threadWaiting = false }
        lock.unlock()
        if wake { lock.broadcast() }
        return true
    }

    private func run() {
        lock.lock()
        while true {
            if pending.isEmpty {
                if stopped { break }
                // A nap first (no caller signals it), then a wait that the next span ends.
                lock.wait(untilMonotonic: monotonicNanos() + 1_000_000)
                if pending.isEmpty && !stopped {
                    threadWaiting = true
                    while threadWaiting && !stopped { lock.wait() }
                }
                continue
            }
            writeBatch()
        }
        lock.unlock()
    }

    /// Takes the queue and writes it outside the lock; called and returns with the lock held.
    private func writeBatch() {
        var batch: [GammaSpan] = []
        swap(&batch, &pending)
        pending.reserveCapacity(batch.count)
        inFlight += 1
        lock.unlock()
        for span in batch { span.write() }
        lock.lock()
        inFlight -= 1
        lock.broadcast()
    }

    /// Writes every span queued so far, and waits for those being written.
    func drain() {
        lock.lock()
        while true {
            if !pending.isEmpty {
                writeBatch()
            } else if inFlight > 0 {
                lock.wait()
            } else {
                break
            }
        }
        lock.unlock()
    }

    /// Drains, refuses spans from now on (their callers write them), and ends the thread.
    func stop() {
        lock.lock()
        stopped = true
        threadWaiting = false
        lock.unlock()
        lock.broadcast()
        drain()
    }
}
