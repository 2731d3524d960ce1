import GammaLog
import GammaModel
import GammaRecorder
import GammaReplay
import GammaTestKit
import Instrumentation
import Testing
import Tracing

/// The live side and the offline side together: spans recorded by two processes (two recorders,
/// two folders) joined through traceparent come back as one tree.
@Suite struct TraceReplayTests {
    @Test func aTraceOverTwoProcessesJoinedByTraceparentIsOneTree() throws {
        let a = try RecorderFixture(), b = try RecorderFixture()
        defer { a.dir.remove(); b.dir.remove() }
        let client = GammaTracer(recorder: a.recorder), server = GammaTracer(recorder: b.recorder)
        let run = client.startSpan("agent.run", context: .topLevel, ofKind: .server)
        let call = client.startSpan("tool.http_get", context: run.context, ofKind: .client)
        var headers: [String: String] = [:]
        client.inject(call.context, into: &headers, using: DictionaryInjector())
        var incoming = InstrumentationContext.topLevel
        server.extract(headers, into: &incoming, using: DictionaryExtractor())
        let handler = server.startSpan("http.handle", context: incoming, ofKind: .server)
        let query = server.startSpan("db.query", context: handler.context)
        query.end()
        handler.end()
        call.end()
        run.end()
        _ = try a.close()
        _ = try b.close()
        let collected = try SpanCollector.collect(LogReader(paths: [a.dir.path, b.dir.path]))
        let traces = TraceForest.build(collected)
        let t = try #require(traces.first)
        #expect(traces.count == 1 && t.roots.count == 1 && t.problems.isEmpty)
        #expect(t.nodes.map(\.span.name) == ["agent.run", "tool.http_get", "http.handle", "db.query"])
        #expect(t.nodes.map(\.depth) == [0, 1, 2, 3] && !t.nodes.contains { $0.orphan })
        // Spans carry their stream's resource record (here both in one test process: one resource).
        #expect(t.nodes.allSatisfy { collected.resourceTable[Int($0.resource)]["process.pid"] != nil })
    }
}
