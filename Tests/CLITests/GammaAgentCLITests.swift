import Foundation
import GammaTestKit
import GammaTestSupport
import Testing

@Suite struct GammaAgentCLITests {
    static var corpus: String { RepositoryPaths.root + "/samples/corpus" }

    @Test func simulateRecordsAndSaysWhatItDid() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let r = try Executables.run(
            "gamma-agent",
            [
                "simulate", "--runs", "120", "--seed", "3", "--profile", "day", "--stream", "sim",
                "--corpus", Self.corpus, "--log", dir.path
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.contains("runs 120: ") && r.stdout.contains("workload 'day', seed 3")
                && r.stdout.contains("(stream sim)"))
        #expect(r.stderr.isEmpty, "no progress bar when standard error is not a terminal: \(r.stderr)")
        #expect(Files.names(in: dir.path).contains("sim-00000000.jsonl.gz"))
        let report = try Executables.run("gamma-report", ["--format", "csv", "--metric", "agent.runs.total", dir.path])
        #expect(report.stdout.contains("agent.runs.total") && report.stdout.contains(",120,"), "\(report.stdout)")
    }

    @Test func runAnswersWithTheScriptedModelAndRecords() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let r = try Executables.run(
            "gamma-agent", ["run", "--corpus", Self.corpus, "--log", dir.path, "--verbose", "What is (17 + 4) * 23?"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("483"), "\(r.stdout)")
        #expect(r.stderr.contains("model scripted: calls calculator") && r.stderr.contains("tool calculator: 483"))
        let traces = try Executables.run("gamma-traces", [dir.path])
        #expect(traces.stdout.contains("agent.run") && traces.stdout.contains("tool.calculator"), "\(traces.stdout)")
        let gauges = try Executables.run("gamma-report", ["--metric", "process.rss_mb", dir.path])
        #expect(gauges.stdout.contains("process.rss_mb"))
    }

    @Test(arguments: [
        (["simulate", "--runs", "0"], "--runs must be at least 1"),
        (["simulate", "--duration", "forever"], "--duration 'forever' is not a duration"),
        (["simulate", "--start", "yesterday"], "--start 'yesterday' is not a time"),
        (["simulate", "--concurrency", "0"], "--concurrency must be between 1 and 10000"),
        (["simulate", "--stream", "a/b"], "--stream 'a/b' must be"),
        (["run", "--model", "gpt9", "hi"], "gpt9"),
        (["run", "--timeout", "10x", "hi"], "--timeout '10x' is not a duration"),
        (["profiles", "--show", "nope"], "no preset 'nope'; presets: day, incidents, steady")
    ])
    func badFlagsExit64WithTheReason(_ args: [String], _ message: String) throws {
        let r = try Executables.run("gamma-agent", args)
        #expect(r.status == 64 && r.stderr.contains(message), "\(r.status) \(r.stderr)")
    }

    @Test func aBadProfileFileIsNamedWithItsPlace() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let profile = dir.file("p.yaml")
        Files.write(profile, Array("name: x\nruns_per_hour: [1, 2, 3]\n".utf8))
        let r = try Executables.run("gamma-agent", ["simulate", "--profile", profile, "--log", dir.file("logs")])
        #expect(r.status == 2 && r.stderr.contains("\(profile):2:16: runs_per_hour: expected 24 values"), "\(r.stderr)")
        let missing = try Executables.run("gamma-agent", ["simulate", "--profile", "nosuch", "--log", dir.file("logs")])
        #expect(
            missing.status == 64 && missing.stderr.contains("no preset 'nosuch'; presets: day, incidents, steady"),
            "\(missing.stderr)")
        #expect(
            !Files.names(in: dir.path).contains("logs") || Files.names(in: dir.file("logs")).isEmpty, "nothing recorded"
        )
    }

    @Test func anUnwritableFolderIsAClearError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(dir.file("file"), [1])
        let r = try Executables.run(
            "gamma-agent", ["simulate", "--runs", "5", "--corpus", Self.corpus, "--log", dir.file("file") + "/logs"])
        #expect(
            r.status == 2 && r.stderr.contains("cannot create the log folder") && r.stderr.contains("Not a directory"),
            "\(r.stderr)")
        let noCorpus = try Executables.run(
            "gamma-agent", ["simulate", "--runs", "5", "--corpus", dir.file("none"), "--log", dir.file("logs")])
        #expect(noCorpus.status == 2 && noCorpus.stderr.contains("cannot read the search corpus"), "\(noCorpus.stderr)")
    }

    @Test func profilesPrintsAFileThatSimulateReads() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let list = try Executables.run("gamma-agent", ["profiles"])
        #expect(list.stdout.contains("incidents") && list.stdout.contains("about 4065 runs a day"))
        let shown = try Executables.run("gamma-agent", ["profiles", "--show", "day"])
        Files.write(dir.file("day.yaml"), Array(shown.stdout.utf8))
        let r = try Executables.run(
            "gamma-agent",
            [
                "simulate", "--runs", "10", "--profile", dir.file("day.yaml"), "--corpus", Self.corpus,
                "--log", dir.file("logs")
            ])
        #expect(r.status == 0 && r.stdout.contains("workload 'day'"), "\(r.stderr)")
    }
}

extension GammaAgentCLITests {
    /// `simulate` and `run` find their default documents beside the executable, so they work from
    /// any folder; a run that cannot start (no documents) leaves no log folder behind.
    @Test func theDefaultCorpusWorksFromAnyFolderAndAFailedStartLeavesNothing() throws {
        let dir = TemporaryDirectory(prefix: "gamma-anywhere")
        defer { dir.remove() }
        let agent = Executables.path("gamma-agent")
        let sim = try Executables.shell("cd '\(dir.path)' && '\(agent)' simulate --runs 10 --log logs")
        #expect(sim.status == 0, "\(sim.stderr)")
        let run = try Executables.shell("cd '\(dir.path)' && '\(agent)' run --log logs2 'What is 2+2?'")
        #expect(run.status == 0, "\(run.stderr)")
        let missing = try Executables.shell(
            "cd '\(dir.path)' && '\(agent)' simulate --runs 10 --log logs3 --corpus '\(dir.file("nothing"))'")
        #expect(missing.status == 2 && missing.stderr.contains("give the documents with --corpus"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("logs3")), "no log folder is left behind")
    }
}

extension GammaAgentCLITests {
    /// A model that cannot be reached is named with the reason, without --verbose; a base URL
    /// that is no URL is refused before anything starts.
    @Test func aFailedModelCallSaysWhereAndWhy() throws {
        let dir = TemporaryDirectory(prefix: "gamma-model")
        defer { dir.remove() }
        let refused = try Executables.run(
            "gamma-agent",
            [
                "run", "--model", "openai", "--base-url", "http://127.0.0.1:9/v1", "--retries", "0", "--log",
                dir.file("log"), "hi"
            ])
        #expect(refused.status == 1)
        #expect(
            refused.stderr.contains("http://127.0.0.1:9/v1") && refused.stderr.contains("connect"), "\(refused.stderr)")
        let bad = try Executables.run(
            "gamma-agent", ["run", "--model", "openai", "--base-url", "localhost:8080", "--log", dir.file("log2"), "hi"]
        )
        #expect(bad.status == 64 && bad.stderr.contains("is not an http:// or https:// URL"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("log2")))
    }
}

extension GammaAgentCLITests {
    /// A Prometheus rule file evaluated live: the 10:00 spike fires and resolves, notified on the
    /// console with the rule's expression; the groups give the intervals, so --alert-interval is
    /// refused.
    @Test func aPrometheusRuleFileIsEvaluatedLive() throws {
        let log = TemporaryDirectory()
        defer { log.remove() }
        let rules = RepositoryPaths.root + "/samples/rules/agent.prom.yml"
        let r = try Executables.run(
            "gamma-agent", ["simulate", "--rules", rules, "--duration", "11h", "--log", log.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("alerts: 1 fired, 1 resolved, 2 notifications"), "\(r.stdout)")
        #expect(
            (r.stdout + r.stderr).contains(
                "[FIRING] LLMLatencyHigh (warning) job=gamma severity=warning | value 5.06 (job:llm_latency_seconds:p50_10m > 2.5)"
            ), "\(r.stdout)\n\(r.stderr)")
        let history = try Executables.run("gamma-backtest", ["--history", log.path])
        #expect(history.stdout.contains("LLMLatencyHigh  firing"), "\(history.stdout)")
        let refused = try Executables.run(
            "gamma-agent", ["simulate", "--rules", rules, "--alert-interval", "1m", "--log", log.file("x")])
        #expect(refused.status == 64 && refused.stderr.contains("leave out --alert-interval"), "\(refused.stderr)")
    }
}
