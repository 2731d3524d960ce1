public import GammaLog
import GammaModel

/// Every trace of a log exported as it completes, in memory that does not grow with the log:
/// spans are read merged in time order and held as their lines' bytes in a ``TraceWindow``; a
/// complete trace is decoded in full, checked against the query, written, and forgotten. Traces
/// come in the order they complete (their root's end, then trace id), not by start.
public struct StreamingTraceExport {
    public var query: TraceQuery
    public let format: any TraceFormat
    private var window: TraceWindow<(line: [UInt8], resource: Int32)>
    private var resources: [Attributes] = [[:]]
    private var resourceIndex: [Attributes: Int32] = [[:]: 0]
    private var streamResource: [Int: Int32] = [:]
    private var writer = JSONWriter(capacity: 1 << 20)
    /// Traces written so far.
    public private(set) var traces = 0
    /// The most traces held open at once.
    public var peakOpen: Int { window.peakOpen }

    /// - Parameter query: which traces to write (its `limit` and `slowest` need every trace, and
    ///   are not for a stream).
    public init(format: any TraceFormat, query: TraceQuery = .init(), grace: Int64 = 60_000_000_000) {
        precondition(query.limit == nil && query.slowest == nil, "a streamed export writes every trace that matches")
        self.format = format
        self.query = query
        window = TraceWindow(grace: grace)
    }

    /// Reads `reader` and writes the export to `output`, in pieces of about 1 MiB.
    public mutating func run(
        _ reader: LogReader, onIssue: (ReplayIssue) -> Void = { _ in },
        output: (UnsafeRawBufferPointer) throws -> Void
    ) throws -> ReadSummary {
        format.begin(&writer)
        for (stream, r) in StreamResources.read(reader).sorted(by: { $0.key < $1.key }) {
            streamResource[stream] = resourceID(r)
        }
        var view = RecordView()
        let summary = try reader.forEachLineMerged(onDamage: { onIssue(.damage($0)) }) { line in
            do throws(RecordDecodingError) { try RecordView.scan(line.bytes, into: &view) } catch {
                onIssue(
                    .invalidLine(
                        path: reader.streams[line.stream].segments[line.segment].path, memberOffset: line.memberOffset,
                        line: nil, error: error))
                return
            }
            switch view.kind {
            case .resource:
                if case .record(.resource(let r))? = try? RecordDecoder.decode(line.bytes) {
                    streamResource[line.stream] = resourceID(r.attributes)
                }
            case .span:
                let held = (line: Array(line.bytes), resource: streamResource[line.stream] ?? 0)
                var complete: [(TraceID, [(line: [UInt8], resource: Int32)])] = []
                window.add(
                    held, trace: view.traceID!, isRoot: view.parentSpanID == nil, end: view.end!, now: view.ts
                ) { complete.append(($0, $1)) }
                for (id, spans) in complete { try write(id, spans, output) }
            default:
                break
            }
        }
        var rest: [(TraceID, [(line: [UInt8], resource: Int32)])] = []
        window.finish { rest.append(($0, $1)) }
        for (id, spans) in rest { try write(id, spans, output) }
        format.end(&writer)
        try flush(output)
        return summary
    }

    private mutating func resourceID(_ attributes: Attributes) -> Int32 {
        if let id = resourceIndex[attributes] { return id }
        let id = Int32(resources.count)
        resources.append(attributes)
        resourceIndex[attributes] = id
        return id
    }

    /// A complete trace: its spans decoded in full (their lines were validated when read).
    private mutating func write(
        _ id: TraceID, _ held: [(line: [UInt8], resource: Int32)], _ output: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        var spans: [(SpanRecord, Int32)] = []
        spans.reserveCapacity(held.count)
        for h in held {
            if case .record(.span(let s))? = try? RecordDecoder.decode(h.line) { spans.append((s, h.resource)) }
        }
        let trace = Trace(traceID: id, spans: spans)
        guard query.select([trace]).count == 1 else { return }
        format.write(trace, index: traces, resources: resources, &writer)
        traces += 1
        if writer.count >= 1 << 20 { try flush(output) }
    }

    private mutating func flush(_ output: (UnsafeRawBufferPointer) throws -> Void) throws {
        try writer.withBytes { try output($0) }
        writer.removeAll()
    }
}
