public import GammaLog
public import GammaModel

/// The span summary (per name: count, failures, duration quantiles, share of self time) over a
/// log read in time order, in memory that does not grow with the number of traces.
///
/// Traces are assembled by a ``TraceWindow`` and summarized and forgotten once complete. Memory
/// holds the traces open within the grace window, and one duration sketch per span name
/// (``DDSketch``: quantiles within 1%), so it depends on the traffic's concurrency and the number
/// of names, not on the length of the log.
public struct StreamingSpanSummary {
    public var grace: Int64 { window.grace }
    public var query: TraceQuery
    struct NameFigures {
        var count = 0, errors = 0
        var durations = DDSketch()
        var selfTime: Int64 = 0
    }
    private var window: TraceWindow<(SpanRecord, Int32)>
    private var byName: [String: NameFigures] = [:]
    public private(set) var traces = 0
    public private(set) var spans = 0
    /// The most traces held open at once.
    public var peakOpen: Int { max(window.peakOpen, peakOpenRead) }
    private var peakOpenRead = 0

    public init(grace: Int64 = 60_000_000_000, query: TraceQuery = .init()) {
        window = TraceWindow(grace: grace)
        self.query = query
    }

    /// Adds a span read at record time `now` (its `ts`).
    public mutating func add(_ span: SpanRecord, now: Int64) {
        var done: [Trace] = []
        window.add(
            (span, 0), trace: span.traceID, isRoot: span.parentSpanID == nil, end: span.end, now: now
        ) { id, spans in done.append(Trace(traceID: id, spans: spans)) }
        for t in done { summarize(t) }
    }

    /// Adds a complete trace (of a ``TraceStream`` that another reading drives).
    package mutating func summarize(_ trace: Trace) {
        guard query.matches(trace) else { return }
        traces += 1
        for n in trace.nodes {
            spans += 1
            var f = byName[n.span.name] ?? NameFigures()
            f.count += 1
            if n.span.status == .error { f.errors += 1 }
            f.durations.add(Double(n.duration))
            f.selfTime = f.selfTime.saturatingAdd(n.selfTime)
            byName[n.span.name] = f
        }
    }

    /// Summarizes the traces still open and returns the summary, names in byte order.
    public mutating func finish() -> [SpanNameSummary] {
        var done: [Trace] = []
        window.finish { id, spans in done.append(Trace(traceID: id, spans: spans)) }
        for t in done { summarize(t) }
        let total = byName.values.reduce(Int64(0)) { $0.saturatingAdd($1.selfTime) }
        return byName.keys.sorted { JSONWriter.byteOrder($0, $1) }.map { name in
            let f = byName[name]!
            return SpanNameSummary(
                name: name, count: f.count, errors: f.errors, p50: f.durations.quantile(0.5) ?? 0,
                p95: f.durations.quantile(0.95) ?? 0, p99: f.durations.quantile(0.99) ?? 0,
                selfShare: total > 0 ? Double(f.selfTime) / Double(total) : 0)
        }
    }

    /// Reads the spans of `reader` in time order (ids, names, times and status only, decoded on
    /// the reader's workers; ``TraceStream``).
    public mutating func read(
        _ reader: LogReader, progress: ((Double) -> Void)? = nil, onIssue: (ReplayIssue) -> Void = { _ in }
    ) throws -> ReadSummary {
        var stream = TraceStream(light: true, grace: grace)
        let summary = try stream.read(reader, progress: progress, onIssue: onIssue) { trace, _ in summarize(trace) }
        peakOpenRead = stream.peakOpen
        return summary
    }
}
