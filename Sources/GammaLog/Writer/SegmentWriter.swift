#if canImport(Glibc)
import Glibc
#endif

/// Appends lines to a stream of segments in a log folder (docs/FORMAT.md, docs/ARCHITECTURE.md).
///
/// Appends copy the line into a buffer under a lock and return; a background thread compresses
/// each full buffer into one gzip member and writes it with one `write` call. Appends are safe
/// from any number of threads.
///
/// Crash story: a member is written whole or not at all from the reader's point of view: a
/// crash mid-`write` leaves a torn last member that readers report and `gamma-log repair`
/// removes. A write that fails is undone with `ftruncate` and the segment abandoned, so no
/// member ever follows a damaged one. The writer never opens a file it did not create
/// (`O_CREAT | O_EXCL`).
///
/// Errors from the background thread (ENOSPC, EIO, a removed folder) are thrown once, from the
/// next ``append(_:timestamp:)``, ``flush()`` or ``close()``.
public final class SegmentWriter: Sendable {
    /// Counters of what the writer did.
    public struct Stats: Equatable, Sendable {
        public var linesAppended = 0
        public var linesWritten = 0
        public var membersWritten = 0
        public var segmentsCreated = 0
        public var bytesWritten: Int64 = 0
        /// Lines dropped under ``SegmentWriterOptions/Overflow/drop``.
        public var droppedLines = 0
        public var droppedMembers = 0
        /// Lines lost to write errors (each also thrown once as ``LogError/writeFailed(path:offset:errno:linesLost:)``).
        public var failedLines = 0
    }

    public let directory: String
    public let stream: String
    public let options: SegmentWriterOptions

    private let core: WriterCore

    /// Opens a new stream in `directory`, which must exist.
    /// - Parameters:
    ///   - stream: the stream id; by default a new unique one. An id whose segments already exist
    ///     continues at the next seq, never appending to an old file.
    /// - Throws: ``LogError`` if the id is invalid, another writer holds the stream, or the folder
    ///   cannot be listed.
    public convenience init(directory: String, stream: String? = nil, options: SegmentWriterOptions = .init())
        throws(LogError)
    {
        try self.init(directory: directory, stream: stream, options: options, fileOps: .system)
    }

    package init(directory: String, stream: String?, options: SegmentWriterOptions, fileOps: FileOps) throws(LogError) {
        let id = stream ?? SegmentWriter.makeStreamID()
        guard SegmentName.isValidStream(id) else { throw .invalidStreamID(id) }
        precondition(options.memberBytes > 0 && options.maxPendingMembers > 0, "SegmentWriterOptions out of range")
        precondition((1...9).contains(options.compressionLevel), "compressionLevel must be 1...9")
        switch POSIX.isDirectory(directory) {
        case true?: break
        case false?: throw .notAFolder(directory)
        case nil: throw .noSuchPath(directory)
        }
        let lockFD = try StreamLock.acquire(directory: directory, stream: id).fd
        let nextSeq: Int
        do {
            let existing = try POSIX.listDirectory(directory).compactMap(SegmentName.parse).filter { $0.stream == id }
            nextSeq = (existing.map(\.seq).max() ?? -1) + 1
        } catch {
            Glibc.close(lockFD)
            throw error
        }
        self.directory = directory
        self.stream = id
        self.options = options
        core = WriterCore(
            directory: directory, stream: id, options: options, fileOps: fileOps, lockFD: lockFD, nextSeq: nextSeq)
        core.start()
    }

    /// Appends one line. `line` must not contain `\n`; the writer adds it.
    /// - Parameter timestamp: the record's time, nanoseconds since the epoch; kept in the member header
    ///   so readers can skip members outside a time range.
    /// - Throws: ``LogError/lineContainsNewline(byteOffset:)``, ``LogError/lineTooLong(bytes:limit:)``,
    ///   ``LogError/closed``, or an earlier background error (the line is then not appended).
    public func append(_ line: UnsafeRawBufferPointer, timestamp: Int64) throws(LogError) {
        if line.count > options.maxLineBytes { throw .lineTooLong(bytes: line.count, limit: options.maxLineBytes) }
        if let base = line.baseAddress, let nl = memchr(base, 0x0A, line.count) {
            throw .lineContainsNewline(byteOffset: UnsafeRawPointer(nl) - base)
        }
        try core.append(line, timestamp: timestamp)
    }

    /// Appends a line its caller guarantees holds no `\n` and fits the limit (the recorder's
    /// encoder escapes every control character): the checks of ``append(_:timestamp:)`` are skipped.
    @inline(__always)
    package func appendTrusted(_ line: UnsafeRawBufferPointer, timestamp: Int64) throws(LogError) {
        try core.append(line, timestamp: timestamp)
    }

    public func append(_ line: [UInt8], timestamp: Int64) throws(LogError) {
        let failure: LogError? = line.withUnsafeBytes { b -> LogError? in
            do throws(LogError) { try append(b, timestamp: timestamp); return nil } catch { return error }
        }
        if let failure { throw failure }
    }

    public func append(_ line: String, timestamp: Int64) throws(LogError) {
        var line = line
        let failure: LogError? = line.withUTF8 { b -> LogError? in
            do throws(LogError) { try append(UnsafeRawBufferPointer(b), timestamp: timestamp); return nil } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Writes every line appended before this call, and waits until the writes are done.
    /// Under ``SegmentWriterOptions/Durability/everyFlush`` they are also fsynced.
    /// - Throws: the first background error not yet thrown.
    public func flush() throws(LogError) {
        try core.flush()
    }

    /// Flushes, seals the current segment with the empty trailer member, releases the stream lock
    /// and stops the background thread. A second call does nothing.
    @discardableResult
    public func close() throws(LogError) -> Stats {
        try core.close()
    }

    public var stats: Stats { core.currentStats }

    /// A new stream id: UTC time, pid and random bits, so ids sort by start time and never collide.
    public static func makeStreamID() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var t = time_t(now.tv_sec)
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        let stamp =
            pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
        let random = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        return "\(stamp)-\(getpid())-\(String(repeating: "0", count: 8 - random.count) + random)"
    }
}
