public import GammaRules
import GammaBacktest
public import GammaLog
import GammaModel
public import GammaReplay

extension HTMLReport {
    /// Reads what the page shows: the metrics (with `query.step`, or a step chosen from the
    /// segments' time range), the traces and their operations, and the backtest of `rules`.
    public static func gather(
        _ reader: LogReader, query: MetricQuery, rules: (file: String, rules: [AlertRule])?, interval: Int64,
        traces: Int = 5, maxEvaluations: Int? = 1_000_000, onIssue: (ReplayIssue) -> Void
    ) throws -> Input {
        var q = query
        q.quantiles = Self.quantiles
        if q.step == nil {
            let ranges = reader.inventory().compactMap(\.timeRange)
            let from = reader.options.since ?? ranges.map(\.lowerBound).min() ?? 0
            let to = reader.options.until ?? ranges.map(\.upperBound).max() ?? 0
            q.step = step(forSeconds: Double(max(0, to - from)) / 1e9)
        }
        var input = Input(metrics: try MetricReplay(query: q).run(reader, onIssue: onIssue))
        // Traces: digests of all, then the spans of those shown; issues were reported above.
        let digests = try TraceDigest.digest(reader, name: nil)
        input.traces = digests.count
        input.failedTraces = digests.count { $0.errors > 0 }
        input.spans = digests.reduce(0) { $0 + $1.spans }
        var slow = TraceQuery()
        slow.slowest = traces
        var failing = TraceQuery()
        failing.errors = true
        failing.slowest = traces
        let forest = try TraceDigest.read(
            TraceDigest.choose(digests, slow) + TraceDigest.choose(digests, failing), from: reader
        ).forest
        input.slowest = slow.select(forest)
        input.failing = failing.select(forest)
        var summary = StreamingSpanSummary()
        _ = try summary.read(reader)
        input.operations = summary.finish()
        if let rules {
            var options = Backtest.Options()
            options.interval = interval
            options.maxEvaluations = maxEvaluations
            options.since = reader.options.since
            options.until = reader.options.until
            input.backtest = try Backtest.run([rules.rules], reader: reader, options: options, onIssue: { _ in })[0]
            input.rulesFile = rules.file
            input.interval = interval
        }
        return input
    }
}
