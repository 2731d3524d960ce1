import GammaAgent
import GammaAgentRecording
import GammaRules
import GammaPromQL
import GammaLiveAlerting
import GammaBacktest
import GammaConfig
import GammaLog
import GammaModel
import GammaReplay
import GammaTestKit
import GammaTestSupport
import Testing

@Suite struct SimulationTests {
    /// 2026-11-02T00:00:00Z.
    static let midnight: Int64 = 1_793_577_600_000_000_000
    static let minute: Int64 = 60_000_000_000
    static var corpus: String { RepositoryPaths.root + "/samples/corpus" }

    /// A busy workload with one incident of each kind in its first two hours.
    static let incidents = Workload(
        name: "test", runsPerHour: Array(repeating: 900, count: 24),
        incidents: [
            .init(kind: .latencySpike(factor: 6), start: 20 * minute, duration: 20 * minute),
            .init(kind: .toolErrors(tool: "search", rate: 0.9), start: 50 * minute, duration: 20 * minute),
            .init(kind: .modelOutage, start: 80 * minute, duration: 10 * minute)
        ])

    static func simulate(
        _ dir: TemporaryDirectory, runs: Int? = nil, duration: Int64? = nil, seed: UInt64 = 5, concurrency: Int = 4,
        workload: Workload = incidents, stream: String = "sim"
    ) async throws -> SimulationRecording.Result {
        let options = Simulation.Options(
            runs: runs, duration: duration, concurrency: concurrency, seed: seed, start: midnight, workload: workload)
        return try await SimulationRecording.record(options, directory: dir.path, corpus: corpus, stream: stream)
    }

    /// The bytes of a folder's segments after each one's first member (the resource and meta records).
    static func bytesAfterPreamble(_ dir: TemporaryDirectory) -> [[UInt8]] {
        Files.names(in: dir.path).filter { $0.hasSuffix(".jsonl.gz") }.sorted().map { name in
            let bytes = Files.read(dir.path + "/" + name)
            guard case .header(let h) = MemberHeader.parse(bytes) else {
                Issue.record("no member header in \(name)"); return []
            }
            return Array(bytes[Int(h.length)...])
        }
    }

    @Test func theSameSeedRecordsTheSameBytesAfterTheResourceRecord() async throws {
        let a = TemporaryDirectory(), b = TemporaryDirectory(), c = TemporaryDirectory()
        defer { a.remove(); b.remove(); c.remove() }
        let ra = try await Self.simulate(a, runs: 200, stream: "first")
        let rb = try await Self.simulate(b, runs: 200, stream: "second")
        let rc = try await Self.simulate(c, runs: 200, seed: 6, stream: "third")
        #expect(ra.summary == rb.summary && ra.summary.runs == 200)
        let ba = Self.bytesAfterPreamble(a)
        let bb = Self.bytesAfterPreamble(b)
        #expect(ba.count == 1 && ba[0].count > 50_000)
        #expect(ba == bb)
        let bc = Self.bytesAfterPreamble(c)
        #expect(bc != ba)
        #expect(rc.summary != ra.summary)
    }

    @Test func runsInterleaveUpToTheConcurrencyAndTheRestQueue() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // 3,000 runs an hour with a median of 4 model calls a run: more than one slot can serve.
        var busy = Workload(name: "busy", runsPerHour: Array(repeating: 3000, count: 24))
        busy.model.medianLatency = 3
        let r = try await Self.simulate(dir, runs: 300, concurrency: 2, workload: busy)
        #expect(r.summary.peakInFlight == 2 && r.summary.peakQueue > 0)
        let traces = TraceForest.build(try SpanCollector.collect(try LogReader(paths: [dir.path])))
        #expect(traces.count == 300)
        // Never more than two agent.run spans overlap.
        var edges: [(Int64, Int)] = []
        for t in traces { if let root = t.root?.span { edges += [(root.start, 1), (root.end, -1)] } }
        var open = 0, most = 0
        for (_, d) in edges.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) { open += d; most = max(most, open) }
        #expect(most == 2)
    }

    @Test func metricTotalsAgreeWithTheSpansAndTheSummary() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let r = try await Self.simulate(dir, duration: 100 * Self.minute)
        let reader = try LogReader(paths: [dir.path])
        let spans = TraceForest.build(try SpanCollector.collect(reader)).flatMap(\.nodes).map(\.span)
        let report = try MetricReplay(query: MetricQuery()).run(reader)
        func total(_ name: String, _ labels: [String: String] = [:]) -> Int {
            Int(
                report.series.filter { s in
                    s.key.name == name && labels.allSatisfy { s.key.labels.contains(Label($0.key, $0.value)) }
                }
                .reduce(0) { $0 + ($1.figures.total ?? Double($1.figures.count)) })
        }
        let s = r.summary
        #expect(s.runs > 1000 && s.answered > 0 && s.failed > 0)
        #expect(total("agent.runs.total") == s.runs && spans.count { $0.name == "agent.run" } == s.runs)
        #expect(
            total("agent.iterations.total") == s.iterations && spans.count { $0.name == "llm.call" } == s.iterations)
        #expect(total("tools.calls.total") == s.toolCalls && spans.count { $0.name.hasPrefix("tool.") } == s.toolCalls)
        #expect(
            total("tools.errors.total") == s.toolErrors
                && spans.count { $0.name.hasPrefix("tool.") && $0.status == .error } == s.toolErrors)
        #expect(total("agent.errors.total") == s.failed + s.exhausted)
        #expect(total("agent.run_duration_ms") == s.runs && total("llm.latency_ms") == s.iterations)
        #expect(
            total("gen_ai.client.token.usage", ["gen_ai.token.type": "input"])
                == spans.count { $0.name == "llm.call" && $0.status != .error })
        // Every gauge is sampled every 10 s of simulated time.
        let cpu = report.series.first { $0.key.name == "system.cpu_percent" }
        #expect(cpu.map { $0.figures.count } ?? 0 >= 600)
    }

    @Test func incidentWindowsShowInTheRecordedLatenciesAndErrors() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try await Self.simulate(dir, duration: 100 * Self.minute)
        let spans = TraceForest.build(try SpanCollector.collect(try LogReader(paths: [dir.path]))).flatMap(\.nodes).map(
            \.span)
        func minutes(_ span: SpanRecord) -> Int64 { (span.start - Self.midnight) / Self.minute }
        func window(_ range: Range<Int64>, _ name: String) -> [SpanRecord] {
            spans.filter { $0.name == name && range.contains(minutes($0)) }
        }
        func median(_ s: [SpanRecord]) -> Int64 {
            let d = s.filter { $0.status != .error }.map { $0.end - $0.start }.sorted()
            return d.isEmpty ? 0 : d[d.count / 2]
        }
        func errorShare(_ s: [SpanRecord]) -> Double {
            Double(s.count { $0.status == .error }) / Double(max(1, s.count))
        }
        let calm = window(0..<20, "llm.call"), spike = window(21..<40, "llm.call")
        #expect(calm.count > 100 && spike.count > 100)
        #expect(median(spike) > 4 * median(calm), "latency spike: \(median(spike)) vs \(median(calm))")
        #expect(errorShare(window(51..<70, "tool.search")) > 0.7)
        #expect(errorShare(window(0..<50, "tool.search")) < 0.1)
        let outage = window(80..<90, "llm.call")
        #expect(outage.count > 50 && outage.allSatisfy { $0.status == .error })
        #expect(errorShare(window(91..<100, "llm.call")) < 0.1)
    }

    /// A simulated day of the `incidents` workload with the sample rules evaluated live: every
    /// rule fires inside its incident and nowhere else, and a backtest of the recorded log gives
    /// exactly the transitions live evaluation recorded.
    @Test func theSampleRulesFireInsideTheIncidentsAndTheBacktestAgreesWithLiveEvaluation() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let rules = try RuleFile.load(path: RepositoryPaths.root + "/samples/rules/agent.yaml")
        let workload = try #require(Workload.presets.first { $0.name == "incidents" })
        let options = Simulation.Options(
            runs: nil, duration: 86_400_000_000_000, concurrency: 8, seed: 1, start: Self.midnight, workload: workload)
        let result = try await SimulationRecording.record(
            options, directory: dir.path, corpus: Self.corpus, stream: "day",
            alerting: .init(rules: rules))
        let live = result.transitions
        // Each rule's episodes, against the incident it is for (minutes after midnight).
        func episodes(_ rule: String) -> [(Int64, Int64)] {
            let starts = live.filter { $0.rule == rule && $0.kind == .firing }.map {
                ($0.at - Self.midnight) / Self.minute
            }
            let ends = live.filter { $0.rule == rule && $0.kind == .resolved }.map {
                ($0.at - Self.midnight) / Self.minute
            }
            return zip(starts, ends).map { ($0, $1) }
        }
        func inside(_ e: [(Int64, Int64)], _ from: Int64, _ to: Int64) -> Bool {
            !e.isEmpty && e.allSatisfy { $0.0 >= from && $0.1 <= to }
        }
        #expect(inside(episodes("LLMLatencyHigh"), 600, 640 + 15), "\(episodes("LLMLatencyHigh"))")  // 10:00 for 40m
        #expect(inside(episodes("LLMLatencyAnomaly"), 600, 640 + 15), "\(episodes("LLMLatencyAnomaly"))")
        #expect(inside(episodes("ToolErrorRatio"), 840, 870 + 15), "\(episodes("ToolErrorRatio"))")  // 14:00 for 30m
        #expect(inside(episodes("AgentRunsFailing"), 1110, 1125 + 10), "\(episodes("AgentRunsFailing"))")  // 18:30 for 15m
        #expect(episodes("NoTraffic").isEmpty)
        #expect(live.filter { $0.kind == .firing }.count == 4)

        // The backtest of the same log, and the alert records live evaluation wrote into it.
        let reader = try LogReader(paths: [dir.path])
        var backtestOptions = Backtest.Options()
        backtestOptions.interval = 15_000_000_000
        // Read whole, then backtested; and backtested while read (as gamma-backtest does).
        let samples = try Backtest.samples(for: AlertRule.metricNames(rules), from: reader, options: backtestOptions) {
            issue in
            Issue.record("\(issue)")
        }
        let backtest = try Backtest.run(rules, samples: samples, options: backtestOptions).transitions
        let streamed = try Backtest.run([rules], reader: reader, options: backtestOptions) { Issue.record("\($0)") }[0]
            .transitions
        func key(_ t: AlertTransition) -> String {
            "\(t.at) \(t.rule) \(t.kind.rawValue) \(t.group) \(t.value.map { String($0) } ?? "-") \(t.notify)"
        }
        #expect(backtest.map(key) == live.sorted { ($0.at, $0.rule) < ($1.at, $1.rule) }.map(key))
        #expect(streamed.map(key) == backtest.map(key))
        let history = try AlertHistory.read(reader, rule: { _ in true }, severity: nil) { Issue.record("\($0)") }
        #expect(
            history.map { "\($0.ts) \($0.rule) \($0.state.rawValue) \($0.value.map { String($0) } ?? "-")" }
                == live.map { "\($0.at) \($0.rule) \($0.kind.rawValue) \($0.value.map { String($0) } ?? "-")" })
    }

    /// The same day with the Prometheus rule file evaluated live (LivePromAlerting): it fires in
    /// the three incidents, and gamma-backtest's evaluation of the recorded log gives the same
    /// alerts firing and resolving at the same times.
    @Test func prometheusRulesLiveAgreeWithTheirBacktest() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let file = try PromRuleFile.load(path: RepositoryPaths.root + "/samples/rules/agent.prom.yml")
        let workload = try #require(Workload.presets.first { $0.name == "incidents" })
        let options = Simulation.Options(
            runs: nil, duration: 86_400_000_000_000, concurrency: 8, seed: 1, start: Self.midnight, workload: workload)
        var alerting = SimulationRecording.Alerting(rules: [])
        alerting.prometheus = file
        let result = try await SimulationRecording.record(
            options, directory: dir.path, corpus: Self.corpus, stream: "day", alerting: alerting)
        let live = result.transitions.filter { $0.kind != .pending }
        #expect(
            Set(live.filter { $0.kind == .firing }.map(\.rule)) == [
                "LLMLatencyHigh", "ToolErrorRatio", "AgentRunsFailing"
            ])
        let scraped = try PromBacktest.scrape(LogReader(paths: [dir.path]), options: .init()) { Issue.record("\($0)") }
        let backtest = try PromBacktest.evaluate(
            file, series: scraped.series, start: scraped.first / 1_000_000, end: scraped.last / 1_000_000)
        func key(_ rule: String, _ at: Int64, _ state: String) -> String { "\(rule) \(state) \(at)" }
        let fromBacktest = backtest.transitions.filter { $0.state != .pending }.map {
            key($0.alert.rule, $0.at * 1_000_000, $0.state == .firing ? "firing" : "resolved")
        }
        #expect(live.map { key($0.rule, $0.at, $0.kind.rawValue) } == fromBacktest)
    }

    @Test func theClockInterleavesParkedRunsByTimeThenByOrder() async {
        let clock = SimulationClock(start: 0)
        let log = LogBox()
        let plans: [[Int64]] = [[30, 10], [10, 30], [20, 20]]
        for i in plans.indices { clock.schedule(.arrival, at: Int64(i)) }
        // The driver's part, by hand: start three tasks that each pass their waits, one at a time.
        var started = 0
        while let (_, event) = clock.next() {
            switch event {
            case .arrival:
                let plan = plans[started]
                let me = started
                started += 1
                Task {
                    for w in plan {
                        await clock.pass(w)
                        log.add("\(me)@\(clock.now())")
                    }
                    clock.finished()
                }
                _ = await clock.waitForHandback()
            case .resume(let c):
                c.resume()
                _ = await clock.waitForHandback()
            case .tick: break
            }
        }
        // Run 0 started at 0, run 1 at 1, run 2 at 2; 1@11 and 2@22 before 0@30; 0@40 and 1@41 and 2@42.
        #expect(log.entries == ["1@11", "2@22", "0@30", "0@40", "1@41", "2@42"])
    }

    final class LogBox: @unchecked Sendable {  // only touched by the one task that has control
        var entries: [String] = []
        func add(_ s: String) { entries.append(s) }
    }
}

@Suite struct WorkloadTests {
    @Test(arguments: Workload.presets.map(\.name)) func presetsRoundTripThroughTheirSampleFiles(_ name: String) throws {
        let preset = try #require(Workload.presets.first { $0.name == name })
        #expect(try Workload.parse(ConfigDocument.parse(preset.yaml, file: "x.yaml")) == preset)
        let path = RepositoryPaths.root + "/samples/profiles/\(name).yaml"
        #expect(
            String(decoding: Files.read(path), as: UTF8.self) == preset.yaml,
            "samples/profiles/\(name).yaml is stale: gamma-agent profiles --show \(name)")
    }

    static let refusals: [(String, String)] = [
        ("name: x\nruns_per_hour: [1, 2]", "w.yaml:2:16: runs_per_hour: expected 24 values"),
        (
            "name: x\nrunz_per_hour: []",
            "w.yaml:2:1: runz_per_hour: unknown field 'runz_per_hour'; did you mean 'runs_per_hour'?"
        ),
        (
            day + "incidents:\n  - kind: meteor\n    at: \"10:00\"\n    for: 5m",
            "w.yaml:4:11: incidents[0].kind: unknown incident kind 'meteor'"
        ),
        (
            day + "incidents:\n  - kind: model_outage\n    at: \"25:00\"\n    for: 5m",
            "w.yaml:5:9: incidents[0].at: '25:00' is not a time of day"
        ),
        (
            day + "incidents:\n  - kind: model_outage\n    at: \"10:00\"\n    for: soon",
            "w.yaml:6:10: incidents[0].for: 'soon' is not a duration"
        ),
        (
            day + "incidents:\n  - kind: latency_spike\n    at: \"10:00\"\n    for: 5m",
            "w.yaml:4:5: incidents[0]: 'factor' is required"
        ),
        (
            day + "incidents:\n  - kind: model_outage\n    at: \"10:00\"\n    for: 5m\n    rate: 0.5",
            "w.yaml:4:5: incidents[0]: 'rate' does not apply to a model_outage incident"
        ),
        (day + "model:\n  timeout_rate: 1.5", "w.yaml:4:17: model.timeout_rate: 1.5 is outside 0.0...1.0"),
        (
            "name: x\nruns_per_hour: [" + Array(repeating: "0", count: 24).joined(separator: ", ") + "]",
            "every hour has a rate of 0"
        )
    ]
    static let day = "name: x\nruns_per_hour: [" + Array(repeating: "10", count: 24).joined(separator: ", ") + "]\n"

    @Test(arguments: refusals.indices) func badFilesAreRefusedWithThePlace(_ i: Int) {
        let (text, expected) = Self.refusals[i]
        #expect(throws: ConfigError.self) { try Workload.parse(ConfigDocument.parse(text, file: "w.yaml")) }
        do { _ = try Workload.parse(ConfigDocument.parse(text, file: "w.yaml")) } catch {
            #expect(error.description.hasPrefix(expected) || error.description.contains(expected), "\(error)")
        }
    }

    /// Every prefix of a workload file, and 500 random byte changes to it, either load or are
    /// refused with a place inside the text; none crashes.
    @Test func truncatedAndCorruptedFilesLoadOrAreRefusedWithAPlace() throws {
        let text = Array(try #require(Workload.presets.first { $0.name == "incidents" }).yaml.utf8)
        func check(_ bytes: [UInt8]) {
            guard let s = String(validating: bytes, as: UTF8.self) else { return }
            let lineCount = bytes.count { $0 == 0x0A } + 1
            do {
                _ = try Workload.parse(ConfigDocument.parse(s, file: "w.yaml"))
            } catch {
                #expect(error.file == "w.yaml")
                if let p = error.position { #expect(p.line >= 1 && p.line <= lineCount + 1, "\(error)\n\(s)") }
            }
        }
        for n in 0..<text.count { check(Array(text[..<n])) }
        var rng = SplitMix64(seed: 11)
        for _ in 0..<500 {
            var bytes = text
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] =
                    [
                        UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "["),
                        UInt8(ascii: "\""), UInt8(ascii: "9"),
                        UInt8.random(in: 0x20...0x7E, using: &rng)
                    ][Int.random(in: 0..<8, using: &rng)]
            }
            check(bytes)
        }
    }

    @Test func incidentWindowsRepeatDailyAndCrossMidnight() {
        let hour: Int64 = 3_600_000_000_000
        let late = Workload.Incident(kind: .modelOutage, start: 23 * hour, duration: 2 * hour)
        let day0 = SimulationTests.midnight
        #expect(
            late.covers(day0 + 23 * hour + 1) && late.covers(day0 + 24 * hour + hour / 2)
                && !late.covers(day0 + 25 * hour + 1))
        #expect(late.covers(day0 + 30 * 24 * hour + hour / 2) && !late.covers(day0 + 12 * hour))
    }

    @Test func theRateFollowsTheCurveBetweenHours() {
        var curve = Array(repeating: 0.0, count: 24)
        curve[10] = 100
        curve[11] = 300
        let w = Workload(name: "c", runsPerHour: curve)
        let hour: Int64 = 3_600_000_000_000
        #expect(abs(w.rate(at: SimulationTests.midnight + 10 * hour + hour / 2) * Double(hour) - 200) < 1e-6)
        #expect(w.rate(at: SimulationTests.midnight + 3 * hour) == 0)
    }
}
