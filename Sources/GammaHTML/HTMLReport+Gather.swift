public import GammaRules
import GammaBacktest
public import GammaLog
import GammaModel
public import GammaReplay

extension HTMLReport {
    /// Reads what the page shows in one pass over the log, in time order: the metrics (with
    /// `query.step`, or a step chosen from the segments' time range), the traces and their
    /// operations, and the backtest of `rules`. Each member's lines are read once, on the worker
    /// that inflated it, for the metric figures, the backtest and the spans alike. The slowest
    /// and the failing traces are then read in full from the members of their own time ranges.
    /// - Parameter progress: called with the fraction of the input read.
    public static func gather(
        _ reader: LogReader, query: MetricQuery, rules: (file: String, rules: [AlertRule])?, interval: Int64,
        traces: Int = 5, maxEvaluations: Int? = 1_000_000, progress: ((_ fraction: Double) -> Void)? = nil,
        onIssue: (ReplayIssue) -> Void
    ) throws -> Input {
        var q = query
        q.quantiles = Self.quantiles
        if q.step == nil {
            // Gamma members carry their time range in their headers; foreign files must be read
            // for theirs.
            let range: ClosedRange<Int64>?
            if reader.hasForeignSegments {
                let ranges = reader.inventory().compactMap(\.timeRange)
                let from = reader.options.since ?? ranges.map(\.lowerBound).min() ?? 0
                let to = reader.options.until ?? ranges.map(\.upperBound).max() ?? 0
                range = from...max(from, to)
            } else {
                range = reader.headerTimeRange()
            }
            q.step = step(forSeconds: Double(range.map { $0.upperBound - $0.lowerBound } ?? 0) / 1e9)
        }
        var metrics = MetricReplay.State(query: q)
        var backtest: Backtest.Pass?
        if let rules {
            var options = Backtest.Options()
            options.interval = interval
            options.maxEvaluations = maxEvaluations
            options.since = reader.options.since
            options.until = reader.options.until
            backtest = try Backtest.Pass([rules.rules], options: options)
        }
        var stream = TraceStream(light: true, grace: StreamingSpanSummary().grace)
        var operations = StreamingSpanSummary()
        var slowest = TopTraces(count: traces), failing = TopTraces(count: traces)
        var counts = (traces: 0, failed: 0, spans: 0)
        func take(_ trace: Trace, _: [Attributes]) {
            counts.traces += 1
            counts.spans += trace.nodes.count
            // A failed run is what the agent counts as one: its root span failed.
            if trace.root?.span.status == .error { counts.failed += 1 }
            operations.summarize(trace)
            slowest.offer(trace)
            if trace.errorCount > 0 { failing.offer(trace) }
        }
        var read = ReadProgress(reader)
        stream.begin(reader)
        let summary = try reader.forEachMember(
            preparing: PassMember.init, inTimeOrder: true, onDamage: { onIssue(.damage($0)) }
        ) { member, parsed in
            metrics.apply(parsed.metrics, member.bytes)
            backtest?.add(parsed.metrics, member)
            RecordLines.report(parsed.metrics.errors, reader, member, onIssue)
            stream.add(parsed.spans, member, complete: take)
            if let progress { progress(read.advance(member)) }
        }
        stream.finish(complete: take)
        var input = Input(metrics: try metrics.finish(reader, summary))
        input.traces = counts.traces
        input.failedTraces = counts.failed
        input.spans = counts.spans
        input.operations = operations.finish()
        let forest = try TraceDigest.read(slowest.chosen + failing.chosen, from: reader).forest
        let byID = Dictionary(forest.map { ($0.traceID, $0) }, uniquingKeysWith: { a, _ in a })
        input.slowest = slowest.chosen.compactMap { byID[$0.traceID] }
        input.failing = failing.chosen.compactMap { byID[$0.traceID] }
        if let rules, var backtest {
            input.backtest = backtest.finish()[0]
            input.rulesFile = rules.file
            input.interval = interval
        }
        return input
    }

    /// One member's lines, read once by the worker that inflated it: its metric lines (for the
    /// figures and the backtest), and its spans and resource with what trees need.
    struct PassMember: Sendable {
        var metrics: MetricReplay.ParsedMember
        var spans = SpanCollector.ParsedSpans()

        init(_ bytes: UnsafeRawBufferPointer) {
            metrics = .init(capacity: bytes.count / 128)
            var invalid: [RecordLines.Invalid] = []
            RecordLines.forEach(in: bytes, invalid: &invalid) { line, at, view in
                metrics.take(line, at: at, view)
                if view.kind == .span || view.kind == .resource { spans.takeLight(line, view) }
            }
            metrics.errors = invalid
        }
    }

    /// The `count` longest traces offered, longest first (ties by trace id), as digests.
    struct TopTraces {
        let count: Int
        private(set) var chosen: [TraceDigest] = []

        init(count: Int) { self.count = count }

        mutating func offer(_ trace: Trace) {
            guard count > 0 else { return }
            func before(_ a: TraceDigest, _ b: TraceDigest) -> Bool {
                a.duration != b.duration ? a.duration > b.duration : a.traceID < b.traceID
            }
            var d = TraceDigest(traceID: trace.traceID)
            d.start = trace.start
            d.end = trace.end
            d.spans = trace.nodes.count
            d.errors = trace.errorCount
            if chosen.count == count, let last = chosen.last, !before(d, last) { return }
            chosen.insert(d, at: chosen.firstIndex { before(d, $0) } ?? chosen.count)
            if chosen.count > count { chosen.removeLast() }
        }
    }
}
