public import GammaLog
import GammaModel

/// Every trace of a log exported as it completes, in memory that does not grow with the log:
/// traces are assembled in time order by a ``TraceStream`` (spans decoded on the reader's
/// workers), and each complete trace is checked against the query, written, and forgotten.
/// Traces come in the order they complete (their root's end passed by the grace, then trace id),
/// not by start.
public struct StreamingTraceExport {
    public var query: TraceQuery
    public let format: any TraceFormat
    public let grace: Int64
    private var writer = JSONWriter(capacity: 1 << 20)
    /// Traces written so far.
    public private(set) var traces = 0
    /// The most traces held open at once.
    public private(set) var peakOpen = 0

    /// - Parameter query: which traces to write (its `limit` and `slowest` need every trace, and
    ///   are not for a stream).
    public init(format: any TraceFormat, query: TraceQuery = .init(), grace: Int64 = 60_000_000_000) {
        precondition(query.limit == nil && query.slowest == nil, "a streamed export writes every trace that matches")
        self.format = format
        self.query = query
        self.grace = grace
    }

    /// Reads `reader` and writes the export to `output`, in pieces of about 1 MiB.
    public mutating func run(
        _ reader: LogReader, progress: ((Double) -> Void)? = nil, onIssue: (ReplayIssue) -> Void = { _ in },
        output: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> ReadSummary {
        format.begin(&writer)
        var stream = TraceStream(light: false, grace: grace)
        let summary = try stream.read(reader, progress: progress, onIssue: onIssue) { trace, resources in
            guard query.matches(trace) else { return }
            format.write(trace, index: traces, resources: resources, &writer)
            traces += 1
            if writer.count >= 1 << 20 { try flush(output) }
        }
        peakOpen = stream.peakOpen
        format.end(&writer)
        try flush(output)
        return summary
    }

    private mutating func flush(_ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try writer.withBytes { try output($0) }
        writer.removeAll()
    }
}
