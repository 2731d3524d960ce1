import GammaAgent
import GammaNet
import GammaTestKit
import GammaTestSupport
import CoreMetrics
import Tracing
import GammaModel
import Testing

/// The chat-completions client against a stub server on loopback that speaks the API.
@Suite struct OpenAICompatibleModelTests {
    static func completion(content: String?, toolCalls: String? = nil) -> String {
        let message =
            toolCalls.map { #"{"role":"assistant","content":null,"tool_calls":\#($0)}"# }
            ?? #"{"role":"assistant","content":"\#(content ?? "")"}"#
        return
            #"{"id":"c1","object":"chat.completion","model":"stub-1","choices":[{"index":0,"message":\#(message),"finish_reason":"stop"}],"usage":{"prompt_tokens":42,"completion_tokens":7}}"#
    }

    /// A virtual clock: backoffs pass without sleeping, and the test sees how long they were.
    static func model(
        _ server: StubHTTPServer, timeout: Double = 5, retries: Int = 3, clock: ManualClock = ManualClock(start: 0)
    ) -> OpenAICompatibleModel {
        OpenAICompatibleModel(
            baseURL: server.baseURL + "/v1/", model: "stub", apiKeyVariable: "GAMMA_TEST_NO_SUCH_KEY",
            timeout: timeout, retries: retries, backoff: 0.5, clock: clock)
    }

    @Test func aToolCallRoundTripThroughTheAgent() async throws {
        let server = StubHTTPServer { request, n in
            n == 0
                ? .respond(
                    status: 200,
                    body: Self.completion(
                        content: nil,
                        toolCalls:
                            #"[{"id":"call_9","type":"function","function":{"name":"calculator","arguments":"{\"expression\":\"6 * 7\"}"}}]"#
                    ))
                : .respond(status: 200, body: Self.completion(content: "The answer is 42."))
        }
        defer { server.stop() }
        let clock = ManualClock(start: 0)
        let agent = Agent(
            model: Self.model(server, clock: clock), tools: [CalculatorTool()], clock: clock,
            metrics: NOOPMetricsHandler.instance, tracer: NoOpTracer())
        let outcome = await agent.run("What is 6 * 7?")
        #expect(
            outcome.ending == .answered && outcome.answer == "The answer is 42." && outcome.toolCalls == 1
                && outcome.toolErrors == 0)
        let requests = server.requests
        #expect(requests.count == 2)
        #expect(
            requests.allSatisfy {
                $0.method == "POST" && $0.path == "/v1/chat/completions"
                    && $0.headers["content-type"] == "application/json"
            })
        #expect(requests.allSatisfy { $0.headers["authorization"] == nil })  // no key in the environment, none sent
        // The first request offers the tool with its schema; the second carries the call and its result.
        #expect(requests[0].text.contains(#""name":"calculator""#) && requests[0].text.contains(#""parameters":{"#))
        #expect(requests[1].text.contains(#""tool_call_id":"call_9""#) && requests[1].text.contains(#""content":"42""#))
        #expect(requests[1].text.contains(#""tool_calls":[{"#))
    }

    @Test func rateLimitedThenSuccessRetriesAfterTheServersWait() async throws {
        let server = StubHTTPServer { _, n in
            n == 0
                ? .respond(status: 429, headers: [("Retry-After", "2")], body: #"{"error":{"message":"slow down"}}"#)
                : .respond(status: 200, body: Self.completion(content: "ok"))
        }
        defer { server.stop() }
        let clock = ManualClock(start: 0)
        let reply = try await Self.model(server, clock: clock).complete(
            [ChatMessage(role: .user, content: "hi")], tools: [])
        #expect(
            reply.message.content == "ok" && reply.inputTokens == 42 && reply.outputTokens == 7
                && reply.model == "stub-1")
        #expect(server.requests.count == 2)
        #expect(clock.now() == 2_000_000_000)  // waited as Retry-After said
    }

    @Test func serverErrorsAreRetriedWithBackoffThenReported() async throws {
        let server = StubHTTPServer { _, _ in .respond(status: 503, body: #"{"error":{"message":"overloaded"}}"#) }
        defer { server.stop() }
        let clock = ManualClock(start: 0)
        await #expect(throws: ModelError.server(status: 503, message: "overloaded")) {
            try await Self.model(server, retries: 2, clock: clock).complete(
                [ChatMessage(role: .user, content: "hi")], tools: [])
        }
        #expect(server.requests.count == 3)
        // Two backoffs: 0.5 s and 1 s, each within ±25%.
        #expect((1_125_000_000...1_875_000_000).contains(clock.now()))
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let server = StubHTTPServer { _, _ in .respond(status: 400, body: #"{"error":{"message":"unknown model"}}"#) }
        defer { server.stop() }
        await #expect(throws: ModelError.server(status: 400, message: "unknown model")) {
            try await Self.model(server).complete([ChatMessage(role: .user, content: "hi")], tools: [])
        }
        #expect(server.requests.count == 1)
    }

    @Test func aServerThatNeverAnswersTimesOut() async throws {
        let server = StubHTTPServer { _, _ in .hang }
        defer { server.stop() }
        let started = ContinuousClock.now
        await #expect(throws: ModelError.timeout) {
            try await Self.model(server, timeout: 0.5).complete([ChatMessage(role: .user, content: "hi")], tools: [])
        }
        let waited = ContinuousClock.now - started
        #expect(waited >= .milliseconds(450) && waited < .seconds(120))  // generous: blocking tests running beside it can hold up the resumption; without the deadline it would never return
    }

    static let malformed: [(body: String, message: String)] = [
        ("<html>502 Bad Gateway</html>", "not JSON: <html>502 Bad Gateway</html>"),
        (#"{"id":"x"}"#, "'choices' is missing"),
        (#"{"choices":[]}"#, "'choices' is empty"),
        (#"{"choices":[{"message":{"role":"assistant"}}]}"#, "the message has neither content nor tool calls"),
        (#"{"choices":[{"message":{"content":7}}]}"#, "'choices.Index 0.message.content' has the wrong type"),
        (
            #"{"choices":[{"message":{"tool_calls":[{"id":"a","function":{"name":"x"}}]}}]}"#,
            "'choices.Index 0.message.tool_calls.Index 0.function.arguments' is missing"
        )
    ]

    @Test(arguments: malformed.indices) func aMalformedBodyIsAClearError(_ i: Int) async throws {
        let (body, message) = Self.malformed[i]
        let server = StubHTTPServer { _, _ in .respond(status: 200, body: body) }
        defer { server.stop() }
        await #expect(throws: ModelError.malformedResponse(message)) {
            try await Self.model(server).complete([ChatMessage(role: .user, content: "hi")], tools: [])
        }
    }

    @Test func aRefusedConnectionIsATransportError() async throws {
        let server = StubHTTPServer { _, _ in .drop }
        let port = server.port
        server.stop()
        let model = OpenAICompatibleModel(
            baseURL: "http://127.0.0.1:\(port)/v1", model: "stub", timeout: 2, retries: 0, clock: ManualClock(start: 0))
        do {
            _ = try await model.complete([ChatMessage(role: .user, content: "hi")], tools: [])
            Issue.record("no error")
        } catch {
            #expect(error.kind == "transport")
        }
    }
}

@Suite struct HTTPGetToolTests {
    @Test func fetchesTextAndRefusesWhatItCannotFetch() async throws {
        let server = StubHTTPServer { request, _ in
            request.path == "/doc"
                ? .respond(status: 200, headers: [("Content-Type", "text/plain")], body: "hello from the stub")
                : .respond(status: 404, body: "not here")
        }
        defer { server.stop() }
        let tool = HTTPGetTool(timeout: 5, policy: .init(allowPrivate: true))  // the stub is on loopback
        #expect(
            try await tool.run(ToolArguments(json: #"{"url":"\#(server.baseURL)/doc"}"#))
                == "HTTP 200\nhello from the stub")
        await #expect(throws: ToolError("GET \(server.baseURL)/nope: the server answered 404: not here")) {
            try await tool.run(ToolArguments(json: #"{"url":"\#(server.baseURL)/nope"}"#))
        }
        await #expect(throws: ToolError("GET file:///etc/passwd: 'file:///etc/passwd' is not an http or https URL")) {
            try await tool.run(ToolArguments(json: #"{"url":"file:///etc/passwd"}"#))
        }
    }

    @Test func timesOut() async throws {
        let server = StubHTTPServer { _, _ in .hang }
        defer { server.stop() }
        await #expect(throws: ToolError("GET \(server.baseURL)/slow: no response within 0.3 s")) {
            try await HTTPGetTool(timeout: 0.3, policy: .init(allowPrivate: true)).run(
                ToolArguments(json: #"{"url":"\#(server.baseURL)/slow"}"#))
        }
    }
}
