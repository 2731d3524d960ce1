public import CoreMetrics
import Metrics
public import Tracing
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Plays a ``Workload`` through real ``Agent`` runs on a ``SimulationClock``: runs arrive as a
/// Poisson process at the workload's rate for the time of day, at most `concurrency` run at
/// once (the others queue, first come first served), and every model call, tool call and
/// metric lands in simulated time. Nothing sleeps, so a day records in seconds, and the same
/// options give the same records in the same order.
///
/// Every `sampleInterval` it also records the system gauges (`system.cpu_percent`, …) through
/// swift-metrics, modelled from the simulated load (the real machine's figures would describe the
/// simulator, not the simulated service).
public final class Simulation: Sendable {
    public struct Options: Sendable {
        /// Stop starting runs after this many (`nil`: no limit).
        public var runs: Int?
        /// Stop starting runs after this much simulated time (`nil`: no limit). One of the two must be set.
        public var duration: Int64?
        public var concurrency: Int
        public var seed: UInt64
        /// Simulated start, nanoseconds since the epoch.
        public var start: Int64
        public var workload: Workload
        public var maxIterations: Int = 5
        public var sampleInterval: Int64 = 10_000_000_000

        public init(runs: Int?, duration: Int64?, concurrency: Int, seed: UInt64, start: Int64, workload: Workload) {
            self.runs = runs
            self.duration = duration
            self.concurrency = concurrency
            self.seed = seed
            self.start = start
            self.workload = workload
        }
    }

    /// What a simulation did.
    public struct Summary: Sendable, Equatable {
        public var runs = 0
        public var answered = 0
        public var failed = 0
        public var exhausted = 0
        public var toolCalls = 0
        public var toolErrors = 0
        public var iterations = 0
        /// The most runs at once, and the longest queue.
        public var peakInFlight = 0
        public var peakQueue = 0
        public var start: Int64 = 0
        public var end: Int64 = 0
    }

    /// Where a simulation is, for a progress display.
    public struct Progress: Sendable {
        public var finishedRuns: Int
        /// The total when `--runs` bounds it.
        public var plannedRuns: Int?
        public var now: Int64
        /// The simulated end when `--duration` bounds it.
        public var plannedEnd: Int64?
    }

    public let options: Options
    public let tools: [any AgentTool]
    public let metrics: any MetricsFactory
    public let tracer: any Tracer
    public let clock: SimulationClock
    /// Told the time of each event before it happens (everything before it is done), and
    /// `finished` at the end: live alerting evaluates there.
    public let timeWillPass: (@Sendable (Int64) -> Void)?
    public let finished: (@Sendable () -> Void)?

    /// - Parameters:
    ///   - tools: the agent's tools, each run as a ``SimulatedTool`` (simulated latency, and
    ///     failures during `tool_errors` incidents).
    ///   - clock: the simulation's clock, which must start at `options.start` (give it when the
    ///     backends must read the same clock, as a recorder does).
    ///   - timeWillPass, finished: see the properties.
    public init(
        options: Options, tools: [any AgentTool], metrics: any MetricsFactory, tracer: any Tracer,
        clock: SimulationClock? = nil,
        timeWillPass: (@Sendable (Int64) -> Void)? = nil, finished: (@Sendable () -> Void)? = nil
    ) {
        self.timeWillPass = timeWillPass
        self.finished = finished
        precondition(
            options.runs != nil || options.duration != nil, "a simulation needs a number of runs or a duration")
        self.options = options
        self.metrics = metrics
        self.tracer = tracer
        let clock = clock ?? SimulationClock(start: options.start)
        self.clock = clock
        self.tools = tools.map { SimulatedTool($0, workload: options.workload, clock: clock, seed: options.seed) }
    }

    /// Runs the simulation to its end: every started run finished.
    public func run(progress: (@Sendable (Progress) -> Void)? = nil) async -> Summary {
        let driver = Driver(self)
        if let first = driver.nextArrival(after: options.start - 1) {
            clock.schedule(.arrival, at: first)
        } else {
            driver.arrivalsOpen = false
        }
        clock.schedule(.tick, at: options.start)
        var lastReport = -1
        while driver.arrivalsOpen || driver.inFlight > 0 || driver.queued > 0, let (time, event) = clock.next() {
            timeWillPass?(time)
            switch event {
            case .resume(let continuation):
                continuation.resume()
                await driver.settle()
            case .arrival:
                await driver.arrive(at: time)
            case .tick:
                driver.recordGauges()
                clock.schedule(.tick, at: time + options.sampleInterval)
            }
            if let progress, driver.summary.runs - driver.inFlight != lastReport {
                lastReport = driver.summary.runs - driver.inFlight
                progress(
                    Progress(
                        finishedRuns: lastReport, plannedRuns: options.runs, now: time,
                        plannedEnd: options.duration.map { options.start + $0 }))
            }
        }
        finished?()
        driver.summary.end = clock.now()
        return driver.summary
    }

    /// The agent of run number `index`: its own model seed, the workload's incidents around the
    /// model, the shared tools.
    func makeAgent(run index: Int) -> Agent {
        let seed = options.seed &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03
        let model = IncidentModel(
            ScriptedModel(name: "scripted", seed: seed, profile: options.workload.model, clock: clock),
            workload: options.workload, clock: clock)
        return Agent(
            model: model, tools: tools, clock: clock, maxIterations: options.maxIterations, metrics: metrics,
            tracer: tracer)
    }

    /// Where a finished run leaves its outcome for the driver.
    final class Outcomes: Sendable {
        let list = Mutex<[Agent.Outcome]>([])
    }

    /// The driver's state, touched only by the driver's loop (runs hand their outcome over in `outcomes`).
    final class Driver {
        let simulation: Simulation
        var summary: Summary
        var arrivals: ScriptedModel.Random
        var noise: ScriptedModel.Random
        var arrived = 0, inFlight = 0, queued = 0
        var arrivalsOpen = true
        let outcomes = Outcomes()

        init(_ simulation: Simulation) {
            self.simulation = simulation
            summary = Summary(start: simulation.options.start)
            arrivals = ScriptedModel.Random(seed: simulation.options.seed ^ 0x4152_5249_5645)
            noise = ScriptedModel.Random(seed: simulation.options.seed ^ 0x4741_5547_4553)
        }

        var options: Options { simulation.options }

        /// The next arrival after `t` (thinning: candidates at the peak rate, each kept with
        /// probability rate(t) / peak), or `nil` past the end.
        func nextArrival(after t: Int64) -> Int64? {
            let workload = options.workload
            let peak = workload.peakRate
            let end = options.duration.map { options.start + $0 }
            var t = t
            while true {
                t += max(1, Int64(-log(max(arrivals.uniform(), 1e-300)) / peak))
                if let end, t >= end { return nil }
                if arrivals.uniform() * peak <= workload.rate(at: t) { return t }
            }
        }

        func arrive(at time: Int64) async {
            arrived += 1
            if arrived >= (options.runs ?? .max) { arrivalsOpen = false }
            if arrivalsOpen {
                if let next = nextArrival(after: time) {
                    simulation.clock.schedule(.arrival, at: next)
                } else {
                    arrivalsOpen = false
                }
            }
            if inFlight < options.concurrency {
                await launch()
            } else {
                queued += 1
                summary.peakQueue = max(summary.peakQueue, queued)
            }
        }

        /// Starts the next run now and waits until it parks or finishes.
        func launch() async {
            let index = summary.runs
            summary.runs += 1
            inFlight += 1
            summary.peakInFlight = max(summary.peakInFlight, inFlight)
            let agent = simulation.makeAgent(run: index)
            let prompt = PromptMix.prompt(seed: options.seed, index: index)
            let clock = simulation.clock
            let outcomes = self.outcomes
            Task {
                let outcome = await agent.run(prompt)
                outcomes.list.withLock { $0.append(outcome) }
                clock.finished()
            }
            await settle()
        }

        /// Waits for the running task to hand control back; a finished run frees its slot for the queue.
        func settle() async {
            guard await simulation.clock.waitForHandback() == .finished else { return }
            for outcome in outcomes.list.withLock({ o in
                defer { o.removeAll() }; return o
            }) { count(outcome) }
            inFlight -= 1
            if queued > 0 {
                queued -= 1
                await launch()
            }
        }

        func count(_ outcome: Agent.Outcome) {
            switch outcome.ending {
            case .answered: summary.answered += 1
            case .failed: summary.failed += 1
            case .maxIterations: summary.exhausted += 1
            }
            summary.iterations += outcome.iterations
            summary.toolCalls += outcome.toolCalls
            summary.toolErrors += outcome.toolErrors
        }

        /// The system gauges, modelled from the load: CPU with the runs in flight, memory and the
        /// resident set growing slowly with the runs served, plus a little noise.
        func recordGauges() {
            let load = Double(inFlight)
            let served = Double(summary.runs)
            func jitter(_ width: Double) -> Double { (noise.uniform() - 0.5) * width }
            func clamp(_ v: Double) -> Double { min(100, max(0, v)) }
            let memoryPercent = clamp(38 + 0.8 * load + served * 0.0004 + jitter(0.5))
            let figures: [(String, Double)] = [
                ("system.cpu_percent", clamp(4 + 11 * load + jitter(6))),
                ("process.cpu_percent", clamp(1.5 + 8 * load + jitter(3))),
                ("system.memory_percent", memoryPercent),
                ("system.memory_mb", memoryPercent / 100 * 16_384),
                ("process.rss_mb", 48 + 6 * load + served * 0.002 + jitter(1)),
                ("system.disk_percent", clamp(41 + served * 0.00005))
            ]
            for (name, value) in figures {
                Gauge(label: name, factory: simulation.metrics).record((value * 100).rounded() / 100)
            }
        }
    }
}
