public import GammaAgent
public import GammaRules
public import GammaPromQL
public import GammaLiveAlerting
public import GammaLog
public import GammaModel
import GammaRecorder
import Synchronization

/// A simulation recorded into a log folder by Gamma's own backends: one stream, the agent's
/// names declared first, span ids seeded from the simulation's seed, and members cut by size
/// only (never by the wall clock), so the same options write the same bytes after the
/// resource record, which names the host, the process and the stream.
public enum SimulationRecording {
    public struct Result: Sendable {
        public var summary: Simulation.Summary
        public var stats: SegmentWriter.Stats
        public var stream: String
        /// Live alerting's transitions, when rules were given.
        public var transitions: [AlertTransition]
        /// Notifications still being delivered at the end's deadline, given up and recorded.
        public var undelivered = 0
        /// Rule evaluations that failed (Prometheus rule files): how many, and the first.
        public var evaluationFailures: (count: Int, first: String?) = (0, nil)
    }

    /// Rules to evaluate live, every `interval` of simulated time, with these notifiers.
    public struct Alerting: Sendable {
        public var rules: [AlertRule]
        /// A Prometheus rule file, evaluated instead of `rules`.
        public var prometheus: PromRuleFile?
        public var interval: Int64
        public var notifiers: [any AlertNotifier]
        /// Told of each delivery and each notification given up (a simulation does not record
        /// these: they happen in real time, which would make its log depend on the network).
        public var onDelivery: @Sendable (String, AlertNotification, NotifierError?) -> Void
        /// How long the end of the simulation waits for deliveries still under way; those left
        /// are given up and recorded as alert records that say so.
        public var deadline: Duration = .seconds(10)

        public init(
            rules: [AlertRule], interval: Int64 = 15_000_000_000, notifiers: [any AlertNotifier] = [],
            onDelivery: @escaping @Sendable (String, AlertNotification, NotifierError?) -> Void = { _, _, _ in }
        ) {
            self.rules = rules
            self.interval = interval
            self.notifiers = notifiers
            self.onDelivery = onDelivery
        }
    }

    /// The writer's options for a reproducible recording: no flush by interval, no rotation by age.
    public static var writerOptions: SegmentWriterOptions {
        var options = SegmentWriterOptions()
        let century = Duration.seconds(100 * 365 * 86_400)
        options.flushInterval = century
        options.maxSegmentAge = century
        options.maxSegmentBytes = 16 << 20
        return options
    }

    /// The agent's tools over a document folder: calculator, clock, read_file and search (no
    /// http_get: a simulation does not reach the network).
    public static func tools(corpus: String, clock: any EpochClock) throws(ToolError) -> [any AgentTool] {
        let index = try SearchIndex.load(folder: corpus)
        return [CalculatorTool(), ClockTool(now: { clock.now() }), ReadFileTool(root: corpus), SearchTool(index: index)]
    }

    /// Runs `options` and records it into `directory`.
    /// - Throws: ``LogError`` when the folder cannot be written, ``ToolError`` when the corpus cannot be read.
    /// - Parameter alerting: rules evaluated live on the recorded metrics; each transition is
    ///   recorded as an alert record in the same log, and notified.
    public static func record(
        _ options: Simulation.Options, directory: String, corpus: String, stream: String? = nil,
        alerting: Alerting? = nil,
        progress: (@Sendable (Simulation.Progress) -> Void)? = nil,
        draining: (@Sendable (_ open: Int) -> Void)? = nil
    ) async throws -> Result {
        let clock = SimulationClock(start: options.start)
        let tools = try Self.tools(corpus: corpus, clock: clock)
        let recorded = try alerting.map { a in
            let onDelivery = a.onDelivery
            if let file = a.prometheus {
                return RecordedAlerting(
                    prometheus: file,
                    units: AgentMetrics.units,
                    notifiers: a.notifiers,
                    onDelivery: { notifier, notification, error, _ in onDelivery(notifier, notification, error) })
            }
            return try RecordedAlerting(
                rules: a.rules, interval: a.interval, notifiers: a.notifiers,
                onDelivery: { notifier, notification, error, _ in onDelivery(notifier, notification, error) })
        }
        let live = recorded?.live
        let recorder = try LogRecorder(
            directory: directory, stream: stream,
            resource: [
                "service.name": .string("gamma-agent"),
                "gamma.simulation.seed": .int(Int64(bitPattern: options.seed)),
                "gamma.simulation.workload": .string(options.workload.name)
            ],
            clock: clock, options: writerOptions,
            metricObserver: recorded?.metricObserver)
        recorded?.attach(recorder)
        for d in AgentMetrics.declarations { recorder.declare(d.name, kind: d.kind, unit: d.unit, help: d.help) }
        let simulation = Simulation(
            options: options, tools: tools, metrics: GammaMetricsFactory(recorder: recorder),
            tracer: GammaTracer(recorder: recorder, idSeed: options.seed ^ 0x5350_414E), clock: clock,
            timeWillPass: live.map { live in { @Sendable t in live.evaluate(before: t) } },
            finished: live.map { live in { @Sendable in live.finish(at: clock.now()) } })
        let summary = await simulation.run(progress: progress)
        // The notifications still under way at the end: shown while they are waited for.
        let watch = live.flatMap { live in
            draining.map { show in
                Task {
                    while !Task.isCancelled && live.openDeliveries > 0 {
                        show(live.openDeliveries)
                        try? await Task.sleep(for: .milliseconds(200))
                    }
                }
            }
        }
        let undelivered = await live?.drain(deadline: alerting?.deadline ?? .seconds(10)).count ?? 0
        watch?.cancel()
        try recorder.close()
        let stats = recorder.writer!.stats  // made with a directory above
        return Result(
            summary: summary, stats: stats, stream: recorder.stream, transitions: live?.transitions ?? [],
            undelivered: undelivered, evaluationFailures: live?.evaluationFailures ?? (0, nil))
    }
}
