import ArgumentParser
import GammaCLI
import GammaLog
import GammaModel
import GammaConfig
import GammaReplay
import GammaRules
import GammaBacktest
import GammaHTML
#if canImport(Glibc)
import Glibc
#endif

/// `gamma-report`: figures of the metrics in Gamma logs, as a table, JSON, CSV, Prometheus or OpenMetrics.
@main
struct GammaReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gamma-report",
        abstract: "Percentiles, totals, rates and gauges from the metrics in Gamma logs.",
        discussion: HelpText.reflow(
            """
            Per series (a metric name and its labels): histograms give count, sum, mean, min,
            max, standard deviation and quantiles (exact by default, as numpy's 'linear'
            method; --approx keeps memory bounded, each quantile within 1% of an observation
            next to its rank, as docs/REPORT.md details); counters give their total and rate
            over the covered time (per second in the machine formats; the table picks per
            second, minute or hour); gauges give their last, min, max and mean. NaN values are counted apart and left out of the figures.

            Examples:
              gamma-report samples/log
              gamma-report --metric 'llm.*' --match model=scripted-large samples/log
              gamma-report --group-by tool --format json samples/log
              gamma-report --since -1h --step 5m --format csv samples/log
              gamma-report --format prometheus --buckets 10,50,100,500 samples/log \\
                  | promtool check metrics
              gamma-report --format openmetrics --step 1m samples/log > backfill.om

            The formats are described in docs/REPORT.md. Damaged segments are skipped with a
            warning naming each place; --strict makes damage or an invalid line fail the run.

            Exit codes: 0 success; 1 damage or invalid lines with --strict, or data the
            format cannot express (two metrics under one exposed name); 2 a path could not be
            read; 64 bad usage.
            """),
        version: GammaVersion.text
    )

    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case table, json, prometheus, openmetrics, csv, html
    }

    @OptionGroup var input: LogInputOptions

    @Option(
        name: .customLong("metric"),
        help: ArgumentHelp("Only metrics whose name matches this glob (* and ?); repeatable.", valueName: "glob"))
    var metrics: [String] = []

    @Option(help: ArgumentHelp("Leave out metrics whose name matches this glob; repeatable.", valueName: "glob"))
    var exclude: [String] = []

    @Option(
        name: .customLong("match"),
        help: ArgumentHelp(
            "Only series whose labels match: label=value, label!=value, label=~regex, label!~regex; repeatable.",
            valueName: "matcher"))
    var matchers: [String] = []

    @Option(
        help: ArgumentHelp(
            "Merge series over every label not in this comma-separated list ('' merges all labels).",
            valueName: "labels"))
    var groupBy: String?

    @OptionGroup var streams: StreamOptions

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Also give the figures per window of this length (30s, 5m, 1h), aligned to the epoch.",
            valueName: "duration"))
    var step: String?

    @Flag(
        help:
            "Quantiles from a bounded-memory sketch instead of every observation: each within 1% of an observation next to its rank (docs/REPORT.md)."
    )
    var approx = false

    @Option(help: ArgumentHelp("The quantiles of histograms, comma-separated, each in 0...1.", valueName: "list"))
    var quantiles: String = "0.5,0.9,0.95,0.99,0.999"

    @Option(
        help: ArgumentHelp(
            "Histogram bucket upper bounds in the recorded unit, comma-separated; prometheus and openmetrics then write histograms instead of summaries.",
            valueName: "list"))
    var buckets: String?

    @Option(
        help: ArgumentHelp(
            "table, json, prometheus, openmetrics, csv or html (one self-contained page).", valueName: "format"))
    var format: Format = .table

    @Option(
        help: ArgumentHelp(
            "With --format html: backtest these alert rules and chart each over the value it watches.",
            valueName: "file"))
    var rules: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "With --rules: the evaluation interval of the backtest (default: 15s).", valueName: "duration"))
    var interval: String?

    /// The backtest's interval: the one given, or 15s.
    var evaluationInterval: String { interval ?? "15s" }

    @Flag(help: "Stamp each prometheus or openmetrics sample with its series' last observation.")
    var timestamps = false

    @Flag(
        help:
            "With --format openmetrics: the series a Prometheus server would have scraped from each stream (what Prometheus rule files see in gamma-backtest), every sample stamped."
    )
    var scraped = false

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("With --scraped: how often each stream is scraped.", valueName: "duration"))
    var scrapeInterval = "15s"

    @OptionGroup var output: OutputOptions

    @OptionGroup var strictness: StrictOptions

    @Flag(help: "Print what was read, the time taken and the peak memory to standard error.")
    var stats = false

    @Flag(help: "No progress line on standard error (it is shown only when standard error is a terminal).")
    var noProgress = false

    init() {}

    mutating func validate() throws {
        _ = try query()
        if rules != nil && format != .html {
            throw ValidationError(
                "--rules charts a backtest in the HTML report: use it with --format html (or run gamma-backtest).")
        }
        if interval != nil && rules == nil {
            throw ValidationError(
                "--interval is the backtest's, which --rules asks for: leave it out, or give --rules.")
        }
        guard (DurationParser.parse(evaluationInterval) ?? 0) > 0 else {
            throw ValidationError("--interval '\(evaluationInterval)' is not a duration: use 15s, 1m, 5m.")
        }
        if scraped && format != .openmetrics {
            throw ValidationError(
                "--scraped prints the scraped series as OpenMetrics: use it with --format openmetrics.")
        }
        if scraped && (step != nil || timestamps || groupBy != nil || approx) {
            throw ValidationError(
                "--scraped prints every scraped sample: leave out --step, --timestamps, --group-by and --approx.")
        }
        if scrapeInterval != "15s" && !scraped {
            throw ValidationError("--scrape-interval is for --scraped.")
        }
        if timestamps && !(format == .prometheus || format == .openmetrics) {
            throw ValidationError(
                "--timestamps stamps prometheus or openmetrics samples: use it with one of those formats.")
        }
        if format == .prometheus && step != nil {
            throw ValidationError(
                "--format prometheus holds one point per series: use --format openmetrics (or json, csv, table) with --step."
            )
        }
    }

    /// The query the options describe.
    func query() throws -> MetricQuery {
        var q = MetricQuery()
        q.metrics = metrics.map(Glob.init)
        q.excluded = exclude.map(Glob.init)
        for m in matchers {
            switch Result(catching: { () throws(LabelMatcherError) -> LabelMatcher in try LabelMatcher(parsing: m) }) {
            case .success(let matcher): q.matchers.append(matcher)
            case .failure(let error): throw ValidationError(error.description)
            }
        }
        if let groupBy { q.groupBy = groupBy.split(separator: ",").map { String($0).trimmed } }
        if let step {
            guard let d = DurationParser.parse(step), d > 0 else {
                throw ValidationError("--step '\(step)' is not a duration: use 30s, 5m, 1h, 1h30m, 500ms.")
            }
            q.step = d
        }
        q.approximate = approx
        let qs = quantiles.split(separator: ",").map { Double(String($0).trimmed) }
        guard !qs.isEmpty, qs.allSatisfy({ $0 != nil && (0...1).contains($0!) }) else {
            throw ValidationError(
                "--quantiles '\(quantiles)': give numbers between 0 and 1, comma-separated (0.5,0.99).")
        }
        q.quantiles = qs.map { $0! }
        if let buckets {
            let bs = buckets.split(separator: ",").map { Double(String($0).trimmed) }
            guard !bs.isEmpty, bs.allSatisfy({ $0 != nil && $0!.isFinite }),
                zip(bs, bs.dropFirst()).allSatisfy({ $0! < $1! })
            else {
                throw ValidationError(
                    "--buckets '\(buckets)': give finite, strictly increasing numbers, comma-separated (10,50,100).")
            }
            q.buckets = bs.map { $0! }
        }
        return q
    }

    func run() throws {

        ProcessSetup.ignoreFileSizeSignal()
        let started = monotonicSeconds()
        let progress = ProgressLine(disabled: noProgress)
        let warnings = Warnings(strictness, before: { progress.clear() })
        let unselected = try input.reader()
        let reader = streams.select(unselected, warnings: warnings)
        if format == .html { return try html(reader, input: unselected, warnings: warnings, progress: progress) }
        if scraped { return try printScraped(reader, input: unselected, warnings: warnings) }
        let report = try MetricReplay(query: query()).run(
            reader,
            progress: progress.enabled
                ? { fraction in
                    progress.show("gamma-report: \(ProgressLine.bar(fraction)) \(Int(fraction * 100))% read")
                } : nil, onIssue: { warnings.warn($0) })
        progress.clear()
        try checkSelection(report, reader: reader, input: unselected, warnings: warnings)

        let out = try output.open()
        switch rendered(report) {
        case .success(let bytes): bytes.withUnsafeBytes { out.write($0) }
        case .failure(let error):
            printError("error: \(error)")
            throw ExitCode.failure
        }
        try out.finish()
        if stats {
            var usage = rusage()
            getrusage(RUSAGE_SELF.rawValue, &usage)
            let inHistograms = report.series.filter { $0.key.kind == .histogram }.reduce(0) {
                $0 + $1.figures.count + $1.figures.nanCount
            }
            printError(
                "gamma-report: \(report.records) records, \(report.observations) observations (\(inHistograms) in histograms) in \(report.series.count) series, "
                    + "\(HumanText.duration(seconds: monotonicSeconds() - started)), peak RSS \(usage.ru_maxrss) KB"
            )
        }
        try warnings.check()
    }
}

extension GammaReportCommand {
    /// A read that found no records, and a selection that selects nothing, are said on stderr:
    /// an input without records is an error, each glob or matcher that selects nothing a warning.
    func checkSelection(_ report: MetricReport, reader: LogReader, input unselected: LogReader, warnings: Warnings)
        throws
    {
        if report.records == 0 {
            try EmptyInput.check(reader, input: unselected, paths: input.paths, warnings: warnings)
            return
        }
        let names = Set(report.series.map(\.key.name))
        for glob in metrics.map(Glob.init) where !names.contains(where: glob.matches) {
            warnings.warn("--metric '\(glob)' matches no series\(matchers.isEmpty ? "" : " that --match selects")")
        }
        if report.series.isEmpty && metrics.isEmpty {
            let selection = (matchers.map { "--match '\($0)'" } + exclude.map { "--exclude '\($0)'" }).joined(
                separator: " ")
            warnings.warn(
                selection.isEmpty
                    ? "the input holds \(report.records) records and no metric"
                    : "no series match \(selection)")
        }
    }

    /// The report in the chosen format.
    func rendered(_ report: MetricReport) -> Result<[UInt8], ReplayError> {
        switch format {
        case .table: return .success(Array(TableReportExporter().render(report).utf8))
        case .json: return .success(JSONReportExporter().render(report))
        case .csv: return .success(Array(CSVReportExporter().render(report).utf8))
        case .prometheus, .openmetrics:
            let exporter = PrometheusExporter(
                dialect: format == .prometheus ? .prometheus : .openMetrics, timestamps: timestamps)
            return Result { () throws(ReplayError) -> String in try exporter.render(report) }.map { Array($0.utf8) }
        case .html: return .failure(.usage("the HTML report reads traces too: see html(_:)"))
        }
    }
}

extension GammaReportCommand {
    /// `--format html`: reads the log for metrics, traces and (with --rules) a backtest, and
    /// writes one page.
    func html(_ reader: LogReader, input unselected: LogReader, warnings: Warnings, progress: ProgressLine) throws {
        let ruleSet: (file: String, rules: [AlertRule])?
        if let rules {
            do throws(ConfigError) { ruleSet = (rules, try RuleFile.load(path: rules)) } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        } else {
            ruleSet = nil
        }
        let input: HTMLReport.Input
        do {
            input = try HTMLReport.gather(
                reader, query: query(), rules: ruleSet, interval: DurationParser.parse(evaluationInterval)!,
                progress: progress.enabled
                    ? { fraction in
                        progress.show("gamma-report: \(ProgressLine.bar(fraction)) \(Int(fraction * 100))% read")
                    } : nil
            ) { warnings.warn($0) }
            progress.clear()
        } catch let error as ReplayError {
            progress.clear()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        try checkSelection(input.metrics, reader: reader, input: unselected, warnings: warnings)
        if input.backtest?.tooManyEvaluations == true {
            printError(
                "error: --interval \(evaluationInterval) over the input's range makes more than 1000000 evaluations of the rules: "
                    + "give a longer --interval or a shorter range (--since, --until)")
            throw ExitCode(64)
        }
        for rule in input.backtest?.rulesWithoutData ?? [] {
            warnings.warn("rule '\(rule)' had no data: no sample of its metrics in the input")
        }
        let page = HTMLReport().render(input)
        let out = try output.open()
        out.write(page)
        try out.finish()
        try warnings.check()
    }
}

/// Seconds on the monotonic clock the log layer uses.
func monotonicSeconds() -> Double { Double(monotonicNanos()) / 1e9 }

extension String {
    var trimmed: String {
        var s = Substring(self)
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return String(s)
    }
}
