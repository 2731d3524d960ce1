@testable import GammaRules
@testable import GammaBacktest
import GammaLiveAlerting
import GammaConfig
import GammaLog
import GammaModel
import GammaReplay
import GammaTestKit
import Testing

/// The semantics of docs/ALERTING.md, table by table: a rule, samples, evaluation times, and the
/// transitions expected (time in seconds, kind, notified).
@Suite struct AlertSemanticsTests {
    static let s: Int64 = 1_000_000_000

    /// A gauge `g` with the given values at the given seconds.
    static func gauge(_ points: [(Int64, Double)], name: String = "g", labels: [String: String] = [:]) -> [AlertSample]
    {
        points.map { AlertSample(ts: $0.0 * s, name: name, kind: .gauge, labels: labels, value: $0.1) }
    }

    static func counter(_ points: [(Int64, Double)], name: String, labels: [String: String] = [:]) -> [AlertSample] {
        points.map { AlertSample(ts: $0.0 * s, name: name, kind: .counter, labels: labels, value: $0.1) }
    }

    /// Runs a backtest over 0...`until` seconds every 10 s and returns (second, kind, notify) per transition.
    static func run(_ rule: AlertRule, _ samples: [AlertSample], until: Int64 = 200) throws -> [(Int64, String, Bool)] {
        var options = Backtest.Options()
        options.interval = 10 * s
        options.since = 0
        options.until = until * s + 1
        let result = try Backtest.run([rule], samples: samples.sorted { $0.ts < $1.ts }, options: options)
        return result.transitions.map { ($0.at / s, $0.kind.rawValue, $0.notify) }
    }

    static func rule(_ yaml: String) throws -> AlertRule {
        try RuleFile.parse(
            "rules:\n  - name: r\n" + yaml.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n"),
            file: "r.yaml")[0]
    }

    static func same(_ a: [(Int64, String, Bool)], _ b: [(Int64, String, Bool)]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 && $0.2 == $1.2 }
    }

    @Test func forDelaysFiringAndABreakResetsIt() throws {
        let r = try Self.rule("metric: g\naggregate: max\nwindow: 10s\nop: \">\"\nthreshold: 5\nfor: 20s")
        // High at the evaluations of 10 and 20 s (pending at 10, not yet 20 s at 20), low at 30:
        // inactive, never fired; then high from 60 on: pending 60, firing 80, resolved at 130.
        let samples = Self.gauge([
            (5, 1), (9, 9), (19, 9), (29, 1), (39, 1), (59, 9), (69, 9), (79, 9), (89, 9), (99, 9), (109, 9), (119, 9),
            (121, 1), (129, 1)
        ])
        let got = try Self.run(r, samples, until: 140)
        let want: [(Int64, String, Bool)] = [
            (10, "pending", false), (30, "inactive", false), (60, "pending", false), (80, "firing", true),
            (130, "resolved", true)
        ]
        #expect(Self.same(got, want), "\(got)")
    }

    @Test func forZeroFiresAtOnce() throws {
        let r = try Self.rule("metric: g\naggregate: max\nwindow: 10s\nop: \">=\"\nthreshold: 5")
        let got = try Self.run(r, Self.gauge([(5, 5), (15, 1)]), until: 30)
        #expect(Self.same(got, [(10, "firing", true), (20, "resolved", true)]), "\(got)")
    }

    @Test func keepFiringForBridgesAGap() throws {
        let r = try Self.rule("metric: g\naggregate: max\nwindow: 10s\nop: \">\"\nthreshold: 5\nkeep_firing_for: 30s")
        // High at 10, low 20–30, high at 40 (the gap of 20 s is bridged), then low from 50: resolved at 70 (40 + 30).
        let got = try Self.run(
            r, Self.gauge([(5, 9), (15, 1), (25, 1), (35, 9), (45, 1), (55, 1), (65, 1), (75, 1)]), until: 80)
        #expect(Self.same(got, [(10, "firing", true), (70, "resolved", true)]), "\(got)")
    }

    @Test func cooldownHoldsBackRefiringAndItsResolution() throws {
        let r = try Self.rule("metric: g\naggregate: max\nwindow: 10s\nop: \">\"\nthreshold: 5\ncooldown: 60s")
        // Fires at 10 (sent), resolves at 20 (sent), fires at 40 (within 60 s of 10: held back),
        // resolves at 50 (its firing was not sent: held back), fires at 80 (70 s after 10: sent).
        let got = try Self.run(r, Self.gauge([(5, 9), (15, 1), (35, 9), (45, 1), (75, 9), (85, 1)]), until: 90)
        let want: [(Int64, String, Bool)] = [
            (10, "firing", true), (20, "resolved", true), (40, "firing", false), (50, "resolved", false),
            (80, "firing", true), (90, "resolved", true)
        ]
        #expect(Self.same(got, want), "\(got)")
    }

    @Test func aFiringAlertIsNotNotifiedAgainWhileItFires() throws {
        let r = try Self.rule("metric: g\naggregate: max\nwindow: 10s\nop: \">\"\nthreshold: 5")
        let got = try Self.run(r, Self.gauge((0..<10).map { (Int64($0) * 10 + 5, 9.0) }), until: 100)
        #expect(Self.same(got, [(10, "firing", true)]), "deduplicated: one notification for one episode: \(got)")
    }

    @Test func noDataNeverHoldsAndResolves() throws {
        // A `<` rule: no data is not "below the threshold".
        let below = try Self.rule("metric: g\naggregate: avg\nwindow: 10s\nop: \"<\"\nthreshold: 5")
        let got = try Self.run(below, Self.gauge([(5, 1)]), until: 40)
        #expect(Self.same(got, [(10, "firing", true), (20, "resolved", true)]), "\(got)")
        // A gauge's `value` is its latest sample in the window: none, no value.
        let value = try Self.rule("metric: g\naggregate: value\nwindow: 10s\nop: \">\"\nthreshold: 5")
        #expect(
            Self.same(
                try Self.run(value, Self.gauge([(5, 9)]), until: 40), [(10, "firing", true), (20, "resolved", true)]))
    }

    @Test func countAndIncreaseAreZeroForAGroupSeenBefore() throws {
        // Silence detection: a counter that stops is an increase of 0, not "no data".
        let silent = try Self.rule("metric: c\naggregate: increase\nwindow: 20s\nop: \"<\"\nthreshold: 1")
        let got = try Self.run(silent, Self.counter([(5, 1), (15, 1)], name: "c"), until: 60)
        #expect(Self.same(got, [(40, "firing", true)]), "\(got)")
    }

    @Test func aZeroDenominatorIsNoValueNeverInfinity() throws {
        let r = try Self.rule(
            """
            ratio:
              numerator: {metric: errors, aggregate: increase}
              denominator: {metric: calls, aggregate: increase}
            window: 10s
            op: ">"
            threshold: 0.5
            """)
        // 10 s: 1 error, 0 calls in the window: no value (not +inf), so nothing fires.
        let samples =
            Self.counter([(5, 1)], name: "errors") + Self.counter([(1, 0)], name: "calls")
            + Self.counter([(25, 1)], name: "errors")
            + Self.counter([(25, 1)], name: "calls")
        var options = Backtest.Options()
        options.interval = 10 * Self.s
        options.since = 0
        options.until = 31 * Self.s
        var values: [Double?] = []
        let result = try Backtest.run([r], samples: samples.sorted { $0.ts < $1.ts }, options: options)
        for g in result.groups { values = g.transitions.map(\.value) }
        #expect(
            Self.same(result.transitions.map { ($0.at / Self.s, $0.kind.rawValue, $0.notify) }, [(30, "firing", true)]),
            "\(result.transitions)")
        #expect(values == [1.0])
    }

    @Test func groupsAlertEachOnTheirOwn() throws {
        let r = try Self.rule("metric: g\naggregate: max\nwindow: 10s\ngroup_by: [tool]\nop: \">\"\nthreshold: 5")
        let samples =
            Self.gauge([(5, 9), (15, 9)], labels: ["tool": "search"])
            + Self.gauge([(5, 1), (15, 9)], labels: ["tool": "clock"])
        var options = Backtest.Options()
        options.interval = 10 * Self.s
        options.since = 0
        options.until = 21 * Self.s
        let result = try Backtest.run([r], samples: samples.sorted { $0.ts < $1.ts }, options: options)
        let fired = result.transitions.filter { $0.kind == .firing }.map {
            "\($0.at / Self.s) \($0.group.map(\.value).joined())"
        }
        #expect(fired == ["10 search", "20 clock"])
    }

    @Test func anomalyWaitsForItsWarmUpAndBaseline() throws {
        let r = try Self.rule(
            """
            type: anomaly
            metric: g
            aggregate: avg
            window: 10s
            baseline: 60s
            k: 3
            warmup: 60s
            min_samples: 5
            """)
        // Steady values around 10, a jump to 50 at 35 s (inside the warm-up: nothing), and at 105 s
        // (fires: the baseline of the last 60 s no longer holds the first jump).
        var points: [(Int64, Double)] = []
        for t in stride(from: Int64(5), through: 195, by: 10) {
            points.append((t, t == 35 || t == 105 ? 50 : 10 + Double(t % 3)))
        }
        let got = try Self.run(r, Self.gauge(points), until: 200)
        #expect(Self.same(got, [(110, "firing", true), (120, "resolved", true)]), "\(got)")
    }

    @Test func quantilesFollowNumpy() throws {
        let r = try Self.rule("metric: h\naggregate: p90\nwindow: 60s\nop: \">\"\nthreshold: 9.05")
        let samples = (1...10).map {
            AlertSample(ts: Int64($0) * Self.s, name: "h", kind: .histogram, labels: [:], value: Double($0))
        }
        // numpy.percentile(1...10, 90) = 9.1
        #expect(Self.same(try Self.run(r, samples, until: 10), [(10, "firing", true)]))
    }
}

/// The evaluator's windows against a direct computation over the same samples, evaluation by
/// evaluation: quantiles (selected across the sorted runs of each evaluation's samples and the
/// sorted part of a run at the window's start), sums, averages, minimums and maximums, over
/// windows shorter and much longer than the interval that share one store, on random data with
/// many repeated values and jumps, with the samples of each interval handed over in shuffled
/// order.
@Suite struct WindowPropertyTests {
    @Test(arguments: [1, 2, 3]) func windowFiguresEqualADirectComputation(_ seed: UInt64) throws {
        var rng = SplitMix64(seed: seed)
        let s: Int64 = 1_000_000_000
        var samples: [AlertSample] = []
        var t: Int64 = 0
        for i in 0..<6000 {
            t += Int64.random(in: 0...(s / 5), using: &rng)
            let regime = (i / 1500) % 2 == 0 ? 10.0 : 500.0  // a jump
            let v =
                Int.random(in: 0..<4, using: &rng) == 0
                ? Double(Int.random(in: 0...3, using: &rng)) : regime * Double.random(in: 0.5...1.5, using: &rng)
            samples.append(AlertSample(ts: t, name: "h", kind: .histogram, labels: [:], value: v))
        }
        // Shorter than the interval (all of it a partial run); reaching a tenth of an interval
        // into a run (partial runs of a sample or two, or none) and half of one (about ten
        // samples); a multiple of the interval (whole runs only), short and long. Shortest first.
        let windows: [Int64] = [3 * s / 2, 201 * s / 10, 25 * s, 60 * s, 400 * s]
        let aggregations: [AlertAggregation] = [
            .quantile(0.95), .quantile(0.5), .quantile(0), .quantile(1), .sum, .avg, .min, .max, .count
        ]
        let cases = windows.flatMap { w in aggregations.map { (w, $0) } }
        let rules = cases.enumerated().map { i, c in
            AlertRule(
                name: "r\(i)", expression: .aggregate(AlertSelector(metric: "h"), c.1, window: c.0),
                condition: .threshold(.greater, .infinity))
        }
        let values = samples.map(\.value)
        let evaluator = try AlertEvaluator(rules: rules)
        var got: [Int: [Double?]] = [:]
        evaluator.observe = { r, _, value, _ in got[r, default: []].append(value) }
        var i = 0
        var expected: [Int: [Double?]] = [:]
        for e in stride(from: 10 * s, through: t, by: Int64.Stride(2 * s)) {
            var batch: [AlertSample] = []
            while i < samples.count, samples[i].ts <= e { batch.append(samples[i]); i += 1 }
            batch.shuffle(using: &rng)
            for sample in batch { evaluator.add(sample) }
            evaluator.evaluate(at: e)
            var start = i
            var byWindow: [Int64: (values: ArraySlice<Double>, sorted: [Double])] = [:]
            for window in windows {  // shortest first: the start only moves back
                while start > 0, samples[start - 1].ts > e - window { start -= 1 }
                let values = values[start..<i]
                byWindow[window] = (values, values.sorted())
            }
            for (r, (window, a)) in cases.enumerated() {
                let (inWindow, sorted) = byWindow[window]!
                switch a {
                case .quantile(let q): expected[r, default: []].append(Quantiles.linear(sorted, q))
                case .sum: expected[r, default: []].append(inWindow.reduce(0, +))
                case .avg:
                    expected[r, default: []].append(
                        inWindow.isEmpty ? nil : inWindow.reduce(0, +) / Double(inWindow.count))
                case .min: expected[r, default: []].append(sorted.first)
                case .max: expected[r, default: []].append(sorted.last)
                case .count: expected[r, default: []].append(Double(inWindow.count))
                default: break
                }
            }
        }
        for (r, c) in cases.enumerated() {
            let g = got[r] ?? [], x = expected[r] ?? []
            #expect(g.count == x.count && g.count > 50)
            for (a, b) in zip(g, x) {
                switch (a, b) {
                case (nil, nil): continue
                case (let a?, let b?): #expect(abs(a - b) <= 1e-9 * max(1, abs(b)), "\(c): \(a) vs \(b)")
                default: Issue.record("\(c): \(String(describing: a)) vs \(String(describing: b))")
                }
            }
        }
    }
}

/// A backtest (stores swept on worker threads, chunk by chunk) against the live evaluator,
/// transition for transition and value for value, on random data long enough for the stores to
/// compact and for the backtest to take several chunks, with windows that are and are not
/// multiples of the interval.
@Suite struct BacktestEqualsLiveTests {
    @Test(arguments: [(1, 1), (2, 1), (1, 5), (2, 7)]) func aBacktestGivesTheLiveTransitions(
        _ seed: UInt64, _ seconds: Int64
    ) throws {
        var rng = SplitMix64(seed: seed)
        let s: Int64 = 1_000_000_000
        var samples: [AlertSample] = []
        var t: Int64 = 5 * s
        for i in 0..<40_000 {
            t += Int64.random(in: 0...(s / 20), using: &rng)
            let regime = (i / 3000) % 2 == 0 ? 10.0 : 30.0
            let model = ["a", "b", "c"][Int.random(in: 0..<3, using: &rng)]
            samples.append(
                AlertSample(
                    ts: t, name: "h", kind: .histogram, labels: ["model": model],
                    value: regime * Double.random(in: 0.5...1.5, using: &rng)))
            if i % 7 == 0 {
                samples.append(
                    AlertSample(
                        ts: t, name: "c", kind: .counter, labels: ["model": model],
                        value: Double(Int.random(in: 0...3, using: &rng))))
            }
        }
        let text = """
            rules:
              - {name: p95, metric: h, aggregate: p95, window: 30s, op: ">", threshold: 30, group_by: [model]}
              - {name: p50, metric: h, aggregate: p50, window: 2m, op: ">", threshold: 18}
              - {name: odd, metric: h, aggregate: p90, window: 45s, op: "<", threshold: 14, for: 10s}
              - {name: avg, metric: h, aggregate: avg, window: 1m, op: ">", threshold: 20, group_by: [model]}
              - {name: max, metric: h, aggregate: max, window: 20s, op: ">", threshold: 44}
              - {name: rate, metric: c, aggregate: rate, window: 1m, op: ">", threshold: 3.3, group_by: [model]}
              - name: ratio
                ratio:
                  numerator: {metric: c, aggregate: increase, match: ["model=a"]}
                  denominator: {metric: c, aggregate: increase}
                window: 1m
                op: ">"
                threshold: 0.36
            """
        let rules = try RuleFile.parse(text, file: "r.yaml")
        var options = Backtest.Options()
        options.interval = seconds * s
        let backtest = try Backtest.run(rules, samples: samples, options: options)
        #expect(backtest.evaluations > (seconds == 1 ? 2 * BacktestWorkers.chunk : 100))

        let live = try AlertEvaluator(rules: rules)
        var transitions: [AlertTransition] = []
        var i = 0
        var e = AlertEvaluator.evaluationTime(atOrAfter: samples[0].ts, interval: options.interval)
        while e <= samples.last!.ts {
            while i < samples.count, samples[i].ts <= e { live.add(samples[i]); i += 1 }
            transitions += live.evaluate(at: e)
            e += options.interval
        }
        let sorted = transitions.sorted { ($0.at, $0.rule) < ($1.at, $1.rule) }
        #expect(sorted.count > 100)
        #expect(Set(sorted.map(\.rule)).count == rules.count)
        let got = backtest.transitions
        #expect(got.count == sorted.count)
        if let i = zip(got, sorted).enumerated().first(where: { $0.element.0 != $0.element.1 })?.offset {
            Issue.record("transition \(i): backtest \(got[i]), live \(sorted[i])")
        }
    }
}

/// A backtest while reading (sweeps start as the members' headers show their samples are all
/// read) against one over the samples read whole, on a log of many small members in which
/// series, and with them groups, keep arriving: a ratio's group appears in one leaf long before
/// the other.
@Suite struct BacktestWhileReadingTests {
    @Test func aBacktestWhileReadingEqualsOneAfterReading() throws {
        var rng = SplitMix64(seed: 11)
        let s: Int64 = 1_000_000_000, t0: Int64 = 1_795_000_000 * s
        var samples: [AlertSample] = []
        var t = t0
        for i in 0..<30_000 {
            t += Int64.random(in: 0...(s / 4), using: &rng)
            // Models b, c and d arrive one after another; errors are d's from the start, long
            // before d's first call.
            let models = ["a", "b", "c", "d"][..<(1 + i / 8000)]
            let model = models.randomElement(using: &rng)!
            samples.append(
                AlertSample(
                    ts: t, name: "lat", kind: .histogram, labels: ["model": model],
                    value: Double.random(in: 1...100, using: &rng)))
            samples.append(AlertSample(ts: t, name: "calls", kind: .counter, labels: ["model": model], value: 1))
            if Int.random(in: 0..<3, using: &rng) == 0 {
                samples.append(AlertSample(ts: t, name: "errors", kind: .counter, labels: ["model": "d"], value: 1))
            }
        }
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var writerOptions = SegmentWriterOptions()
        writerOptions.memberBytes = 1 << 20  // members of hundreds of evaluations: a sweep starts with series new to the one before
        try RecordFixtures.write(
            samples.map { x in
                .metric(MetricRecord(kind: x.kind, ts: x.ts, name: x.name, labels: x.labels, value: x.value))
            },
            to: dir.path, options: writerOptions)
        let rules = try RuleFile.parse(
            """
            rules:
              - {name: p90, metric: lat, aggregate: p90, window: 1m, op: ">", threshold: 91, group_by: [model]}
              - {name: max, metric: lat, aggregate: max, window: 30s, op: ">", threshold: 99.9}
              - name: errors
                ratio:
                  numerator: {metric: errors, aggregate: increase}
                  denominator: {metric: calls, aggregate: increase}
                window: 2m
                group_by: [model]
                op: ">"
                threshold: 0.3
            """, file: "r.yaml")
        var options = Backtest.Options()
        options.interval = 5 * s
        let reader = try LogReader(paths: [dir.path])
        let whole = try Backtest.run(rules, samples: samples, options: options)
        let streamed = try Backtest.run([rules], reader: reader, options: options) { Issue.record("\($0)") }[0]
        #expect(whole.evaluations > 4 * BacktestWorkers.chunk)
        #expect(whole.transitions.count > 20)
        #expect(Set(whole.transitions.map(\.rule)) == ["p90", "max", "errors"])
        #expect(streamed.evaluations == whole.evaluations && streamed.samples == whole.samples)
        #expect(streamed.transitions == whole.transitions)
        #expect(streamed.groups == whole.groups)
    }
}
