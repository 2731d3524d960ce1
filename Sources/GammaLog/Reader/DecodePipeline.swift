#if canImport(Glibc)
import Glibc
#endif

/// Inflates Gamma members on worker threads and hands the results back in job order.
///
/// Workers claim jobs in order, at most `window` ahead of the consumer, so memory stays bounded
/// by `window` decoded members whatever the log's size.
// @unchecked Sendable: a lock-owning box; `slots`, `nextClaim`, `nextConsume`, `stopped` and
// `active` are only touched with `lock` held; `jobs` and `open` are immutable.
final class DecodePipeline: @unchecked Sendable {
    struct Job: Sendable {
        var source: Int
        var offset: Int64
        var header: MemberHeader?  // nil: a foreign segment, decoded by the consumer itself
        /// Whether the worker may run `prepare` on the lines (not when the consumer filters them first).
        var prepare = false
    }

    /// Work on a member's lines done by the worker that inflated them, so that it runs in parallel.
    typealias Prepare = @Sendable (UnsafeRawBufferPointer) -> any Sendable

    enum Output {
        case lines([UInt8], prepared: (any Sendable)?)
        case corrupt(MemberCorruption)
        case unreadable(LogError)
        case foreign
    }

    let jobs: [Job]
    private let open: @Sendable (Int) throws(LogError) -> any ByteSource
    private let prepare: Prepare?
    private let lock = ConditionLock()
    private let window: Int
    private var slots: [Int: Output] = [:]
    private var nextClaim = 0
    private var nextConsume = 0
    private var stopped = false
    private var active = 0
    /// With one worker, jobs are decoded on the consumer's thread when it asks: no threads at all.
    private let inline: Bool
    private var inlineState: (decoder: MemberDecoder, cache: SourceCache)?

    init(
        jobs: [Job], workers: Int, prepare: Prepare? = nil,
        open: @escaping @Sendable (Int) throws(LogError) -> any ByteSource
    ) {
        self.jobs = jobs
        self.open = open
        self.prepare = prepare
        let workers = max(1, min(workers, jobs.count))
        window = 4 * workers
        inline = workers == 1
        guard !jobs.isEmpty, !inline else { return }
        active = workers
        for _ in 0..<workers { startThread { [self] in work() } }
    }

    /// The next result in job order, or `nil` after the last.
    func next() -> Output? {
        if inline {
            guard nextConsume < jobs.count else { return nil }
            if inlineState == nil { inlineState = (MemberDecoder(), SourceCache()) }
            defer { nextConsume += 1 }
            return decode(jobs[nextConsume], decoder: inlineState!.decoder, cache: inlineState!.cache)
        }
        lock.lock()
        defer { lock.unlock() }
        guard nextConsume < jobs.count else { return nil }
        while slots[nextConsume] == nil { lock.wait() }
        let out = slots.removeValue(forKey: nextConsume)
        nextConsume += 1
        lock.broadcast()
        return out
    }

    /// Stops the workers and waits until they have returned. Called when the consumer is done or failed.
    func finish() {
        lock.lock()
        stopped = true
        lock.broadcast()
        while active > 0 { lock.wait() }
        lock.unlock()
    }

    /// The last source a worker opened, kept while its jobs are in the same segment.
    final class SourceCache {
        var index = -1
        var source: (any ByteSource)?
    }

    private func work() {
        let decoder = MemberDecoder()
        let cache = SourceCache()
        while true {
            lock.lock()
            while !stopped && nextClaim < jobs.count && nextClaim - nextConsume >= window { lock.wait() }
            if stopped || nextClaim >= jobs.count {
                active -= 1
                lock.broadcast()
                lock.unlock()
                return
            }
            let index = nextClaim
            nextClaim += 1
            lock.unlock()
            let output = decode(jobs[index], decoder: decoder, cache: cache)
            lock.lock()
            slots[index] = output
            lock.broadcast()
            lock.unlock()
        }
    }

    private func decode(_ job: Job, decoder: MemberDecoder, cache: SourceCache) -> Output {
        guard let header = job.header else { return .foreign }
        do throws(LogError) {
            if cache.index != job.source || cache.source == nil {
                cache.source = try open(job.source)
                cache.index = job.source
            }
            let bytes = try cache.source!.read(at: job.offset, count: Int(header.length))
            switch bytes.withUnsafeBytes({ decoder.decode($0, header: header) }) {
            case .success(let lines):
                let prepared = job.prepare ? prepare.map { p in lines.withUnsafeBytes { p($0) } } : nil
                return .lines(lines, prepared: prepared)
            case .failure(let corruption): return .corrupt(corruption)
            }
        } catch {
            return .unreadable(error)
        }
    }
}
