public import GammaRules
import GammaBacktest
public import GammaLog
import GammaModel
public import GammaReplay

extension HTMLReport {
    /// Reads what the page shows: the metrics (with `query.step`, or a step chosen from the
    /// segments' time range), the traces and their operations, and the backtest of `rules`.
    /// - Parameter progress: called with each pass's name, its number and the number of passes,
    ///   and the fraction of the input it has read.
    public static func gather(
        _ reader: LogReader, query: MetricQuery, rules: (file: String, rules: [AlertRule])?, interval: Int64,
        traces: Int = 5, maxEvaluations: Int? = 1_000_000,
        progress: ((_ pass: String, _ number: Int, _ passes: Int, _ fraction: Double) -> Void)? = nil,
        onIssue: (ReplayIssue) -> Void
    ) throws -> Input {
        let passes = rules == nil ? 3 : 4
        func pass(_ name: String, _ number: Int) -> ((Double) -> Void)? {
            progress.map { report in { fraction in report(name, number, passes, fraction) } }
        }
        var q = query
        q.quantiles = Self.quantiles
        if q.step == nil {
            let ranges = reader.inventory().compactMap(\.timeRange)
            let from = reader.options.since ?? ranges.map(\.lowerBound).min() ?? 0
            let to = reader.options.until ?? ranges.map(\.upperBound).max() ?? 0
            q.step = step(forSeconds: Double(max(0, to - from)) / 1e9)
        }
        var input = Input(
            metrics: try MetricReplay(query: q).run(reader, progress: pass("metrics", 1), onIssue: onIssue))
        pass("traces", 2)?(0)
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
        _ = try summary.read(reader, progress: pass("operations", 3))
        input.operations = summary.finish()
        if let rules {
            var options = Backtest.Options()
            options.interval = interval
            options.maxEvaluations = maxEvaluations
            options.since = reader.options.since
            options.until = reader.options.until
            input.backtest = try Backtest.run(
                [rules.rules], reader: reader, options: options, progress: pass("rules", 4), onIssue: { _ in })[0]
            input.rulesFile = rules.file
            input.interval = interval
        }
        return input
    }
}
