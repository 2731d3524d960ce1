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
        /// Members written to it so far: the index of the next one.
        var members = 0
        /// The name it is written under until it holds a complete data member
        /// (`.<name>.tmp`, which no reader lists); `nil` once renamed to `path`.
        var temporary: String?
    }

    let directory: String
    let stream: String
    let options: SegmentWriterOptions
    private let ops: FileOps
    private let lockFD: Int32
    private let lock = ConditionLock()
    private let intervalNanos: Int64
    private let maxAgeNanos: Int64

    /// The state shared by appenders and the compressor, touched only with `lock` held. Behind a
    /// pointer rather than in stored `var`s so the hot path pays no dynamic exclusivity checks.
    private struct Guarded {
        var buffer: [UInt8] = []
        var bufferLines = 0
        var bufferMin = Int64.max
        var bufferMax = Int64.min
        var bufferStarted: Int64 = 0
        var queue: [Pending] = []
        var handedOff: UInt64 = 0
        var completed: UInt64 = 0
        var errors: [LogError] = []
        var closing = false
        var finished = false
        var closed = false
        var stats = SegmentWriter.Stats()
    }
    private let g: UnsafeMutablePointer<Guarded>

    // compressor thread only
    private var file: OpenSegment?
    private var nextSeq: Int

    init(
        directory: String, stream: String, options: SegmentWriterOptions, fileOps: FileOps, lockFD: Int32, nextSeq: Int
    ) {
        self.directory = directory
        self.stream = stream
        self.options = options
        self.ops = fileOps
        self.lockFD = lockFD
        self.nextSeq = nextSeq
        intervalNanos = Self.nanos(options.flushInterval)
        maxAgeNanos = Self.nanos(options.maxSegmentAge)
        g = .allocate(capacity: 1)
        g.initialize(to: Guarded())
        g.pointee.buffer.reserveCapacity(options.memberBytes + 1024)
    }

    deinit {
        g.deinitialize(count: 1)
        g.deallocate()
    }

    static func nanos(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        return s * 1_000_000_000 + atto / 1_000_000_000
    }

    func start() {
        startThread { [self] in run() }
    }

    var currentStats: SegmentWriter.Stats { lock.withLock { g.pointee.stats } }

    // MARK: - Caller side

    func append(_ line: UnsafeRawBufferPointer, timestamp: Int64) throws(LogError) {
        lock.lock()
        defer { lock.unlock() }
        if g.pointee.closed || g.pointee.closing { throw .closed }
        if !g.pointee.errors.isEmpty { throw g.pointee.errors.removeFirst() }
        if g.pointee.buffer.isEmpty {
            g.pointee.bufferStarted = monotonicNanos()
            lock.broadcast()  // the compressor sleeps without a deadline while the g.pointee.buffer is empty
        }
        g.pointee.buffer.append(contentsOf: line)
        g.pointee.buffer.append(0x0A)
        g.pointee.bufferLines += 1
        if timestamp < g.pointee.bufferMin { g.pointee.bufferMin = timestamp }
        if timestamp > g.pointee.bufferMax { g.pointee.bufferMax = timestamp }
        g.pointee.stats.linesAppended += 1
        if g.pointee.buffer.count >= options.memberBytes { handOffLocked(mustKeep: false) }
    }

    func flush() throws(LogError) {
        lock.lock()
        defer { lock.unlock() }
        if g.pointee.closed { throw .closed }
        handOffLocked(mustKeep: true)
        let target = g.pointee.handedOff
        while g.pointee.completed < target { lock.wait() }
        if !g.pointee.errors.isEmpty { throw g.pointee.errors.removeFirst() }
    }

    func close() throws(LogError) -> SegmentWriter.Stats {
        lock.lock()
        defer { lock.unlock() }
        if g.pointee.closed { return g.pointee.stats }
        handOffLocked(mustKeep: true)
        g.pointee.closing = true
        lock.broadcast()
        while !g.pointee.finished { lock.wait() }
        g.pointee.closed = true
        if !g.pointee.errors.isEmpty {
            let first = g.pointee.errors.removeFirst()
            g.pointee.errors.removeAll()
            throw first
        }
        return g.pointee.stats
    }

    /// Moves the g.pointee.buffer to the compressor's g.pointee.queue. Lock held.
    private func handOffLocked(mustKeep: Bool) {
        guard !g.pointee.buffer.isEmpty else { return }
        while g.pointee.queue.count >= options.maxPendingMembers {
            if options.overflow == .drop && !mustKeep {
                g.pointee.stats.droppedLines += g.pointee.bufferLines
                g.pointee.stats.droppedMembers += 1
                resetBufferLocked()
                return
            }
            lock.wait()
        }
        g.pointee.queue.append(takeBufferLocked())
        g.pointee.handedOff += 1
        lock.broadcast()
    }

    private func takeBufferLocked() -> Pending {
        let item = Pending(
            bytes: g.pointee.buffer, lines: g.pointee.bufferLines, minTimestamp: g.pointee.bufferMin,
            maxTimestamp: g.pointee.bufferMax)
        g.pointee.buffer = []
        g.pointee.buffer.reserveCapacity(options.memberBytes + 1024)
        resetBufferLocked()
        return item
    }

    private func resetBufferLocked() {
        g.pointee.buffer.removeAll(keepingCapacity: true)
        g.pointee.bufferLines = 0
        g.pointee.bufferMin = .max
        g.pointee.bufferMax = .min
    }

    // MARK: - Compressor thread

    private func run() {
        let encoder = MemberEncoder(level: options.compressionLevel)
        lock.lock()
        while true {
            var item: Pending?
            if !g.pointee.queue.isEmpty {
                item = g.pointee.queue.removeFirst()
            } else if !g.pointee.buffer.isEmpty
                && (g.pointee.closing || monotonicNanos() - g.pointee.bufferStarted >= intervalNanos)
            {
                item = takeBufferLocked()
                g.pointee.handedOff += 1
            }
            if let item {
                lock.broadcast()  // room in the g.pointee.queue
                lock.unlock()
                let outcome = write(item, encoder: encoder)
                lock.lock()
                record(outcome, lines: item.lines)
                g.pointee.completed += 1
                lock.broadcast()
                continue
            }
            if g.pointee.closing { break }
            if g.pointee.buffer.isEmpty {
                lock.wait()
            } else {
                lock.wait(untilMonotonic: g.pointee.bufferStarted + intervalNanos)
            }
        }
        lock.unlock()
        let sealError = sealCurrent()
        // Unlink while still holding the lock, then drop it: no reader sees a stale unlocked file.
        StreamLock.release(lockFD, directory: directory, stream: stream)
        lock.lock()
        if let sealError { g.pointee.errors.append(sealError) }
        g.pointee.finished = true
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
        g.pointee.stats.segmentsCreated += outcome.newSegments
        if outcome.lost {
            g.pointee.stats.failedLines += lines
        } else {
            g.pointee.stats.linesWritten += lines
            g.pointee.stats.membersWritten += 1
            g.pointee.stats.bytesWritten += outcome.written
        }
        g.pointee.errors.append(contentsOf: outcome.errors)
    }

    /// Compresses and writes one member. Runs without the lock.
    private func write(_ item: Pending, encoder: MemberEncoder) -> Outcome {
        var outcome = Outcome()
        if let open = file, monotonicNanos() - open.createdAt >= maxAgeNanos, open.size > 0 {
            if let e = sealCurrent() { outcome.errors.append(e) }
        }
        if file == nil {
            switch openNext(encoder: encoder, firstTimestamp: item.minTimestamp) {
            case .success(let f): file = f; outcome.newSegments = 1
            case .failure(let e): outcome.errors.append(e); outcome.lost = true; return outcome
            }
        }
        var segment = file!
        let member = item.bytes.withUnsafeBytes {
            encoder.encode(
                $0, lineCount: item.lines, minTimestamp: item.minTimestamp, maxTimestamp: item.maxTimestamp,
                index: segment.members)
        }
        let failure = member.withUnsafeBytes { ops.writeAll(segment.fd, $0) }
        if let code = failure {
            _ = ops.ftruncate(segment.fd, segment.size)  // best effort; the segment is abandoned either way
            if let temporary = segment.temporary { unlink(temporary) }  // never published: nothing is left
            abandonCurrent()
            outcome.errors.append(
                .writeFailed(path: segment.path, offset: segment.size, errno: code, linesLost: item.lines))
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
            outcome.errors.append(
                .writeFailed(path: segment.path, offset: segment.size, errno: code, linesLost: item.lines))
            outcome.lost = true
            return outcome
        }
        segment.size += Int64(member.count)
        segment.members += 1
        if segment.temporary != nil {
            // It holds a complete member now: it appears under its final name.
            if let e = publish(&segment) {
                abandonCurrent()
                outcome.errors.append(e)
                outcome.lost = true
                return outcome
            }
        }
        file = segment
        outcome.written = Int64(member.count)
        if segment.size >= options.maxSegmentBytes, let e = sealCurrent() { outcome.errors.append(e) }
        return outcome
    }

    private func openNext(encoder: MemberEncoder, firstTimestamp: Int64) -> Result<OpenSegment, LogError> {
        let name = SegmentName.fileName(stream: stream, seq: nextSeq)
        let path = SegmentName.join(directory, name)
        let temporary = SegmentName.join(directory, "." + name + ".tmp")
        // Written under a temporary name, renamed once it holds a complete data member (publish), so
        // that no reader ever sees a segment without one, and a writer that cannot write leaves
        // nothing behind (its temporary file is removed); the stream's lock makes the name ours.
        let fd = ops.open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return .failure(.system(path: path, operation: "create segment", errno: errno)) }
        if access(path, F_OK) == 0 {  // an older segment of this seq (a foreign writer's?): never overwrite it
            Glibc.close(fd)
            unlink(temporary)
            nextSeq += 1
            return .failure(.system(path: path, operation: "create segment", errno: EEXIST))
        }
        nextSeq += 1
        var segment = OpenSegment(fd: fd, path: path, size: 0, createdAt: monotonicNanos(), temporary: temporary)
        if let preamble = options.segmentPreamble?(firstTimestamp), !preamble.isEmpty {
            var text: [UInt8] = []
            for (line, _) in preamble { text += line; text.append(0x0A) }
            let member = text.withUnsafeBytes {
                encoder.encode(
                    $0, lineCount: preamble.count, minTimestamp: preamble.map(\.timestamp).min()!,
                    maxTimestamp: preamble.map(\.timestamp).max()!, index: 0)
            }
            if let code = member.withUnsafeBytes({ ops.writeAll(fd, $0) }) {
                Glibc.close(fd)
                unlink(temporary)
                return .failure(.writeFailed(path: path, offset: 0, errno: code, linesLost: 0))
            }
            segment.size = Int64(member.count)
            segment.members = 1
        }
        return .success(segment)
    }

    /// Renames a segment from its temporary name to its own (the folder synced per policy).
    private func publish(_ segment: inout OpenSegment) -> LogError? {
        guard let temporary = segment.temporary else { return nil }
        if rename(temporary, segment.path) != 0 {
            let code = errno
            unlink(temporary)
            return .system(path: segment.path, operation: "rename segment", errno: code)
        }
        segment.temporary = nil
        if options.durability != .never, let code = POSIX.syncDirectory(directory) {
            return .system(path: directory, operation: "fsync folder", errno: code)
        }
        return nil
    }

    /// Writes the sealed trailer, syncs per policy and closes the current segment, if any.
    private func sealCurrent() -> LogError? {
        guard let segment = file else { return nil }
        file = nil
        defer { Glibc.close(segment.fd) }
        if segment.temporary != nil {
            // No data member was written: the segment never existed for readers.
            unlink(segment.temporary!)
            return nil
        }
        let trailer = MemberEncoder(level: 1).sealedTrailer(index: segment.members)
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
