#if canImport(Glibc)
import Glibc
#endif
import CoreMetrics
import GammaAgent
import GammaAgentRecording
import GammaLog
import GammaTestKit
import Tracing

/// Issue 4's benchmark: simulated agent runs per second, and what the instrumentation costs per
/// run: the same simulation (the `steady` workload, 8 at once) recorded by Gamma into a log
/// folder, and with swift-metrics' and swift-distributed-tracing's no-op backends, alternating
/// in one process.
struct SimulationBenchmark {
    let runs: Int
    let agentRuns: Int

    func run() async throws {
        let corpus =
            String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(4).joined(separator: "/"))
            + "/samples/corpus"  // Benchmarks/Sources/gamma-bench/this file
        let workload = Workload.presets.first { $0.name == "steady" }!
        let options = Simulation.Options(
            runs: agentRuns, duration: nil, concurrency: 8, seed: 1, start: 1_793_577_600_000_000_000,
            workload: workload)
        var noop: [Double] = [], gamma: [Double] = []
        var lines = 0, bytes: Int64 = 0
        for r in 0...runs {  // round 0 warms up
            let clock = SimulationClock(start: options.start)
            let tools = try SimulationRecording.tools(corpus: corpus, clock: clock)
            var t0 = now()
            let summary = await Simulation(
                options: options, tools: tools, metrics: NOOPMetricsHandler.instance, tracer: NoOpTracer(), clock: clock
            ).run()
            let tNoop = now() - t0
            let dir = TemporaryDirectory(prefix: "gamma-bench-sim")
            t0 = now()
            let recorded = try await SimulationRecording.record(options, directory: dir.path, corpus: corpus)
            let tGamma = now() - t0
            dir.remove()
            precondition(recorded.summary == summary, "the recorded simulation differs from the unrecorded one")
            guard r > 0 else { continue }
            noop.append(tNoop)
            gamma.append(tGamma)
            lines = recorded.stats.linesWritten
            bytes = recorded.stats.bytesWritten
            print(
                "run \(r): no-op \(fmt(tNoop)) s, Gamma \(fmt(tGamma)) s (\(agentRuns) agent runs, \(lines) records, \(fmt(Double(bytes) / 1e6, 2)) MB)"
            )
        }
        let n = Double(agentRuns)
        let mNoop = median(noop), mGamma = median(gamma)
        print(
            "simulated runs per second: no-op backends \(fmt(n / mNoop, 0)), recorded by Gamma \(fmt(n / mGamma, 0)) (median of \(runs))"
        )
        print(
            "per run: no-op \(fmt(mNoop / n * 1e6, 1)) µs, Gamma \(fmt(mGamma / n * 1e6, 1)) µs, instrumentation \(fmt((mGamma - mNoop) / n * 1e6, 1)) µs for \(fmt(Double(lines) / n, 1)) records"
        )
        print("ratio Gamma / no-op: \(fmt(mGamma / mNoop, 2))")
    }
}
