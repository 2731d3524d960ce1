#if canImport(Glibc)
import Glibc
#endif
import GammaAgent
import GammaLog
import GammaModel
import GammaRecorder
import GammaReplay
import GammaTestKit
import Testing

@Suite struct AgentLoopTests {
    static let t0: Int64 = 1_795_000_000_000_000_000

    /// Runs prompts through an agent recorded by Gamma, and reads the log back.
    static func record(_ prompts: [String], profile: ScriptedModel.Profile, dir: TemporaryDirectory) async throws -> (
        [Agent.Outcome], [Trace], MetricReport
    ) {
        let time = ManualClock(start: t0)
        let recorder = try LogRecorder(
            directory: dir.path, stream: "agent", resource: ["service.name": .string("gamma-agent")], clock: time)
        let tracer = GammaTracer(recorder: recorder)
        let corpus = dir.file("corpus")
        mkdir(corpus, 0o755)
        Files.write(corpus + "/refunds.md", Array("# Refunds\nRefunds take five business days.".utf8))
        let agent = Agent(
            model: ScriptedModel(seed: 9, profile: profile, clock: time),
            tools: [
                CalculatorTool(), ClockTool(now: time.now), ReadFileTool(root: corpus),
                SearchTool(index: try SearchIndex.load(folder: corpus))
            ],
            clock: time, metrics: GammaMetricsFactory(recorder: recorder), tracer: tracer)
        var outcomes: [Agent.Outcome] = []
        for p in prompts { outcomes.append(await agent.run(p)) }
        try recorder.close()
        let reader = try LogReader(paths: [dir.path])
        let traces = TraceForest.build(try SpanCollector.collect(reader))
        let report = try MetricReplay(query: MetricQuery()).run(reader)
        return (outcomes, traces, report)
    }

    static let prompts = (0..<40).map { i in
        [
            "What is \(i) * 7 + 3?", "How long do refunds take?", "What time is it?",
            "Read refunds.md and summarize it", "Open missing.md"
        ][i % 5]
    }

    @Test func spansHaveTheShapeOfARunAndMetricsAgreeWithThem() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var profile = ScriptedModel.Profile()
        profile.rateLimitRate = 0.05
        profile.malformedArgumentsRate = 0.1
        let (outcomes, traces, report) = try await Self.record(Self.prompts, profile: profile, dir: dir)
        #expect(traces.count == 40 && traces.allSatisfy { $0.roots.count == 1 && $0.problems.isEmpty })
        for t in traces {
            #expect(t.root?.span.name == "agent.run")
            #expect(
                t.nodes.dropFirst().allSatisfy {
                    $0.depth == 1 && ($0.span.name == "llm.call" || $0.span.name.hasPrefix("tool."))
                })
            // Prompts are not captured by default (the recorder's redaction).
            #expect(t.root?.span.attributes["agent.input"] == .string(Redaction.notCaptured))
        }
        func total(_ name: String, _ labels: [String: String] = [:]) -> Double {
            report.series.filter { s in
                s.key.name == name && labels.allSatisfy { l in s.key.labels.contains(Label(l.key, l.value)) }
            }
            .reduce(0) { $0 + ($1.figures.total ?? Double($1.figures.count)) }
        }
        let spans = traces.flatMap(\.nodes)
        #expect(total("agent.runs.total") == 40)
        #expect(total("agent.iterations.total") == Double(spans.filter { $0.span.name == "llm.call" }.count))
        #expect(total("tools.calls.total") == Double(spans.filter { $0.span.name.hasPrefix("tool.") }.count))
        #expect(
            total("tools.errors.total")
                == Double(spans.filter { $0.span.name.hasPrefix("tool.") && $0.span.status == .error }.count))
        #expect(total("tools.calls.total") == Double(outcomes.reduce(0) { $0 + $1.toolCalls }))
        let failedRuns = outcomes.filter { if case .failed = $0.ending { true } else { false } }.count
        let maxed = outcomes.filter { $0.ending == .maxIterations }.count
        #expect(
            total("agent.errors.total") == Double(failedRuns + maxed)
                && total("agent.errors.total", ["error": "max_iterations"]) == Double(maxed))
        #expect(failedRuns > 0)
        #expect(total("llm.latency_ms") == total("agent.iterations.total"))  // one observation per call
        // Every error span carries an exception event.
        #expect(
            spans.filter { $0.span.status == .error && $0.span.name != "agent.run" }.allSatisfy {
                $0.span.events.contains { $0.name == "exception" }
            })
        #expect(outcomes.contains { $0.ending == .answered } && outcomes.contains { $0.toolErrors > 0 })
    }

    @Test func theSameSeedGivesTheSameRecordsAfterTheResource() async throws {
        let a = TemporaryDirectory(), b = TemporaryDirectory()
        defer { a.remove(); b.remove() }
        _ = try await Self.record(Array(Self.prompts.prefix(10)), profile: .init(), dir: a)
        _ = try await Self.record(Array(Self.prompts.prefix(10)), profile: .init(), dir: b)
        func lines(_ d: TemporaryDirectory) throws -> [String] {
            try Fixtures.readAll([d.path]).lines.filter { !$0.contains(#""type":"resource""#) }
        }
        let la = try lines(a), lb = try lines(b)
        #expect(la.count > 50)
        // Span and trace ids are random per process by design; everything else is identical.
        func withoutIDs(_ s: String) -> String {
            s.replacing(/"(trace_id|span_id|parent_span_id)":"[0-9a-f]+"/, with: "")
        }
        #expect(la.map(withoutIDs) == lb.map(withoutIDs))
    }
}
