import ArgumentParser
import GammaAgent
import GammaAgentRecording
import GammaRules
import GammaLiveAlerting
import GammaCLI
import GammaConfig
import GammaLog
import GammaRecorder
import GammaModel
import GammaNet
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `gamma-agent run "prompt"`: one real run on the real clock, recorded.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent on one prompt, on the real clock, and record the run.",
        discussion: HelpText.reflow(
            """
            The answer goes to standard output; with --verbose, each model and tool call to
            standard error. The run is recorded into --log with the system gauges.

            Models:
              scripted   offline and deterministic for --seed (the default)
              openai     the chat-completions API of a local server (llama.cpp, Ollama,
                         vLLM): --base-url, --model-name; the API key, if the server wants
                         one, is read from the environment variable named by --api-key-env

            Examples:
              gamma-agent run "What is (17 + 4) * 23?"
              gamma-agent run --verbose "Summarize refunds.md"
              gamma-agent run --model openai --base-url http://127.0.0.1:11434/v1 \\
                  --model-name llama3.2 "How long do refunds take?"
            """)
    )

    enum ModelChoice: String, ExpressibleByArgument, CaseIterable { case scripted, openai }

    @Argument(help: "What to ask the agent.") var prompt: String
    @Option(help: ArgumentHelp("scripted or openai.", valueName: "model")) var model: ModelChoice = .scripted
    @Option(help: ArgumentHelp("The API's root, for --model openai.", valueName: "url")) var baseURL =
        "http://127.0.0.1:8080/v1"
    @Option(help: ArgumentHelp("The model's name on the server, for --model openai.", valueName: "name"))
    var modelName = "default"
    @Option(help: ArgumentHelp("The environment variable that holds the API key.", valueName: "name")) var apiKeyEnv =
        "OPENAI_API_KEY"
    @Option(
        parsing: .unconditional, help: ArgumentHelp("Deadline of one model request (60s, 2m).", valueName: "duration"))
    var timeout = "60s"
    @Option(
        parsing: .unconditional, help: ArgumentHelp("Retries of a model request answered 429 or 5xx.", valueName: "n"))
    var retries = 3
    @Option(parsing: .unconditional, help: ArgumentHelp("Deadline of one http_get call.", valueName: "duration"))
    var httpTimeout = "10s"
    @Option(help: ArgumentHelp("The scripted model's seed.", valueName: "s")) var seed: UInt64 = 1
    @Option(parsing: .unconditional, help: ArgumentHelp("Model calls at most.", valueName: "n")) var maxIterations = 5
    @Option(help: ArgumentHelp("The log folder to record into (created if missing).", valueName: "dir")) var log =
        "logs"
    @Option(
        help: ArgumentHelp(
            "The documents that search sees (default: the sample documents installed with gamma-agent).",
            valueName: "dir"))
    var corpus: String?
    @Option(help: ArgumentHelp("The folder read_file may read (default: the corpus).", valueName: "dir")) var files:
        String?
    @Option(
        help: ArgumentHelp(
            "Let http_get reach this host even where it resolves to a private or loopback address; repeatable.",
            valueName: "host"))
    var allowHost: [String] = []
    @Flag(
        help:
            "Let http_get reach private, loopback and link-local addresses (by default it reaches only the public network)."
    )
    var allowPrivate = false
    @Flag(help: "Print each model call and tool call to standard error.") var verbose = false
    @OptionGroup var alerts: AlertOptions

    func validate() throws {
        for (flag, value) in [("--timeout", timeout), ("--http-timeout", httpTimeout)] {
            guard let d = DurationParser.parse(value), d > 0 else {
                throw ValidationError("\(flag) '\(value)' is not a duration (like 30s, 2m).")
            }
        }
        if !(0...10).contains(retries) { throw ValidationError("--retries must be between 0 and 10.") }
        if !(1...100).contains(maxIterations) { throw ValidationError("--max-iterations must be between 1 and 100.") }
        if prompt.allSatisfy(\.isWhitespace) { throw ValidationError("the prompt is empty.") }
        if model == .openai {
            let lower = baseURL.lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://"), baseURL.count > 8,
                !baseURL.contains(where: \.isWhitespace)
            else {
                throw ValidationError("--base-url '\(baseURL)' is not an http:// or https:// URL.")
            }
        }
    }

    func run() async throws {

        ProcessSetup.ignoreFileSizeSignal()
        // The documents first: a run that cannot start leaves no log folder behind.
        let (corpus, index): (String, SearchIndex)
        do throws(ToolError) { (corpus, index) = try DefaultCorpus.load(self.corpus) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if mkdir(log, 0o755) != 0 && errno != EEXIST {
            printError("error: cannot create the log folder '\(log)': \(String(cString: strerror(errno)))")
            throw ExitCode(2)
        }
        let clock = SystemClock()
        let tools: [any AgentTool] = [
            CalculatorTool(), ClockTool(now: { clock.now() }), ReadFileTool(root: files ?? corpus),
            SearchTool(index: index),
            HTTPGetTool(
                timeout: Double(DurationParser.parse(httpTimeout)!) / 1e9,
                policy: .init(allowPrivate: allowPrivate, allowedHosts: Set(allowHost)))
        ]
        let languageModel: any LanguageModel
        switch model {
        case .scripted: languageModel = ScriptedModel(seed: seed, clock: clock)
        case .openai:
            languageModel = OpenAICompatibleModel(
                baseURL: baseURL, model: modelName, apiKeyVariable: apiKeyEnv,
                timeout: Double(DurationParser.parse(timeout)!) / 1e9, retries: retries, clock: clock)
        }
        // Live alerting: the recorder feeds the evaluator; transitions go back into the log.
        let onDelivery: @Sendable (String, AlertNotification, NotifierError?, LogRecorder?) -> Void = {
            notifier, _, error, recorder in
            guard let recorder else { return }
            if let error { printError("warning: notification given up: \(error)") }
            recorder.record(
                .metric(
                    MetricRecord(
                        kind: .counter, ts: recorder.clock.now(), name: "alerts.notifications.total",
                        labels: ["notifier": notifier, "result": error == nil ? "sent" : "failed"], value: 1)))
        }
        let recorded = try alerts.load().map { a in
            if let file = a.prometheus {
                return RecordedAlerting(
                    prometheus: file,
                    units: AgentMetrics.units,
                    notifiers: a.notifiers, onDelivery: onDelivery)
            }
            return try RecordedAlerting(
                rules: a.rules, interval: a.interval, notifiers: a.notifiers, onDelivery: onDelivery)
        }
        let live = recorded?.live
        let gamma: GammaSystem
        do throws(LogError) {
            gamma = try GammaSystem.bootstrap(
                logDirectory: log, serviceName: "gamma-agent", sampleInterval: .seconds(10),
                metricObserver: recorded?.metricObserver)
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        recorded?.attach(gamma.recorder)
        let ticker = live.map { live in
            Task {
                while !Task.isCancelled {
                    try? await Task.sleep(nanoseconds: UInt64(live.interval))
                    live.evaluate(through: clock.now())
                }
            }
        }
        gamma.sampler?.sample()
        let agent = Agent(
            model: verbose ? VerboseModel(base: languageModel) : languageModel,
            tools: verbose ? tools.map { VerboseTool(base: $0) } : tools,
            clock: clock, maxIterations: maxIterations, metrics: gamma.metrics, tracer: gamma.tracer)
        let outcome = await agent.run(prompt)
        gamma.sampler?.sample()
        ticker?.cancel()
        if let live {
            // The last evaluation is the first evaluation time at or after the run's end, so it sees the whole run.
            live.finish(at: clock.now())
            printFailures(live.evaluationFailures)
            // The notifications still under way: shown on a terminal while they are waited for.
            let bar = ProgressLine()
            let deadlineText = alerts.notifyDeadline
            let watch = Task {
                while bar.enabled && !Task.isCancelled && live.openDeliveries > 0 {
                    let open = live.openDeliveries
                    bar.show(
                        "gamma-agent: waiting for \(plural(open, "notification")) to be "
                            + "delivered (at most \(deadlineText))")
                    try? await Task.sleep(for: .milliseconds(200))
                }
            }
            let left = await live.drain(deadline: alerts.deadline)
            watch.cancel()
            bar.clear()
            if !left.isEmpty {
                printError("warning: \(plural(left.count, "notification")) undelivered at exit (recorded in \(log)/)")
            }
        }
        do throws(LogError) { try gamma.shutdown() } catch {
            printError("error: the run was not fully recorded: \(error)")
            throw ExitCode(2)
        }
        switch outcome.ending {
        case .answered:
            let out = Output()
            out.line(outcome.answer ?? "")
            try out.finish()
            printError("(\(outcome.iterations) model calls, \(outcome.toolCalls) tool calls; recorded in \(log)/)")
        case .maxIterations:
            printError("error: no answer after \(outcome.iterations) model calls (recorded in \(log)/)")
            throw ExitCode.failure
        case .failed(let kind):
            let why = outcome.failure.map { "\($0)" } ?? kind
            let target = why.contains(baseURL) ? "" : " to \(baseURL)"
            printError(
                "error: the model call\(target) failed: \(why) (recorded in \(log)/; see gamma-traces --errors \(log))")
            throw ExitCode.failure
        }
    }
}

/// Prints each model call to standard error.
struct VerboseModel: LanguageModel {
    let base: any LanguageModel
    var name: String { base.name }
    func complete(_ messages: [ChatMessage], tools: [ToolSpec]) async throws(ModelError) -> ModelReply {
        do {
            let reply = try await base.complete(messages, tools: tools)
            let what =
                reply.message.toolCalls.isEmpty
                ? "answers"
                : "calls " + reply.message.toolCalls.map { "\($0.name)(\($0.arguments))" }.joined(separator: ", ")
            printError(
                "model \(name): \(what) [\(reply.inputTokens) in, \(reply.outputTokens) out, \(reply.latency / 1_000_000) ms]"
            )
            return reply
        } catch {
            printError("model \(name): \(error)")
            throw error
        }
    }
}

/// Prints each tool call's result to standard error.
struct VerboseTool: AgentTool {
    let base: any AgentTool
    var name: String { base.name }
    var description: String { base.description }
    var parameters: String { base.parameters }
    func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        do {
            let out = try await base.run(arguments)
            printError("tool \(name): \(out.prefix(160).replacing("\n", with: " | "))")
            return out
        } catch {
            printError("tool \(name) failed: \(error)")
            throw error
        }
    }
}
