public import GammaLog
public import GammaModel

/// The span summary (per name: count, failures, duration quantiles, share of self time) over a
/// log read in time order, in memory that does not grow with the number of traces.
///
/// Spans arrive merged by their record time (their end). A trace is complete, and summarized and
/// forgotten, once the reading time has passed its root's end (or, without a root, its last
/// span's end) by `grace`: children end before their parents, and spans from other processes
/// arrive within the grace. A span arriving after its trace was summarized starts a new partial
/// trace (an orphan root), as it would in any streaming system. Memory holds the traces open
/// within the grace window, and one duration sketch per span name (``DDSketch``: quantiles within
/// 1%), so it depends on the traffic's concurrency and the number of names, not on the length of
/// the log.
public struct StreamingSpanSummary {
    public var grace: Int64
    public var query: TraceQuery
    struct Open {
        var spans: [(SpanRecord, Int32)] = []
        var rootEnd: Int64?
        var lastEnd = Int64.min
        var deadline: Int64 { (rootEnd ?? lastEnd) &+ grace }
        var grace: Int64
    }
    struct NameFigures {
        var count = 0, errors = 0
        var durations = DDSketch()
        var selfTime: Int64 = 0
    }
    private var open: [TraceID: Open] = [:]
    private var byName: [String: NameFigures] = [:]
    /// (deadline, trace) entries; an entry is stale once its trace's deadline moved or it closed.
    private var deadlines = MinHeap<Deadline>()
    public private(set) var traces = 0
    public private(set) var spans = 0
    /// The most traces held open at once.
    public private(set) var peakOpen = 0

    public init(grace: Int64 = 60_000_000_000, query: TraceQuery = .init()) {
        self.grace = grace
        self.query = query
    }

    /// Adds a span read at record time `now` (its `ts`).
    public mutating func add(_ span: SpanRecord, now: Int64) {
        let deadline: Int64 = {
            // In place: the trace's spans are never copied.
            var before: Int64?
            if let t = open[span.traceID] { before = t.deadline }
            open[span.traceID, default: Open(grace: grace)].spans.append((span, 0))
            open[span.traceID]!.lastEnd = max(open[span.traceID]!.lastEnd, span.end)
            if span.parentSpanID == nil {
                open[span.traceID]!.rootEnd = max(open[span.traceID]!.rootEnd ?? .min, span.end)
            }
            let after = open[span.traceID]!.deadline
            return after == before ? .min : after
        }()
        if deadline != .min { deadlines.push(Deadline(at: deadline, trace: span.traceID)) }
        peakOpen = max(peakOpen, open.count)
        while let next = deadlines.peek, next.at < now {
            deadlines.pop()
            let id = next.trace
            guard let t = open[id], t.deadline == next.at else { continue }  // stale: moved on or closed
            open[id] = nil
            summarize(Trace(traceID: id, spans: t.spans))
        }
    }

    private mutating func summarize(_ trace: Trace) {
        guard query.select([trace]).count == 1 else { return }
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

    /// When a trace may be summarized: by time, then trace id.
    struct Deadline: Comparable {
        var at: Int64
        var trace: TraceID
        static func < (a: Deadline, b: Deadline) -> Bool { (a.at, a.trace) < (b.at, b.trace) }
    }

    /// Summarizes the traces still open and returns the summary, names in byte order.
    public mutating func finish() -> [SpanNameSummary] {
        for (id, t) in open.sorted(by: { $0.key < $1.key }) { summarize(Trace(traceID: id, spans: t.spans)) }
        open = [:]
        let total = byName.values.reduce(Int64(0)) { $0.saturatingAdd($1.selfTime) }
        return byName.keys.sorted { JSONWriter.byteOrder($0, $1) }.map { name in
            let f = byName[name]!
            return SpanNameSummary(
                name: name, count: f.count, errors: f.errors, p50: f.durations.quantile(0.5) ?? 0,
                p95: f.durations.quantile(0.95) ?? 0, p99: f.durations.quantile(0.99) ?? 0,
                selfShare: total > 0 ? Double(f.selfTime) / Double(total) : 0)
        }
    }

    /// Reads the spans of `reader` merged in time order (ids, names, times and status only).
    public mutating func read(_ reader: LogReader, onIssue: (ReplayIssue) -> Void = { _ in }) throws -> ReadSummary {
        var view = RecordView()
        return try reader.forEachLineMerged(onDamage: { onIssue(.damage($0)) }) { line in
            do throws(RecordDecodingError) { try RecordView.scan(line.bytes, into: &view) } catch {
                onIssue(
                    .invalidLine(
                        path: reader.streams[line.stream].segments[line.segment].path, memberOffset: line.memberOffset,
                        line: nil, error: error))
                return
            }
            guard view.kind == .span else { return }
            let name: String
            if view.nameEscaped, case .record(.span(let s))? = try? RecordDecoder.decode(line.bytes) {
                name = s.name
            } else {
                name = String(decoding: UnsafeRawBufferPointer(rebasing: line.bytes[view.name!]), as: UTF8.self)
            }
            add(
                SpanRecord(
                    traceID: view.traceID!, spanID: view.spanID!, parentSpanID: view.parentSpanID, name: name,
                    start: view.start!, end: view.end!, status: view.status, unfinished: view.unfinished), now: view.ts)
        }
    }
}
