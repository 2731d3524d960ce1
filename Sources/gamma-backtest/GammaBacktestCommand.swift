import ArgumentParser
import GammaCLI
import GammaRules
import GammaBacktest
import GammaConfig
import GammaLog
import GammaModel
import GammaReplay
#if canImport(Glibc)
import Glibc
#endif

/// `gamma-backtest`: alert rules evaluated over recorded metrics, as live evaluation would have.
@main
struct GammaBacktestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gamma-backtest",
        abstract: "Backtest alert rules on Gamma logs: what would have fired, when, and what would have been sent.",
        discussion: HelpText.reflow(
            """
            Rules (YAML or JSON, docs/ALERTING.md) are evaluated every --interval of recorded
            time, with the evaluator that live alerting uses. For each rule and group: the
            firing episodes (start, end, peak), the notifications after cooldown, the time
            pending and firing, and the first fire.

            A Prometheus rule file (with groups:, docs/PROMQL.md) is evaluated as Prometheus
            would have evaluated it: the log scraped every --scrape-interval, each group at its
            interval, PromQL with Prometheus 3's semantics. --promtool-test writes a test that
            `promtool test rules` runs to confirm the answer.

            Examples:
              gamma-backtest samples/day --rules samples/rules/agent.yaml
              gamma-backtest samples/day --rules samples/rules/agent.yaml --timeline
              gamma-backtest samples/day --rules samples/rules/agent.yaml \\
                  --compare samples/rules/agent-v2.yaml
              gamma-backtest logs/ --rules rules.yaml --since -6h --fail-on firing  # CI
              gamma-backtest logs/ --history               the alert records of live runs
              gamma-backtest samples/day --rules samples/rules/agent.prom.yml \\
                  --promtool-test day.test.yml

            Exit codes: 0 success; 1 --fail-on was met, or damage with --strict; 2 a path or
            rule file could not be read or is invalid; 64 bad usage.
            """),
        version: GammaVersion.text
    )

    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable { case table, json, csv }
    enum FailOn: String, ExpressibleByArgument, CaseIterable, Sendable { case never, pending, firing, notify }

    @OptionGroup var input: LogInputOptions
    @Option(help: ArgumentHelp("The rule file (YAML or JSON).", valueName: "file")) var rules: String?
    @Option(help: ArgumentHelp("A second rule file: compare the two episode by episode.", valueName: "file"))
    var compare: String?
    @Option(
        parsing: .unconditional, help: ArgumentHelp("Evaluate every this much recorded time.", valueName: "duration"))
    var interval = "15s"
    @Option(help: ArgumentHelp("table, json or csv.", valueName: "format")) var format: Format = .table
    @Flag(help: "Show a timeline of each rule's phases (table format).") var timeline = false
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Width of the timeline (default: the terminal's, or 100).", valueName: "columns"))
    var width: Int?
    @Option(
        help: ArgumentHelp(
            "Exit 1 if any rule went pending, fired, or sent a notification.", valueName: "never|pending|firing|notify")
    )
    var failOn: FailOn = .never
    @Option(
        help: ArgumentHelp(
            "Only rules of at least this severity (info, warning, error, critical).", valueName: "severity"))
    var severity: String?
    @Option(help: ArgumentHelp("Only rules whose name matches this glob; repeatable.", valueName: "glob")) var rule:
        [String] = []
    @Flag(help: "List the alert records that live evaluation wrote into the logs, instead of backtesting.")
    var history = false
    @Flag(help: "With --fail-on: a rule that had no data (no sample of its metrics) does not fail the run.")
    var allowNoData = false
    @Flag(help: "Evaluate even when the range and --interval make more than \(Self.maximumEvaluations) evaluations.")
    var force = false
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Prometheus rule files: how often the simulated server scrapes each recording process.",
            valueName: "duration"))
    var scrapeInterval = "15s"
    @Option(
        help: ArgumentHelp(
            "Prometheus rule files: histogram bucket bounds, in each metric's recorded unit (default: Prometheus' .005 to 10 s, as ms).",
            valueName: "list"))
    var buckets: String?
    @Option(
        help: ArgumentHelp(
            "Prometheus rule files: the instance label, each stream's id or its service (a restarted process continues its series).",
            valueName: "stream|service"))
    var instance = "stream"
    @Option(
        help: ArgumentHelp(
            "Prometheus rule files: 3 (the default) or 2, whose rate and increase differ at a series' start (for promtool 2.x).",
            valueName: "version"))
    var prometheusVersion = 3
    @Option(
        help: ArgumentHelp(
            "Prometheus rule files: also write a promtool test (input series and expected alerts) to this file.",
            valueName: "file"))
    var promtoolTest: String?
    @OptionGroup var output: OutputOptions
    @OptionGroup var strictness: StrictOptions
    @Flag(help: "No progress line on standard error (it is shown only when standard error is a terminal).")
    var noProgress = false

    mutating func validate() throws {
        if history {
            if rules != nil || compare != nil {
                throw ValidationError("--history lists recorded alerts; it takes no --rules or --compare.")
            }
        } else if rules == nil {
            throw ValidationError("Please give the rules with --rules FILE (or --history for the recorded alerts).")
        }
        guard let i = DurationParser.parse(interval), i >= 1_000_000 else {
            throw ValidationError("--interval '\(interval)' is not a duration of at least 1ms (like 15s, 1m).")
        }
        if let severity, AlertRule.Severity(rawValue: severity) == nil {
            throw ValidationError("--severity must be info, warning, error or critical.")
        }
        if let width, width < 40 { throw ValidationError("--width must be at least 40.") }
        if compare != nil && timeline { throw ValidationError("--timeline shows one rule file; leave out --compare.") }
        if timeline && format != .table {
            throw ValidationError("--timeline is drawn in the table format: leave out --format \(format.rawValue).")
        }
        if width != nil && !timeline {
            throw ValidationError("--width sets the timeline's width: use it with --timeline.")
        }
        if compare != nil && format == .csv { throw ValidationError("--compare writes table or json.") }
    }

    var minimumSeverity: AlertRule.Severity? { severity.flatMap(AlertRule.Severity.init) }

    func selected(_ rules: [AlertRule]) -> [AlertRule] {
        let globs = rule.map(Glob.init)
        return rules.filter { r in
            (globs.isEmpty || globs.contains { $0.matches(r.name) })
                && (minimumSeverity.map { r.severity >= $0 } ?? true)
        }
    }

    func load(_ path: String) throws -> [AlertRule] {
        do throws(ConfigError) { return try RuleFile.load(path: path) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }

    /// Evaluations a backtest makes at most unless `--force`: a day every 100 ms.
    static let maximumEvaluations = 1_000_000

    func run() throws {

        ProcessSetup.ignoreFileSizeSignal()
        let reader = try input.reader()
        let progress = ProgressLine(disabled: noProgress)
        let warnings = Warnings(strictness, before: { progress.clear() })
        let onIssue: (ReplayIssue) -> Void = { warnings.warn($0) }
        let out = try output.open()
        if history {
            let globs = rule.map(Glob.init)
            let records = try AlertHistory.read(
                reader, rule: { name in globs.isEmpty || globs.contains { $0.matches(name) } },
                severity: minimumSeverity, onIssue: onIssue)
            if records.isEmpty {
                if try !EmptyInput.holdsRecords(reader) {
                    try EmptyInput.check(reader, input: reader, paths: input.paths, warnings: warnings)
                }
                warnings.warn(
                    "no alert records\(rule.isEmpty && severity == nil ? "" : " match --rule/--severity") in the input")
            }
            switch format {
            case .table: out.write(AlertHistory.table(records))
            case .csv: out.write(AlertHistory.csv(records))
            case .json: AlertHistory.jsonLines(records).withUnsafeBytes { out.write($0) }
            }
            try out.finish()
            try warnings.check()
            return
        }
        if let prometheus = try prometheusRules(rules!) {
            try runPrometheus(prometheus, reader: reader, warnings: warnings, out: out)
            return
        }
        if promtoolTest != nil || buckets != nil || scrapeInterval != "15s" || instance != "stream"
            || prometheusVersion != 3
        {
            throw ValidationError(
                "--promtool-test, --buckets, --scrape-interval, --instance and --prometheus-version are for Prometheus rule files (with groups:)."
            )
        }
        let rulesA = selected(try load(rules!))
        let rulesB = try compare.map { selected(try load($0)) }
        for (file, set) in [(rules!, rulesA)] + (rulesB.map { [(compare!, $0)] } ?? [])
        where set.filter(\.enabled).isEmpty {
            let selection = rule.map { "--rule '\($0)'" } + (severity.map { ["--severity \($0)"] } ?? [])
            warnings.warn(
                "no enabled rule in \(file)\(selection.isEmpty ? "" : " matches " + selection.joined(separator: " "))")
        }
        var options = Backtest.Options()
        options.interval = DurationParser.parse(interval)!
        options.since = reader.options.since
        options.until = reader.options.until
        options.maxEvaluations = force ? nil : Self.maximumEvaluations
        if let range = reader.headerTimeRange() {
            let evaluations = (range.upperBound - range.lowerBound) / options.interval + 1
            if evaluations > Self.maximumEvaluations && !force {
                printError(
                    "error: --interval \(interval) over \(HumanText.duration(range.upperBound - range.lowerBound)) makes "
                        + "\(evaluations) evaluations, more than \(Self.maximumEvaluations): give a longer --interval, "
                        + "a shorter range (--since, --until), or --force")
                throw ExitCode(64)
            }
        }
        let a: Backtest.Result
        var b: Backtest.Result?
        do {
            let show: ((Double) -> Void)? =
                progress.enabled
                ? { fraction in
                    progress.show(
                        fraction < 1
                            ? "gamma-backtest: \(ProgressLine.bar(fraction)) \(Int(fraction * 100))% read and evaluated"
                            : "gamma-backtest: evaluating the rest of the range", force: fraction >= 1)
                } : nil
            let results = try Backtest.run(
                [rulesA] + (rulesB.map { [$0] } ?? []), reader: reader, options: options, progress: show,
                onIssue: onIssue)
            progress.clear()
            a = results[0]
            b = results.count > 1 ? results[1] : nil
        } catch let error as ReplayError {
            progress.clear()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if a.records == 0 { try EmptyInput.check(reader, input: reader, paths: input.paths, warnings: warnings) }
        if a.tooManyEvaluations || b?.tooManyEvaluations == true {
            printError(
                "error: --interval \(interval) over the input's range makes more than \(Self.maximumEvaluations) evaluations: "
                    + "give a longer --interval, a shorter range (--since, --until), or --force")
            throw ExitCode(64)
        }
        var noData: [String] = []
        for name in ([a] + (b.map { [$0] } ?? [])).flatMap(\.rulesWithoutData) where !noData.contains(name) {
            noData.append(name)
            if a.records > 0 { warnings.warn("rule '\(name)' had no data: no sample of its metrics in the range") }
        }
        if a.records > 0, let start = a.start, let end = a.end, end - start < options.interval {
            warnings.warn(
                "the range (\(HumanText.duration(end - start))) is shorter than --interval \(interval): "
                    + plural(a.evaluations, "evaluation"))
        }
        if let b {
            let comparison = BacktestComparison(a, b)
            switch format {
            case .table: out.write(comparison.table(nameA: rules!, nameB: compare!))
            case .json: comparison.json(nameA: rules!, nameB: compare!).withUnsafeBytes { out.write($0) }
            case .csv: break  // refused by validate()
            }
        } else {
            switch format {
            case .table:
                let columns = width ?? terminalWidth() ?? 100
                out.write(
                    BacktestTableExporter(timelineWidth: timeline ? columns : nil).render(a, interval: options.interval)
                )
            case .json: BacktestJSONExporter().render(a, interval: options.interval).withUnsafeBytes { out.write($0) }
            case .csv: out.write(BacktestCSVExporter().render(a))
            }
        }
        try out.finish()
        try warnings.check()
        let results = [a] + (b.map { [$0] } ?? [])
        let met: Bool
        switch failOn {
        case .never: met = false
        case .pending: met = results.contains { $0.transitions.contains { $0.kind == .pending || $0.kind == .firing } }
        case .firing: met = results.contains { $0.groups.contains { !$0.episodes.isEmpty } }
        case .notify: met = results.contains { $0.transitions.contains(where: \.notify) }
        }
        if met {
            printError("gamma-backtest: --fail-on \(failOn.rawValue) is met")
            throw ExitCode.failure
        }
        // A CI job that asks whether rules fire must not pass because they had nothing to read.
        let evaluated = results.allSatisfy { !$0.rules.isEmpty }
        if failOn != .never && (!noData.isEmpty || !evaluated) && !allowNoData {
            printError(
                "gamma-backtest: --fail-on \(failOn.rawValue) cannot be answered: "
                    + (evaluated
                        ? "\(noData.count == 1 ? "a rule" : "\(noData.count) rules") had no data (\(noData.joined(separator: ", ")))"
                        : "no rule was evaluated")
                    + "; give --allow-no-data to accept that")
            throw ExitCode.failure
        }
    }
}
