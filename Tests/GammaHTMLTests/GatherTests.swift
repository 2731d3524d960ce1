import GammaBacktest
import GammaConfig
@testable import GammaHTML
import GammaLog
import GammaModel
import GammaReplay
import GammaRules
import GammaTestSupport
import Testing

/// The HTML report reads the log once (``HTMLReport/gather``): every figure it shows must be
/// what the separate readings give, on the sample day (its incidents, failing runs and rules).
@Suite struct GatherTests {
    static let day = RepositoryPaths.root + "/samples/day"
    static let minute: Int64 = 60_000_000_000

    @Test(arguments: [nil, 6 * 3600] as [Int64?])
    func onePassAgreesWithTheSeparateReadings(sinceHours: Int64?) throws {
        var options = ReadOptions()
        if let sinceHours {
            let range = try LogReader(paths: [Self.day]).headerTimeRange()!
            options.since = range.lowerBound + sinceHours * 1_000_000_000
            options.until = options.since! + 8 * 3600 * 1_000_000_000
        }
        let reader = try LogReader(paths: [Self.day], options: options)
        let rules = try RuleFile.load(path: RepositoryPaths.root + "/samples/rules/agent.yaml")
        var query = MetricQuery()
        query.step = 15 * Self.minute
        var issues: [ReplayIssue] = []
        let input = try HTMLReport.gather(reader, query: query, rules: ("agent.yaml", rules), interval: Self.minute) {
            issues.append($0)
        }
        #expect(issues.isEmpty)

        // Metrics: the report of MetricReplay, byte for byte in the JSON export.
        query.quantiles = HTMLReport.quantiles
        let metrics = try MetricReplay(query: query).run(reader)
        #expect(JSONReportExporter().render(input.metrics) == JSONReportExporter().render(metrics))
        #expect(input.metrics.records == metrics.records && metrics.records > 0)

        // The backtest, as gamma-backtest runs it.
        var backtestOptions = Backtest.Options()
        backtestOptions.interval = Self.minute
        backtestOptions.since = options.since
        backtestOptions.until = options.until
        let backtest = try Backtest.run([rules], reader: reader, options: backtestOptions, onIssue: { _ in })[0]
        #expect(input.backtest?.groups == backtest.groups)
        #expect(input.backtest?.evaluations == backtest.evaluations && input.backtest?.samples == backtest.samples)
        #expect(backtest.groups.contains { !$0.episodes.isEmpty })

        // Operations, as gamma-traces --summary gives them.
        var summary = StreamingSpanSummary()
        _ = try summary.read(reader)
        #expect(input.operations == summary.finish())

        // Runs, spans, failed runs (root spans with error status, as the agent counts them), and
        // the slowest and failing traces chosen from every trace.
        let collected = try SpanCollector.collect(reader)
        let forest = TraceForest.build(collected)
        #expect(input.traces == forest.count && input.spans == collected.spans.count)
        let failedRoots = forest.count { $0.root?.span.status == .error }
        #expect(input.failedTraces == failedRoots && failedRoots > 0)
        #expect(forest.count { $0.errorCount > 0 } > failedRoots)  // a failed tool call alone is not a failed run
        var slow = TraceQuery()
        slow.slowest = 5
        var failing = TraceQuery()
        failing.errors = true
        failing.slowest = 5
        #expect(input.slowest.map(\.traceID) == slow.select(forest).map(\.traceID))
        #expect(input.failing.map(\.traceID) == failing.select(forest).map(\.traceID))
        for t in input.slowest + input.failing {
            let whole = forest.first { $0.traceID == t.traceID }!
            #expect(t.nodes.map(\.span) == whole.nodes.map(\.span))
        }
    }
}
