#if canImport(Glibc)
import Glibc
#endif

/// Inflates Gamma members on worker threads and hands the results back in job order.
///
/// Workers claim jobs in order, at most `window` ahead of the consumer, so memory stays bounded
/// by `window` decoded members whatever the log's size. A foreign gzip file is one job that a
/// worker decodes as a stream of line runs (``ForeignLines``), bounded too, which the consumer
/// reads while the worker goes on; with one worker, or without a foreign decoder, the consumer
/// decodes foreign files itself.
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
        /// A foreign file for the consumer to decode itself.
        case foreign
        /// A foreign file a worker is decoding.
        case foreignLines(ForeignLines)
    }

    /// Makes the decoder of a foreign file, when workers are to decode them.
    typealias ForeignDecoderFactory = @Sendable () -> ForeignDecoder
    /// How far a worker decodes a foreign file ahead of the consumer.
    static let foreignAhead = 16 << 20
    /// The most a worker hands over at once of a foreign file's lines (its members' lines are
    /// checked before, up to the read's buffer limit): so the consumer starts early.
    static let foreignRun = 4 << 20

    let jobs: [Job]
    private let open: @Sendable (Int) throws(LogError) -> any ByteSource
    private let path: @Sendable (Int) -> String
    private let prepare: Prepare?
    private let lock = ConditionLock()
    private let window: Int
    private var slots: [Int: Output] = [:]
    private var nextClaim = 0
    private var nextConsume = 0
    private var stopped = false
    private var active = 0
    private let foreign: ForeignDecoderFactory?
    /// The foreign files being decoded, cancelled by ``finish()``.
    private var streams: [ForeignLines] = []
    /// With one worker, jobs are decoded on the consumer's thread when it asks: no threads at all.
    private let inline: Bool
    private var inlineState: (decoder: MemberDecoder, cache: SourceCache)?

    init(
        jobs: [Job], workers: Int, prepare: Prepare? = nil, foreign: ForeignDecoderFactory? = nil,
        path: @escaping @Sendable (Int) -> String = { _ in "" },
        open: @escaping @Sendable (Int) throws(LogError) -> any ByteSource
    ) {
        self.jobs = jobs
        self.open = open
        self.path = path
        self.prepare = prepare
        let workers = max(1, min(workers, jobs.count))
        window = 4 * workers
        inline = workers == 1
        self.foreign = inline ? nil : foreign
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
        let streams = self.streams
        lock.broadcast()
        lock.unlock()
        for stream in streams { stream.cancel() }
        lock.lock()
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
        var foreignDecoder: ForeignDecoder?  // one per worker, its buffers kept from file to file
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
            if jobs[index].header == nil, let makeDecoder = foreign {
                // Published at once: the consumer reads the lines while this worker decodes them.
                let lines = ForeignLines(limit: Self.foreignAhead)
                streams.append(lines)
                slots[index] = .foreignLines(lines)
                lock.broadcast()
                lock.unlock()
                if foreignDecoder == nil { foreignDecoder = makeDecoder() }
                decodeForeign(jobs[index], decoder: foreignDecoder!, into: lines)
                lines.close()
                continue
            }
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

    /// Decodes a foreign file into `lines`, in runs of at most ``foreignRun`` bytes of whole
    /// lines, each prepared here when the job says so.
    private func decodeForeign(_ job: Job, decoder: ForeignDecoder, into lines: ForeignLines) {
        let prepare = job.prepare ? self.prepare : nil
        do {
            let source = try open(job.source)
            try decoder.decode(
                source,
                lines: { chunk in
                    guard chunk.last == 0x0A else {
                        // A clean file's last line without its "\n": whole all the same.
                        let line = Array(chunk) + [0x0A]
                        try lines.push(.lines(line, prepared: line.withUnsafeBytes { b in prepare?(b) }, final: true))
                        return
                    }
                    var start = 0
                    while start < chunk.count {
                        var end = min(chunk.count, start + Self.foreignRun)
                        if end < chunk.count {
                            let cut = UnsafeRawBufferPointer(rebasing: chunk[start..<end]).lastIndex(of: 0x0A)
                            end = cut.map { start + $0 + 1 } ?? (chunk[end...].firstIndex(of: 0x0A)! + 1)
                        }
                        let run = Array(chunk[start..<end])
                        try lines.push(.lines(run, prepared: run.withUnsafeBytes { b in prepare?(b) }, final: false))
                        start = end
                    }
                },
                damage: { d in _ = try? lines.push(.damage(d)) })
        } catch is ForeignLines.Cancelled {
            return
        } catch {
            _ = try? lines.push(
                .damage(LogDamage(kind: .unreadable, path: path(job.source), offset: 0, reason: "\(error)")))
        }
    }
}
