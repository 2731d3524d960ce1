import ArgumentParser
import GammaBacktest
import GammaCLI
import GammaConfig
import GammaLog
import GammaModel
import GammaPromQL
import GammaReplay
import Foundation

/// gamma-backtest over a Prometheus rule file: the log scraped as a Prometheus server would have
/// scraped it, the groups evaluated with PromQL, and optionally a promtool test written.
extension GammaBacktestCommand {
    /// The rule file, when it is a Prometheus one (`groups:` at the top).
    func prometheusRules(_ path: String) throws -> PromRuleFile? {
        do throws(ConfigError) {
            let root = try ConfigDocument.load(path: path)
            guard PromRuleFile.isPrometheus(root) else { return nil }
            return try PromRuleFile.parse(root)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }

    func runPrometheus(_ file: PromRuleFile, reader: LogReader, warnings: Warnings, out: Output) throws {
        if timeline || !rule.isEmpty || severity != nil {
            throw ValidationError(
                "with a Prometheus rule file, gamma-backtest takes no --timeline, --rule or --severity.")
        }
        var other: PromRuleFile?
        if let compare {
            guard let b = try prometheusRules(compare) else {
                throw ValidationError("--compare \(compare) is not a Prometheus rule file: compare files of one kind.")
            }
            if promtoolTest != nil {
                throw ValidationError("--promtool-test writes one rule file's test: leave out --compare.")
            }
            other = b
        }
        if interval != "15s" {
            throw ValidationError("a Prometheus rule file gives each group its interval: leave out --interval.")
        }
        var options = Scraper.Options()
        guard let scrape = DurationParser.parse(scrapeInterval), scrape >= 1_000_000, scrape % 1_000_000 == 0 else {
            throw ValidationError(
                "--scrape-interval '\(scrapeInterval)' is not a duration of whole milliseconds (like 15s).")
        }
        options.interval = scrape / 1_000_000
        guard let instanceLabel = Scraper.Instance(rawValue: instance) else {
            throw ValidationError("--instance must be stream or service.")
        }
        options.instance = instanceLabel
        if let buckets {
            let bounds = buckets.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard !bounds.isEmpty, bounds.allSatisfy({ $0 != nil && $0!.isFinite }),
                zip(bounds, bounds.dropFirst()).allSatisfy({ $0! < $1! })
            else { throw ValidationError("--buckets '\(buckets)' is not an increasing list of numbers.") }
            options.buckets = bounds.map { $0! }
        }
        let scraped: (series: MemorySeries, records: Int, first: Int64, last: Int64)
        do {
            scraped = try PromBacktest.scrape(reader, options: options) { warnings.warn($0) }
        } catch let error as ReplayError {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if scraped.records == 0 {
            try EmptyInput.check(reader, input: reader, paths: input.paths, warnings: warnings)
        }
        guard scraped.first <= scraped.last else {
            warnings.warn("no metric record in the input: there is nothing for the rules to read")
            try out.finish()
            try warnings.check()
            return
        }
        let start = (reader.options.since ?? scraped.first) / 1_000_000
        let end = (reader.options.until.map { $0 - 1 } ?? scraped.last) / 1_000_000
        guard prometheusVersion == 2 || prometheusVersion == 3 else {
            throw ValidationError("--prometheus-version must be 2 or 3.")
        }
        func evaluate(_ f: PromRuleFile) throws -> PromBacktest.Result {
            do {
                return try PromBacktest.evaluate(
                    f, series: scraped.series, start: start, end: end,
                    compatibility: prometheusVersion == 2 ? .prometheus2 : .prometheus3,
                    maxEvaluations: force ? nil : Self.maximumEvaluations)
            } catch let error as PromBacktest.TooManyEvaluations {
                printError("error: \(error): give a shorter range (--since, --until), or --force")
                throw ExitCode(64)
            } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
        let result = try evaluate(file)
        // A rule that reads nothing answers nothing: a misspelled metric must not pass for quiet.
        var noData: [String] = []
        for (rule, selector) in result.selectorsWithoutData {
            warnings.warn(
                "rule '\(rule)': \(selector) matches no series (names as gamma-report --format prometheus gives them)")
            if !noData.contains(rule) { noData.append(rule) }
        }
        func checkAnswerable() throws {
            if failOn != .never && !noData.isEmpty && !allowNoData {
                printError(
                    "gamma-backtest: --fail-on \(failOn.rawValue) cannot be answered: \(plural(noData.count, "rule")) read no series (\(noData.joined(separator: ", "))); give --allow-no-data to accept that"
                )
                throw ExitCode.failure
            }
        }
        if let other {
            let b = try evaluate(other)
            let comparison = BacktestComparison(result, b)
            switch format {
            case .table: out.write(comparison.table(nameA: rules!, nameB: compare!))
            case .json: comparison.json(nameA: rules!, nameB: compare!).withUnsafeBytes { out.write($0) }
            case .csv: break  // refused by validate()
            }
            try out.finish()
            try warnings.check()
            if failOn != .never && !(result.episodes.isEmpty && b.episodes.isEmpty) {
                printError("gamma-backtest: --fail-on \(failOn.rawValue) is met")
                throw ExitCode.failure
            }
            try checkAnswerable()
            return
        }
        switch format {
        case .table:
            out.write(result.table(formatTime: { TimeParser.format($0) }, scrapeInterval: options.interval))
        case .json: result.json().withUnsafeBytes { out.write($0) }
        case .csv: out.write(result.csv())
        }
        if let promtoolTest {
            let text: String
            do {
                text = try PromtoolTest.write(
                    result, ruleFile: absolute(rules!), scrape: options, defaultInterval: 60_000)
            } catch {
                printError("error: --promtool-test: \(error)")
                throw ExitCode(2)
            }
            let test = try Output.opening(promtoolTest)  // replaced only by a complete new file
            test.write(text)
            try test.finish()
        }
        try out.finish()
        try warnings.check()
        let met: Bool
        switch failOn {
        case .never: met = false
        case .pending: met = !result.transitions.isEmpty
        case .firing, .notify: met = !result.episodes.isEmpty
        }
        if met {
            printError("gamma-backtest: --fail-on \(failOn.rawValue) is met")
            throw ExitCode.failure
        }
        try checkAnswerable()
    }

    private func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }
}
