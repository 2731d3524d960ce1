#if canImport(Glibc)
import Glibc
#endif
package import GammaLog
package import GammaModel

/// `gamma-log import`: JSON-lines files written by other programs (plain gzip, or not compressed
/// at all) rewritten as the segments of one new stream, so that later reads split them by
/// member, inflate members in parallel and skip them by time.
///
/// Every line is validated as a record of schema v1 (``RecordView``, the decoder's rules); an
/// invalid one is reported with its place and left out. A line keeps its bytes (no re-encoding);
/// each member header carries the real smallest and largest `ts` of its lines. A gzip source is
/// read as every reader reads foreign gzip: no line of a member before its CRC has checked, so a
/// damaged member gives no line, and is reported as damage.
package struct LogImport {
    /// A line left out: its file, its line number (from 1), its byte offset in the file (for a
    /// file that is not compressed), and why.
    package struct Invalid: Sendable, CustomStringConvertible {
        package var path: String
        package var line: Int
        package var offset: Int64?
        package var error: RecordDecodingError

        package var description: String {
            "\(path): line \(line)\(offset.map { " (byte \($0))" } ?? ""): not a record: \(error)"
        }
    }

    package struct Summary: Sendable {
        package var files = 0
        package var lines = 0
        package var invalid = 0
        package var damages: [LogDamage] = []
        package var writer: SegmentWriter.Stats?
    }

    package let sources: [String]
    package let writer: SegmentWriter

    package init(sources: [String], writer: SegmentWriter) {
        self.sources = sources
        self.writer = writer
    }

    /// Imports every source in order, then closes the writer.
    /// - Throws: a ``LogError`` of the writer (disk full, say), or of a source that cannot be opened.
    package func run(onInvalid: (Invalid) -> Void, onDamage: (LogDamage) -> Void) throws -> Summary {
        do {
            return try importAll(onInvalid: onInvalid, onDamage: onDamage)
        } catch {
            // What was imported before the failure is kept, sealed, and the stream's lock let go.
            _ = try? writer.close()
            throw error
        }
    }

    private func importAll(onInvalid: (Invalid) -> Void, onDamage: (LogDamage) -> Void) throws -> Summary {
        var state = State(writer: writer)
        for path in sources {
            state.summary.files += 1
            state.path = path
            state.number = 0
            if try Self.isGzip(path) {
                let reader = LogReader(streams: try LogCatalog.discover([path]))
                let read = try reader.forEachLine(onDamage: onDamage) { line in
                    try line.withBytes { try state.take($0, offset: nil, onInvalid: onInvalid) }
                }
                state.summary.damages += read.damages
            } else {
                try Self.forEachPlainLine(path) { line, offset in
                    try state.take(line, offset: offset, onInvalid: onInvalid)
                }
            }
        }
        state.summary.writer = try writer.close()
        return state.summary
    }

    /// The running import: one line validated and appended at a time.
    struct State {
        let writer: SegmentWriter
        var summary = Summary()
        var view = RecordView()
        var path = ""
        var number = 0

        mutating func take(_ line: UnsafeRawBufferPointer, offset: Int64?, onInvalid: (Invalid) -> Void) throws {
            number += 1
            do throws(RecordDecodingError) {
                try RecordView.scan(line, into: &view)
            } catch {
                summary.invalid += 1
                onInvalid(Invalid(path: path, line: number, offset: offset, error: error))
                return
            }
            try writer.appendTrusted(line, timestamp: view.ts)
            summary.lines += 1
        }
    }

    /// Whether the file starts with the gzip magic (a file is known by its bytes, not its name).
    static func isGzip(_ path: String) throws(LogError) -> Bool {
        let head = try FileSource(path: path).read(at: 0, count: 2)
        return head == [0x1F, 0x8B]
    }

    /// The lines of a file that is not compressed, with their byte offsets, read in 4 MiB steps.
    /// A last line without `\n` is a line.
    static func forEachPlainLine(
        _ path: String, _ body: (UnsafeRawBufferPointer, Int64) throws -> Void
    ) throws {
        let source = try FileSource(path: path)
        let step = 4 << 20
        var carry: [UInt8] = []
        var offset: Int64 = 0  // of carry's first byte
        while offset + Int64(carry.count) < source.count {
            let chunk = try source.read(at: offset + Int64(carry.count), count: step)
            if chunk.isEmpty { break }
            carry += chunk
            guard let lastNewline = carry.lastIndex(of: 0x0A) else {
                if carry.count > RecordDecoder.maxLineBytes + 1 {
                    throw LogError.lineTooLong(bytes: carry.count, limit: RecordDecoder.maxLineBytes)
                }
                continue
            }
            try carry.withUnsafeBytes { all in
                let base = all.baseAddress!
                var start = 0
                while start <= lastNewline {
                    let end = UnsafeRawPointer(memchr(base + start, 0x0A, lastNewline + 1 - start)!) - base
                    try body(UnsafeRawBufferPointer(rebasing: all[start..<end]), offset + Int64(start))
                    start = end + 1
                }
            }
            offset += Int64(lastNewline + 1)
            carry.removeSubrange(0...lastNewline)
        }
        if !carry.isEmpty {
            try carry.withUnsafeBytes { all in try body(all, offset) }
        }
    }
}
