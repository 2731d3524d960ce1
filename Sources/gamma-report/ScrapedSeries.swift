import ArgumentParser
import GammaBacktest
import GammaCLI
import GammaConfig
import GammaLog
import GammaModel
import GammaPromQL
import GammaReplay

/// `gamma-report --format openmetrics --scraped`: the series gamma-backtest's Prometheus rule
/// files read, so a user can see what the rules saw (or backfill them with promtool).
extension GammaReportCommand {
    func printScraped(_ reader: LogReader, input: LogReader, warnings: Warnings) throws {
        var options = Scraper.Options()
        guard let interval = DurationParser.parse(scrapeInterval), interval >= 1_000_000, interval % 1_000_000 == 0
        else {
            throw ValidationError(
                "--scrape-interval '\(scrapeInterval)' is not a duration of whole milliseconds (like 15s).")
        }
        options.interval = interval / 1_000_000
        if let b = try query().buckets { options.buckets = b }
        let scraped: (series: MemorySeries, records: Int, first: Int64, last: Int64)
        do {
            scraped = try PromBacktest.scrape(reader, options: options) { warnings.warn($0) }
        } catch let error as ReplayError {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if scraped.records == 0 {
            try EmptyInput.check(reader, input: input, paths: self.input.paths, warnings: warnings)
        }
        let q = try query()
        let selected = scraped.series.all.filter { s in
            q.metrics.isEmpty || q.metrics.contains { $0.matches(s.labels.metricName) }
        }
        if selected.isEmpty { warnings.warn("no scraped series\(q.metrics.isEmpty ? "" : " matches --metric")") }
        let out = try output.open()
        out.write(PromBacktest.openMetrics(selected))
        try out.finish()
        try warnings.check()
    }
}
