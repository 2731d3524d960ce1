import GammaAgent
import GammaModel
import GammaRecorder
import GammaTestKit
import Testing

/// The agent's metrics and spans checked through GammaTestKit's in-memory sink, without a log folder.
@Suite struct AgentInMemoryTests {
    @Test func aRunsMetricsAndSpansAgreeRecordByRecord() async throws {
        let time = ManualClock(start: 1_795_000_000_000_000_000)
        let sink = InMemoryRecordSink(stream: "agent")
        let recorder = LogRecorder(sink: sink, resource: ["service.name": .string("gamma-agent")], clock: time)
        let agent = Agent(
            model: ScriptedModel(seed: 3, clock: time), tools: [CalculatorTool(), ClockTool(now: time.now)],
            clock: time,
            metrics: GammaMetricsFactory(recorder: recorder), tracer: GammaTracer(recorder: recorder))
        var outcomes: [Agent.Outcome] = []
        for p in ["What is 6 * 7?", "What time is it?", "What is 2 + 2?"] { outcomes.append(await agent.run(p)) }
        try recorder.close()

        let records = try sink.records()
        #expect(records.first?.resource?.stream == "agent")
        #expect(try sink.counterTotal("agent.runs.total") == 3)
        let runs = try sink.spans(named: "agent.run")
        #expect(runs.count == 3 && runs.allSatisfy { $0.parentSpanID == nil })
        let llmCalls = try sink.spans(named: "llm.call")
        #expect(Double(llmCalls.count) == (try sink.counterTotal("agent.iterations.total")))
        #expect(llmCalls.count == outcomes.reduce(0) { $0 + $1.iterations })
        #expect(try sink.observations("llm.latency_ms").count == llmCalls.count)
        let toolSpans = try sink.spans().filter { $0.name.hasPrefix("tool.") }
        #expect(Double(toolSpans.count) == (try sink.counterTotal("tools.calls.total")))
        // Every span belongs to one of the runs' traces.
        #expect(Set(try sink.spans().map(\.traceID)) == Set(runs.map(\.traceID)))
        #expect(sink.isClosed)
    }
}
