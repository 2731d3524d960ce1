import ArgumentParser
import GammaAgent
import GammaAgentRecording
import GammaRules
import GammaLiveAlerting
import GammaCLI
import GammaConfig
import GammaLog
import GammaModel
#if canImport(Glibc)
import Glibc
#endif

/// `gamma-agent simulate`: a workload in virtual time, recorded into a log folder.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate agent traffic in virtual time and record it: a day in seconds.",
        discussion: HelpText.reflow(
            """
            Runs arrive at the workload's rate for the time of day (a Poisson process), at most
            --concurrency at once (the rest queue), and go through the real agent loop, tools
            and instrumentation with the scripted model. Nothing sleeps: the clock moves by the
            simulated latencies. The same options record the same bytes after each segment's
            resource record. Without --runs, a simulation lasts --duration (default 24h).

            Examples:
              gamma-agent simulate --log day/
              gamma-agent simulate --runs 2000 --concurrency 16 --seed 3 \\
                  --start 2026-03-02T08:00:00Z --profile day --log logs/
              gamma-agent simulate --profile samples/profiles/incidents.yaml \\
                  --duration 6h --log logs/
            """)
    )

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Start this many runs, then stop (default: as many as arrive in --duration).", valueName: "n")) var runs:
        Int?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Stop starting runs after this much simulated time (default 24h without --runs).", valueName: "duration"))
    var duration: String?
    @Option(
        parsing: .unconditional, help: ArgumentHelp("Runs in flight at most; later arrivals queue.", valueName: "c"))
    var concurrency = 8
    @Option(help: ArgumentHelp("The seed: the same seed, the same simulation.", valueName: "s")) var seed: UInt64 = 1
    @Option(
        help: ArgumentHelp("Simulated start, RFC 3339 (UTC if no zone is given) or @epoch-seconds.", valueName: "time"))
    var start = "2026-11-02T00:00:00Z"
    @Option(
        help: ArgumentHelp("A built-in workload (day, incidents, steady) or a workload file.", valueName: "profile"))
    var profile = "incidents"
    @Option(help: ArgumentHelp("The log folder to record into (created if missing).", valueName: "dir")) var log =
        "logs"
    @Option(help: ArgumentHelp("Name the recorded stream (default: a new unique name).", valueName: "name")) var stream:
        String?
    @Option(
        help: ArgumentHelp(
            "The documents that search and read_file see (default: the sample documents installed with gamma-agent).",
            valueName: "dir"))
    var corpus: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Model calls per run at most.", valueName: "n"))
    var maxIterations = 5
    @Flag(help: "No progress bar on standard error (it is shown only when standard error is a terminal).")
    var noProgress = false
    @OptionGroup var alerts: AlertOptions

    func validate() throws {
        // A name that is no preset and no path is bad usage, as in `profiles --show`.
        if !profile.contains("/") && !profile.contains("."), !Workload.presets.contains(where: { $0.name == profile }) {
            throw ValidationError(
                "no preset '\(profile)'; presets: \(Workload.presets.map(\.name).joined(separator: ", ")).")
        }
        if let runs, runs < 1 { throw ValidationError("--runs must be at least 1.") }
        if !(1...10_000).contains(concurrency) { throw ValidationError("--concurrency must be between 1 and 10000.") }
        if !(1...100).contains(maxIterations) { throw ValidationError("--max-iterations must be between 1 and 100.") }
        if let duration {
            guard let d = DurationParser.parse(duration), d > 0 else {
                throw ValidationError("--duration '\(duration)' is not a duration (like 24h, 90m, 1h30m).")
            }
            if d > 366 * 86_400_000_000_000 { throw ValidationError("--duration is longer than a year.") }
        }
        if let stream, !SegmentName.isValidStream(stream) {
            throw ValidationError("--stream '\(stream)' must be 1 to 128 of A-Z a-z 0-9 . _ - and not start with '.'.")
        }
        if TimeParser.parse(start) == nil {
            throw ValidationError("--start '\(start)' is not a time (like 2026-11-02T00:00:00Z or @1793577600).")
        }
    }

    func run() async throws {

        ProcessSetup.ignoreFileSizeSignal()
        let workload: Workload
        do throws(ConfigError) { workload = try Workload.named(profile) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let alerting = try alerts.load().map { a in
            var alerting = SimulationRecording.Alerting(
                rules: a.rules, interval: a.interval, notifiers: a.notifiers,
                onDelivery: { _, _, error in if let error { printError("warning: notification given up: \(error)") } })
            alerting.prometheus = a.prometheus
            alerting.deadline = alerts.deadline
            return alerting
        }
        let span = duration.flatMap(DurationParser.parse) ?? (runs == nil ? 86_400_000_000_000 : nil)
        var options = Simulation.Options(
            runs: runs, duration: span, concurrency: concurrency, seed: seed, start: TimeParser.parse(start)!,
            workload: workload)
        options.maxIterations = maxIterations
        // The documents first: a simulation that cannot start leaves no log folder behind.
        let corpus: String
        do throws(ToolError) { corpus = try DefaultCorpus.load(self.corpus).path } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if mkdir(log, 0o755) != 0 && errno != EEXIST {
            printError("error: cannot create the log folder '\(log)': \(String(cString: strerror(errno)))")
            throw ExitCode(2)
        }
        let bar = ProgressLine(disabled: noProgress)
        let wallStart = monotonicNanos()
        let start = options.start
        let show: @Sendable (Simulation.Progress) -> Void = { p in
            let fraction: Double
            if let planned = p.plannedRuns {
                fraction = Double(p.finishedRuns) / Double(planned)
            } else if let end = p.plannedEnd {
                fraction = Double(p.now - start) / Double(end - start)
            } else {
                fraction = 0
            }
            bar.show(
                "gamma-agent: \(ProgressLine.bar(fraction)) \(p.finishedRuns) runs, simulated \(TimeParser.format(p.now).prefix(19))Z"
            )
        }
        let deadlineText = alerts.notifyDeadline
        let waiting: @Sendable (Int) -> Void = { open in
            bar.show(
                "gamma-agent: waiting for \(plural(open, "notification")) to be delivered "
                    + "(at most \(deadlineText))")
        }
        let result: SimulationRecording.Result
        do {
            result = try await SimulationRecording.record(
                options, directory: log, corpus: corpus, stream: stream, alerting: alerting,
                progress: bar.enabled ? show : nil,
                draining: bar.enabled ? waiting : nil)
        } catch {
            bar.clear()
            printError("error: \(error)")
            throw ExitCode(2)
        }
        bar.clear()
        let wall = Double(monotonicNanos() - wallStart) / 1e9
        let s = result.summary
        let out = Output()
        out.line(
            "simulated \(TimeParser.format(s.start)) to \(TimeParser.format(s.end)) (\(HumanText.duration(s.end - s.start))) in \(HumanText.duration(seconds: wall)), workload '\(workload.name)', seed \(seed)"
        )
        out.line(
            "runs \(s.runs): \(s.answered) answered, \(s.failed) failed, \(s.exhausted) without an answer after \(maxIterations) model calls"
        )
        out.line(
            "model calls \(s.iterations), tool calls \(s.toolCalls) (\(s.toolErrors) failed); at most \(s.peakInFlight) runs at once, \(s.peakQueue) queued"
        )
        if alerting != nil {
            let t = result.transitions
            out.line(
                "alerts: \(t.count { $0.kind == .firing }) fired, \(t.count { $0.kind == .resolved }) resolved, \(plural(t.count(where: \.notify), "notification"))"
                    + (result.undelivered > 0 ? ", \(result.undelivered) undelivered (recorded)" : "")
            )
            printFailures(result.evaluationFailures)
        }
        out.line(
            "recorded \(plural(result.stats.linesWritten, "record")), \(HumanText.bytes(result.stats.bytesWritten)) compressed, into \(log) (stream \(result.stream))"
        )
        try out.finish()
    }
}
