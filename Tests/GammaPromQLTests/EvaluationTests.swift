import GammaModel
@testable import GammaPromQL
import Testing

/// Alerting and recording rules over time, worked by hand; and the scrape of a log's records.
@Suite struct RuleEvaluatorTests {
    /// `x` is 1 at 0–4m and 9 from 5m to 9m (a sample a minute), then stops with a staleness marker.
    static func store() -> MemorySeries {
        var s = MemorySeries()
        let x = Labels([("__name__", "x"), ("job", "j")])
        for m in 0..<10 { s.append(x, Int64(m) * 60_000, m < 5 ? 1 : 9) }
        s.append(x, 10 * 60_000, staleMarker)
        return s
    }

    static func evaluate(_ rules: String, until minutes: Int) throws -> (
        [RuleEvaluator.Transition], MemorySeries
    ) {
        let file = try PromRuleFile.parse("groups:\n  - name: g\n    interval: 1m\n    rules:\n" + rules, file: "r.yml")
        var evaluator = RuleEvaluator(file)
        var store = store()
        var out: [RuleEvaluator.Transition] = []
        for m in 0...minutes { out += try evaluator.evaluate(group: 0, at: Int64(m) * 60_000, store: &store) }
        return (out, store)
    }

    /// x > 5 holds from 5m: pending at 5m, firing at 7m (for 2m); the series goes stale at 10m, so
    /// it no longer holds there: resolved at 10m.
    @Test func forHoldsAnAlertPendingThenItFiresAndResolves() throws {
        let (t, _) = try Self.evaluate(
            "      - alert: High\n        expr: x > 5\n        for: 2m\n        annotations: {v: \"{{ $value }} on {{ $labels.job }}\"}\n",
            until: 12)
        #expect(t.map { "\($0.state.rawValue)@\($0.at / 60_000)" } == ["pending@5", "firing@7", "inactive@10"])
        #expect(t[1].alert.labels == Labels([("alertname", "High"), ("job", "j")]))
        #expect(t[1].alert.annotations["v"] == "9 on j")
    }

    /// keep_firing_for 3m counts from the first evaluation that no longer holds (10m): it keeps
    /// firing at 10m, 11m, 12m and resolves at 13m.
    @Test func keepFiringForCountsFromTheFirstEvaluationThatNoLongerHolds() throws {
        let (t, _) = try Self.evaluate(
            "      - alert: High\n        expr: x > 5\n        keep_firing_for: 3m\n", until: 15)
        #expect(t.map { "\($0.state.rawValue)@\($0.at / 60_000)" } == ["pending@5", "firing@5", "inactive@13"])
    }

    /// A pending alert that stops holding is dropped without firing.
    @Test func aPendingAlertThatStopsHoldingNeverFires() throws {
        let (t, _) = try Self.evaluate("      - alert: High\n        expr: x > 5\n        for: 10m\n", until: 15)
        #expect(t.map { "\($0.state.rawValue)@\($0.at / 60_000)" } == ["pending@5"])
    }

    /// A recording rule's series is stored at each evaluation (later rules read it), and ended by
    /// a staleness marker when its expression returns nothing.
    @Test func recordedSeriesAreReadByLaterRulesAndGoStale() throws {
        let (t, store) = try Self.evaluate(
            "      - record: job:x:doubled\n        expr: x * 2\n        labels: {kind: d}\n"
                + "      - alert: Doubled\n        expr: job:x:doubled > 10\n", until: 11)
        #expect(t.first.map { "\($0.state.rawValue)@\($0.at / 60_000)" } == "pending@5")
        let recorded = store.series(matching: [try Matcher("__name__", .equal, "job:x:doubled")])
        #expect(
            recorded.count == 1
                && recorded[0].labels == Labels([("__name__", "job:x:doubled"), ("job", "j"), ("kind", "d")]))
        #expect(recorded[0].values.prefix(10) == [2, 2, 2, 2, 2, 18, 18, 18, 18, 18])
        #expect(recorded[0].values[10].isStaleMarker && recorded[0].times[10] == 600_000)
    }
}

@Suite struct ScraperTests {
    static let t0: Int64 = 1_794_999_990_000_000_000  // a multiple of 15 s

    static func record(_ kind: MetricKind, _ name: String, _ seconds: Double, _ value: Double) -> MetricRecord {
        MetricRecord(kind: kind, ts: t0 + Int64(seconds * 1e9), name: name, labels: ["tool": "search"], value: value)
    }

    /// Scrapes at 7.5 s past each 15 s: counters cumulative, in seconds from milliseconds, with
    /// classic buckets; stale at the first scrape after the stream's last record.
    @Test func aStreamIsScrapedAsAServerWould() {
        var scraper = Scraper()
        scraper.meta(MetaRecord(ts: Self.t0, name: "latency_ms", kind: .histogram, unit: "ms"))
        for r in [
            Self.record(.counter, "calls", 1, 1), Self.record(.histogram, "latency_ms", 2, 30),
            Self.record(.counter, "calls", 3, 1), Self.record(.counter, "calls", 20, 1),
            Self.record(.histogram, "latency_ms", 21, 700), Self.record(.gauge, "queue", 25, 4)
        ] {
            scraper.add(r, stream: "a")  // in time order, as the merged reading gives them
        }
        let store = scraper.finish()
        let base = Self.t0 / 1_000_000
        func series(_ name: String, _ extra: [(String, String)] = []) -> StoredSeries? {
            let l = Labels([("__name__", name), ("tool", "search"), ("job", "gamma"), ("instance", "a")] + extra)
            return store.all.first { $0.labels == l }
        }
        let calls = series("calls_total")!
        #expect(calls.times == [base + 7_500, base + 22_500, base + 37_500])
        #expect(calls.values[0] == 2 && calls.values[1] == 3 && calls.values[2].isStaleMarker)
        #expect(series("latency_seconds_bucket", [("le", "0.05")])!.values.prefix(2) == [1, 1])
        #expect(series("latency_seconds_bucket", [("le", "1")])!.values.prefix(2) == [1, 2])
        #expect(series("latency_seconds_bucket", [("le", "+Inf")])!.values.prefix(2) == [1, 2])
        #expect(series("latency_seconds_sum")!.values[1] == 0.73)
        // Set after the last scrape the process lived to: Prometheus never sees it.
        #expect(series("queue") == nil)
    }

    /// With the service as the instance, a restarted process continues the series of the one
    /// before it from 0: a counter reset that rate() and increase() see. Overlapping streams of
    /// one service keep their ids.
    @Test func aRestartIsACounterResetOfOneSeries() {
        var options = Scraper.Options()
        options.instance = .service
        var scraper = Scraper(options: options)
        for stream in ["run1", "run2", "other"] {
            scraper.resource(
                ["service.name": .string(stream == "other" ? "b" : "a"), "host.name": .string("h")], stream: stream)
        }
        for s in stride(from: 0.0, to: 60, by: 5) { scraper.add(Self.record(.counter, "calls", s, 1), stream: "run1") }
        for s in stride(from: 120.0, to: 180, by: 5) {
            scraper.add(Self.record(.counter, "calls", s, 1), stream: "run2")
        }
        let store = scraper.finish()
        let a = store.all.filter { $0.labels["instance"] == "a@h" }
        #expect(a.count == 1)
        let values = a[0].values.filter { !$0.isStaleMarker }
        #expect(values == [2, 5, 8, 11, 2, 5, 8, 11])  // 5 s apart, scraped 7.5 s past each 15 s
        #expect(a[0].values.contains { $0.isStaleMarker })  // ended between the runs
        var engine = Engine()
        engine.lookback = 300_000
        let resets = try? engine.evaluate(
            Parser.parse("resets(calls_total[5m])"), at: Self.t0 / 1_000_000 + 180_000, in: store)
        #expect(resets?.vector.first?.value == 1)
    }
}
