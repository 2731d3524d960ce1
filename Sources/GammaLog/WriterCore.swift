#if canImport(Glibc)
import Glibc
#endif

/// The shared state of a ``SegmentWriter`` and its background compressor thread.
// @unchecked Sendable: a lock-owning box. Fields under "guarded by lock" are only touched with
// `lock` held; fields under "compressor thread only" are only touched by the one background thread.
final class WriterCore: @unchecked Sendable {
    private struct Pending {
        var bytes: [UInt8]
        var lines: Int
        var minTimestamp: Int64
        var maxTimestamp: Int64
    }

    private struct OpenSegment {
        var fd: Int32
        var path: String
        var size: Int64
        var createdAt: Int64
    }

    let directory: String
    let stream: String
    let options: SegmentWriterOptions
    private let ops: FileOps
    private let lockFD: Int32
    private let lock = ConditionLock()
    private let intervalNanos: Int64
    private let maxAgeNanos: Int64

    // guarded by lock
    private var buffer: [UInt8] = []
    private var bufferLines = 0
    private var bufferMin = Int64.max
    private var bufferMax = Int64.min
    private var bufferStarted: Int64 = 0
    private var queue: [Pending] = []
    private var handedOff: UInt64 = 0
    private var completed: UInt64 = 0
    private var errors: [LogError] = []
    private var closing = false
    private var finished = false
    private var closed = false
    private var stats = SegmentWriter.Stats()

    // compressor thread only
    private var file: OpenSegment?
    private var nextSeq: Int

    init(directory: String, stream: String, options: SegmentWriterOptions, fileOps: FileOps, lockFD: Int32, nextSeq: Int) {
        self.directory = directory
        self.stream = stream
        self.options = options
        self.ops = fileOps
        self.lockFD = lockFD
        self.nextSeq = nextSeq
        intervalNanos = Self.nanos(options.flushInterval)
        maxAgeNanos = Self.nanos(options.maxSegmentAge)
        buffer.reserveCapacity(options.memberBytes + 1024)
    }

    static func nanos(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }

    func start() {
        startThread { [self] in run() }
    }

    var currentStats: SegmentWriter.Stats { lock.withLock { stats } }

    // MARK: - Caller side

    func append(_ line: UnsafeRawBufferPointer, timestamp: Int64) throws(LogError) {
        lock.lock()
        defer { lock.unlock() }
        if closed || closing { throw .closed }
        if !errors.isEmpty { throw errors.removeFirst() }
        if buffer.isEmpty {
            bufferStarted = monotonicNanos()
            lock.broadcast()  // the compressor sleeps without a deadline while the buffer is empty
        }
        buffer.append(contentsOf: line)
        buffer.append(0x0A)
        bufferLines += 1
        if timestamp < bufferMin { bufferMin = timestamp }
        if timestamp > bufferMax { bufferMax = timestamp }
        stats.linesAppended += 1
        if buffer.count >= options.memberBytes { handOffLocked(mustKeep: false) }
    }

    func flush() throws(LogError) {
        lock.lock()
        defer { lock.unlock() }
        if closed { throw .closed }
        handOffLocked(mustKeep: true)
        let target = handedOff
        while completed < target { lock.wait() }
        if !errors.isEmpty { throw errors.removeFirst() }
    }

    func close() throws(LogError) -> SegmentWriter.Stats {
        lock.lock()
        defer { lock.unlock() }
        if closed { return stats }
        handOffLocked(mustKeep: true)
        closing = true
        lock.broadcast()
        while !finished { lock.wait() }
        closed = true
        if !errors.isEmpty {
            let first = errors.removeFirst()
            errors.removeAll()
            throw first
        }
        return stats
    }

    /// Moves the buffer to the compressor's queue. Lock held.
    private func handOffLocked(mustKeep: Bool) {
        guard !buffer.isEmpty else { return }
        while queue.count >= options.maxPendingMembers {
            if options.overflow == .drop && !mustKeep {
                stats.droppedLines += bufferLines
                stats.droppedMembers += 1
                resetBufferLocked()
                return
            }
            lock.wait()
        }
        queue.append(takeBufferLocked())
        handedOff += 1
        lock.broadcast()
    }

    private func takeBufferLocked() -> Pending {
        let item = Pending(bytes: buffer, lines: bufferLines, minTimestamp: bufferMin, maxTimestamp: bufferMax)
        buffer = []
        buffer.reserveCapacity(options.memberBytes + 1024)
        resetBufferLocked()
        return item
    }

    private func resetBufferLocked() {
        buffer.removeAll(keepingCapacity: true)
        bufferLines = 0
        bufferMin = .max
        bufferMax = .min
    }

    // MARK: - Compressor thread

    private func run() {
        let encoder = MemberEncoder(level: options.compressionLevel)
        lock.lock()
        while true {
            var item: Pending?
            if !queue.isEmpty {
                item = queue.removeFirst()
            } else if !buffer.isEmpty && (closing || monotonicNanos() - bufferStarted >= intervalNanos) {
                item = takeBufferLocked()
                handedOff += 1
            }
            if let item {
                lock.broadcast()  // room in the queue
                lock.unlock()
                let outcome = write(item, encoder: encoder)
                lock.lock()
                record(outcome, lines: item.lines)
                completed += 1
                lock.broadcast()
                continue
            }
            if closing { break }
            if buffer.isEmpty { lock.wait() } else { lock.wait(untilMonotonic: bufferStarted + intervalNanos) }
        }
        lock.unlock()
        let sealError = sealCurrent()
        // Unlink while still holding the lock, then drop it: no reader sees a stale unlocked file.
        unlink(SegmentName.lockPath(directory: directory, stream: stream))
        Glibc.close(lockFD)
        lock.lock()
        if let sealError { errors.append(sealError) }
        finished = true
        lock.broadcast()
        lock.unlock()
    }

    private struct Outcome {
        var written: Int64 = 0
        var newSegments = 0
        var errors: [LogError] = []
        var lost = false
    }

    private func record(_ outcome: Outcome, lines: Int) {
        stats.segmentsCreated += outcome.newSegments
        if outcome.lost {
            stats.failedLines += lines
        } else {
            stats.linesWritten += lines
            stats.membersWritten += 1
            stats.bytesWritten += outcome.written
        }
        errors.append(contentsOf: outcome.errors)
    }

    /// Compresses and writes one member. Runs without the lock.
    private func write(_ item: Pending, encoder: MemberEncoder) -> Outcome {
        var outcome = Outcome()
        let member = item.bytes.withUnsafeBytes {
            encoder.encode($0, lineCount: item.lines, minTimestamp: item.minTimestamp, maxTimestamp: item.maxTimestamp)
        }
        if let open = file, monotonicNanos() - open.createdAt >= maxAgeNanos, open.size > 0 {
            if let e = sealCurrent() { outcome.errors.append(e) }
        }
        if file == nil {
            switch openNext(encoder: encoder) {
            case .success(let f): file = f; outcome.newSegments = 1
            case .failure(let e): outcome.errors.append(e); outcome.lost = true; return outcome
            }
        }
        var segment = file!
        let failure = member.withUnsafeBytes { ops.writeAll(segment.fd, $0) }
        if let code = failure {
            _ = ops.ftruncate(segment.fd, segment.size)  // best effort; the segment is abandoned either way
            abandonCurrent()
            outcome.errors.append(.writeFailed(path: segment.path, offset: segment.size, errno: code, linesLost: item.lines))
            outcome.lost = true
            return outcome
        }
        var st = stat()
        if fstat(segment.fd, &st) == 0 && st.st_nlink == 0 {
            abandonCurrent()
            outcome.errors.append(.segmentRemoved(path: segment.path))
            outcome.lost = true
            return outcome
        }
        if options.durability == .everyFlush && ops.fsync(segment.fd) != 0 {
            let code = errno
            abandonCurrent()
            outcome.errors.append(.writeFailed(path: segment.path, offset: segment.size, errno: code, linesLost: item.lines))
            outcome.lost = true
            return outcome
        }
        segment.size += Int64(member.count)
        file = segment
        outcome.written = Int64(member.count)
        if segment.size >= options.maxSegmentBytes, let e = sealCurrent() { outcome.errors.append(e) }
        return outcome
    }

    private func openNext(encoder: MemberEncoder) -> Result<OpenSegment, LogError> {
        let path = SegmentName.join(directory, SegmentName.fileName(stream: stream, seq: nextSeq))
        nextSeq += 1
        let fd = ops.open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .failure(.system(path: path, operation: "create segment", errno: errno)) }
        if options.durability != .never, let code = POSIX.syncDirectory(directory) {
            Glibc.close(fd)
            return .failure(.system(path: directory, operation: "fsync folder", errno: code))
        }
        var segment = OpenSegment(fd: fd, path: path, size: 0, createdAt: monotonicNanos())
        if let preamble = options.segmentPreamble?(), !preamble.isEmpty {
            var text: [UInt8] = []
            for (line, _) in preamble { text += line; text.append(0x0A) }
            let member = text.withUnsafeBytes {
                encoder.encode($0, lineCount: preamble.count, minTimestamp: preamble.map(\.timestamp).min()!,
                               maxTimestamp: preamble.map(\.timestamp).max()!)
            }
            if let code = member.withUnsafeBytes({ ops.writeAll(fd, $0) }) {
                _ = ops.ftruncate(fd, 0)
                Glibc.close(fd)
                return .failure(.writeFailed(path: path, offset: 0, errno: code, linesLost: 0))
            }
            segment.size = Int64(member.count)
        }
        return .success(segment)
    }

    /// Writes the sealed trailer, syncs per policy and closes the current segment, if any.
    private func sealCurrent() -> LogError? {
        guard let segment = file else { return nil }
        file = nil
        defer { Glibc.close(segment.fd) }
        let trailer = MemberEncoder(level: 1).sealedTrailer()
        if let code = trailer.withUnsafeBytes({ ops.writeAll(segment.fd, $0) }) {
            _ = ops.ftruncate(segment.fd, segment.size)
            return .writeFailed(path: segment.path, offset: segment.size, errno: code, linesLost: 0)
        }
        if options.durability != .never && ops.fsync(segment.fd) != 0 {
            return .system(path: segment.path, operation: "fsync", errno: errno)
        }
        return nil
    }

    private func abandonCurrent() {
        if let segment = file { Glibc.close(segment.fd) }
        file = nil
    }
}
