import GammaLog
import GammaModel
@testable import GammaRecorder
import GammaTestKit
import Instrumentation
import Testing
import Tracing

struct Failure: Error, CustomStringConvertible {
    var description: String { "the tool failed" }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? { carrier[key] }
}

@Suite struct TracingBackendTests {
    @Test func aSpanWithAttributesEventsLinksAndStatusComesBackExactly() throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let tracer = GammaTracer(recorder: f.recorder, timeSource: .recorderClock)
        let t0 = f.clock.now()
        let other = tracer.startSpan("other", context: .topLevel)
        let span = tracer.startSpan("llm.call", context: .topLevel, ofKind: .client)
        span.attributes["gen_ai.request.model"] = "scripted"
        span.attributes["gen_ai.usage.input_tokens"] = 120
        span.attributes["ratio"] = 0.5
        span.attributes["tags"] = ["a", "b"]
        f.clock.advance(by: 500)
        span.addEvent("retry")
        span.addLink(other)
        span.recordError(Failure())
        span.setStatus(.init(code: .error, message: "rate limited"))
        f.clock.advance(by: 1_500)
        span.end()
        span.end()  // a second end does nothing
        other.end()
        let spans = try f.close().compactMap(\.span)
        #expect(spans.count == 2)
        let s = try #require(spans.first)
        #expect(
            s
                == SpanRecord(
                    traceID: span.traceID, spanID: span.spanID, parentSpanID: nil, name: "llm.call", kind: .client,
                    start: t0, end: t0 + 2000,
                    status: .error, statusMessage: "rate limited",
                    attributes: [
                        "gen_ai.request.model": .string("scripted"), "gen_ai.usage.input_tokens": .int(120),
                        "ratio": .double(0.5),
                        "tags": .stringArray(["a", "b"])
                    ],
                    events: [
                        .init(name: "retry", ts: t0 + 500),
                        .init(
                            name: "exception", ts: t0 + 500,
                            attributes: [
                                "exception.type": .string("GammaRecorderTests.Failure"),
                                "exception.message": .string("the tool failed")
                            ])
                    ],
                    links: [.init(traceID: other.traceID, spanID: other.spanID)]))
    }

    /// `span.attributes[k] = v` edits the attributes in place, outside the lock; sets made at the
    /// same time from other threads must all be kept.
    @Test func attributesSetFromManyThreadsAreAllKept() throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let tracer = GammaTracer(recorder: f.recorder)
        let span = tracer.startSpan("shared", context: .topLevel)
        runOnThreads(4) { t in
            for k in 0..<500 { span.attributes["t\(t).k\(k)"] = k }
        }
        span.end()
        let s = try #require(try f.close().compactMap(\.span).first)
        #expect(s.attributes.count == 2000)
        #expect(s.attributes["t3.k499"] == .int(499))
    }

    /// Parent/child links hold across sync and async code, through the task-local context.
    @Test func parentsComeFromTheTaskLocalContextInSyncAndAsyncCode() async throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let tracer = GammaTracer(recorder: f.recorder)
        try await tracer.withSpan("agent.run") { root in
            tracer.withSpan("llm.call") { _ in }
            try await tracer.withSpan("tool.search") { _ in
                try await Task.sleep(nanoseconds: 1000)
                await withTaskGroup(of: Void.self) { group in
                    for i in 0..<3 { group.addTask { tracer.withSpan("tool.http_get.\(i)") { _ in } } }
                }
            }
            #expect(root.isRecording)
        }
        let spans = try f.close().compactMap(\.span)
        let byName = Dictionary(uniqueKeysWithValues: spans.map { ($0.name, $0) })
        let root = try #require(byName["agent.run"])
        #expect(root.parentSpanID == nil)
        #expect(byName["llm.call"]?.parentSpanID == root.spanID)
        #expect(byName["tool.search"]?.parentSpanID == root.spanID)
        for i in 0..<3 { #expect(byName["tool.http_get.\(i)"]?.parentSpanID == byName["tool.search"]?.spanID) }
        #expect(Set(spans.map(\.traceID)).count == 1)
        #expect(Set(spans.map(\.spanID)).count == spans.count)
    }

    @Test func withSpanRecordsThrownErrorsAsExceptionEvents() throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let tracer = GammaTracer(recorder: f.recorder)
        #expect(throws: Failure.self) { try tracer.withSpan("tool.calc") { _ in throw Failure() } }
        let span = try #require(try f.close().compactMap(\.span).first)
        #expect(span.events.map(\.name) == ["exception"])
        #expect(span.events.first?.attributes["exception.message"] == .string("the tool failed"))
    }

    /// A trace spread over two processes joins up through traceparent.
    @Test func traceparentInjectAndExtractJoinTracesAcrossProcesses() throws {
        let a = try RecorderFixture(), b = try RecorderFixture()
        defer { a.dir.remove(); b.dir.remove() }
        let client = GammaTracer(recorder: a.recorder), server = GammaTracer(recorder: b.recorder)
        var headers: [String: String] = [:]
        let outgoing = client.startSpan("http.request", context: .topLevel, ofKind: .client)
        client.inject(outgoing.context, into: &headers, using: DictionaryInjector())
        #expect(
            headers["traceparent"]
                == "00-\(Hex.string(outgoing.traceID, digits: 32))-\(Hex.string(UInt128(outgoing.spanID), digits: 16))-01"
        )
        var incoming = InstrumentationContext.topLevel
        server.extract(headers, into: &incoming, using: DictionaryExtractor())
        let handler = server.startSpan("http.handle", context: incoming, ofKind: .server)
        handler.end()
        outgoing.end()
        let serverSpan = try #require(try b.close().compactMap(\.span).first)
        let clientSpan = try #require(try a.close().compactMap(\.span).first)
        #expect(serverSpan.traceID == clientSpan.traceID)
        #expect(serverSpan.parentSpanID == clientSpan.spanID)
    }

    @Test(arguments: [
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", true),
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", true),
        ("00-00000000000000000000000000000000-b7ad6b7169203331-01", false),
        ("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", false),
        ("00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01", false),
        ("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", false),
        ("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", false),
        ("01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra", true),
        ("garbage", false)
    ])
    func traceparentParsingFollowsW3C(_ header: String, valid: Bool) {
        #expect((GammaSpanContext(traceparent: header) != nil) == valid)
    }

    /// At shutdown, spans still open are recorded and marked unfinished, never lost.
    @Test func openSpansAtShutdownAreRecordedUnfinished() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let clock = ManualClock(start: 1_000)
        let recorder = try LogRecorder(directory: dir.path, clock: clock)
        let system = GammaSystem(
            recorder: recorder, timeSource: .recorderClock, sampleInterval: nil, directory: dir.path)
        let root = system.tracer.startSpan("agent.run", context: .topLevel)
        _ = system.tracer.startSpan("llm.call", context: root.context)
        let done = system.tracer.startSpan("tool.clock", context: root.context)
        clock.advance(by: 10)
        done.end()
        clock.advance(by: 90)
        #expect(system.tracer.openSpanCount == 2)
        try system.shutdown()
        let spans = try recordsIn(dir.path).compactMap(\.span)
        #expect(spans.count == 3)
        #expect(spans.filter(\.unfinished).map(\.name).sorted() == ["agent.run", "llm.call"])
        #expect(spans.filter(\.unfinished).allSatisfy { $0.end == 1_100 })
        #expect(spans.first { $0.name == "tool.clock" }?.unfinished == false)
    }

    @Test func attributesAreRedactedAndTruncated() throws {
        var redaction = Redaction()
        redaction.maxValueBytes = 10
        let f = try RecorderFixture(redaction: redaction)
        defer { f.dir.remove() }
        let tracer = GammaTracer(recorder: f.recorder)
        let span = tracer.startSpan("s", context: .topLevel)
        span.attributes["http.request.header.authorization"] = "Bearer xyz"
        span.attributes["OPENAI_API_KEY"] = "sk-123"
        span.attributes["db.password"] = "hunter2"
        span.attributes["note"] = "0123456789ABCDEF"
        span.attributes["gen_ai.prompt"] = "tell me a secret"
        span.attributes["gen_ai.request.model"] = "m"
        span.attributes["oauth.access_token"] = "abc"
        span.attributes["gen_ai.usage.input_tokens"] = 12
        span.end()
        let s = try #require(try f.close().compactMap(\.span).first)
        #expect(s.attributes["oauth.access_token"] == .string("[REDACTED]"))
        #expect(s.attributes["gen_ai.usage.input_tokens"] == .int(12))
        #expect(s.attributes["http.request.header.authorization"] == .string("[REDACTED]"))
        #expect(s.attributes["OPENAI_API_KEY"] == .string("[REDACTED]"))
        #expect(s.attributes["db.password"] == .string("[REDACTED]"))
        #expect(s.attributes["note"] == .string("0123456789…[truncated 6 bytes]"))
        #expect(s.attributes["gen_ai.prompt"] == .string("[NOT CAPTURED]"))
        #expect(s.attributes["gen_ai.request.model"] == .string("m"))
    }

    @Test func promptsAreKeptWhenCaptureIsOn() throws {
        var redaction = Redaction()
        redaction.capturePrompts = true
        let f = try RecorderFixture(redaction: redaction)
        defer { f.dir.remove() }
        let span = GammaTracer(recorder: f.recorder).startSpan("s", context: .topLevel)
        span.attributes["gen_ai.prompt"] = "hello"
        span.end()
        #expect(try f.close().compactMap(\.span).first?.attributes["gen_ai.prompt"] == .string("hello"))
    }
}
