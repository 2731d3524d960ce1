import GammaAgent
import GammaModel
import GammaNet
import GammaRecorder
import GammaTestKit
import GammaTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `http_get` reaches only the public network unless told otherwise: the decision is made on the
/// addresses a name resolves to, the connection goes to the checked address, and every redirect
/// hop is checked again.
@Suite struct HTTPGetPolicyTests {
    @Test(arguments: [
        ("127.0.0.1", "loopback"), ("127.8.9.10", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"),
        ("172.16.0.1", "private"), ("172.31.255.255", "private"), ("192.168.1.1", "private"), ("100.64.0.1", "private"),
        ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("fd00::1", "private"), ("fc00::1", "private"),
        ("0.0.0.0", "unspecified"), ("::", "unspecified"), ("224.0.0.1", "multicast"), ("ff02::1", "multicast"),
        ("::ffff:127.0.0.1", "loopback"), ("::ffff:169.254.169.254", "link-local"), ("255.255.255.255", "reserved")
    ])
    func nonPublicAddressesAreNamed(_ text: String, _ kind: String) throws {
        #expect(try #require(NetworkAddress(text)).nonPublicKind == kind, "\(text)")
    }

    @Test(arguments: [
        "8.8.8.8", "1.1.1.1", "172.15.0.1", "172.32.0.1", "100.128.0.1", "169.253.0.1", "2606:4700::1111",
        "::ffff:8.8.8.8"
    ])
    func publicAddressesPass(_ text: String) throws {
        #expect(try #require(NetworkAddress(text)).nonPublicKind == nil, "\(text)")
    }

    @Test func aLoopbackServerIsRefusedByDefaultAndReachedWhenAllowed() async throws {
        let server = StubHTTPServer { _, _ in .respond(status: 200, body: "secret admin page") }
        defer { server.stop() }
        let refused = HTTPGetTool(timeout: 5)
        for (url, refusal) in [
            (server.baseURL + "/admin", "loopback address 127.0.0.1 (127.0.0.1)"),
            ("http://localhost:\(server.port)/admin", "loopback address 127.0.0.1 (localhost)"),
            ("http://[::ffff:127.0.0.1]:\(server.port)/", "loopback address ::ffff:127.0.0.1 (::ffff:127.0.0.1)")
        ] {
            await #expect(throws: ToolError("GET \(url): refused: \(refusal)", kind: "refused")) {
                try await refused.run(ToolArguments(json: #"{"url":"\#(url)"}"#))
            }
        }
        #expect(server.requests.isEmpty, "nothing reached the server")
        let privateAllowed = HTTPGetTool(timeout: 5, policy: .init(allowPrivate: true))
        #expect(
            try await privateAllowed.run(ToolArguments(json: #"{"url":"\#(server.baseURL)/admin"}"#))
                == "HTTP 200\nsecret admin page")
        let hostAllowed = HTTPGetTool(timeout: 5, policy: .init(allowedHosts: ["LocalHost"]))
        #expect(
            try await hostAllowed.run(ToolArguments(json: #"{"url":"http://localhost:\#(server.port)/a"}"#))
                == "HTTP 200\nsecret admin page")
    }

    @Test func aRedirectFromAnAllowedHostToAPrivateAddressIsRefused() async throws {
        let inner = StubHTTPServer { _, _ in .respond(status: 200, body: "cloud credentials") }
        defer { inner.stop() }
        let outer = StubHTTPServer { request, _ in
            request.path == "/go"
                ? .respond(
                    status: 302, headers: [("Location", "http://localhost:\(inner.port)/latest/meta-data")], body: "")
                : .respond(status: 200, headers: [], body: "ok")
        }
        defer { outer.stop() }
        // 127.0.0.1 is allowed by name; the redirect names localhost, which is not, and resolves to loopback.
        let tool = HTTPGetTool(timeout: 5, policy: .init(allowedHosts: ["127.0.0.1"]))
        await #expect(
            throws: ToolError(
                "GET \(outer.baseURL)/go: refused: loopback address 127.0.0.1 (localhost)", kind: "refused")
        ) {
            try await tool.run(ToolArguments(json: #"{"url":"\#(outer.baseURL)/go"}"#))
        }
        #expect(inner.requests.isEmpty, "the redirect's target was never reached")
        // An allowed redirect is followed, relative locations included.
        let relative = StubHTTPServer { request, _ in
            request.path == "/a"
                ? .respond(status: 301, headers: [("Location", "/b")], body: "")
                : .respond(status: 200, body: "at \(request.path)")
        }
        defer { relative.stop() }
        #expect(
            try await HTTPGetTool(timeout: 5, policy: .init(allowPrivate: true)).run(
                ToolArguments(json: #"{"url":"\#(relative.baseURL)/a"}"#))
                == "HTTP 200\nat /b")
    }

    @Test func aRefusalIsCountedAsOneInToolsErrors() async throws {
        let time = ManualClock(start: 1_795_000_000_000_000_000)
        let sink = InMemoryRecordSink()
        let recorder = LogRecorder(sink: sink, clock: time)
        let agent = Agent(
            model: FetchingModel(url: "http://169.254.169.254/latest/meta-data/iam"), tools: [HTTPGetTool(timeout: 2)],
            clock: time,
            metrics: GammaMetricsFactory(recorder: recorder), tracer: GammaTracer(recorder: recorder))
        let outcome = await agent.run("fetch it")
        try recorder.close()
        #expect(outcome.toolErrors == 1)
        #expect(try sink.counterTotal("tools.errors.total", labels: ["tool": "http_get", "error": "refused"]) == 1)
        let span = try #require(try sink.spans(named: "tool.http_get").first)
        #expect(span.statusMessage == "refused")
    }
}

/// A model that asks for one http_get, then answers with what came back.
struct FetchingModel: LanguageModel {
    let url: String
    var name: String { "fetching" }
    func complete(_ messages: [ChatMessage], tools: [ToolSpec]) async throws(ModelError) -> ModelReply {
        if messages.contains(where: { $0.role == .tool }) {
            return ModelReply(
                message: ChatMessage(role: .assistant, content: "done"), model: name, inputTokens: 1, outputTokens: 1,
                latency: 0)
        }
        return ModelReply(
            message: ChatMessage(
                role: .assistant, content: "",
                toolCalls: [ToolCall(id: "c1", name: "http_get", arguments: #"{"url":"\#(url)"}"#)]),
            model: name, inputTokens: 1, outputTokens: 1, latency: 0)
    }
}

/// https through the guarded client: the connection goes to the checked address, TLS verifies the
/// certificate for the URL's host, and chunked bodies and redirects are read.
@Suite(.serialized) struct GuardedHTTPSTests {
    @Test func httpsReachesTheCheckedAddressAndVerifiesTheCertificate() async throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (cert, key) = try TestCertificate.make("127.0.0.1", in: dir)
        let peer = try PythonPeer("https_peer", [cert, key])
        defer { peer.stop() }
        var client = GuardedHTTPClient(policy: .init(allowPrivate: true), timeout: 10)
        client.caFile = cert
        let hello = try await client.get("https://127.0.0.1:\(peer.port)/hello")
        #expect(hello.status == 200 && hello.text == "hello over tls (Host: 127.0.0.1:\(peer.port))")
        #expect(try await client.get("https://127.0.0.1:\(peer.port)/chunked").text == "hello in chunks")
        #expect(try await client.get("https://127.0.0.1:\(peer.port)/redirect").text.hasPrefix("hello over tls"))
        // Without the peer's certificate among the trusted ones, the handshake fails.
        let (other, _) = try TestCertificate.make("example.invalid", in: dir)
        client.caFile = other
        await #expect(throws: HTTPError.transport("TLS with 127.0.0.1: self-signed certificate")) {
            _ = try await client.get("https://127.0.0.1:\(peer.port)/hello")
        }
        // And by default the loopback address is refused before any connection.
        await #expect(throws: HTTPError.refused("loopback address 127.0.0.1 (127.0.0.1)")) {
            _ = try await GuardedHTTPClient().get("https://127.0.0.1:\(peer.port)/hello")
        }
    }
}
