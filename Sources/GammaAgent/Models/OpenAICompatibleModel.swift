public import GammaModel
import GammaNet
import Foundation

/// A model behind the OpenAI chat-completions API with tool calling, as local servers speak it
/// (llama.cpp's server, Ollama, vLLM): `POST {baseURL}/chat/completions`.
///
/// - The API key, if any, is read from an environment variable (never from a flag, and never
///   written anywhere) and sent as a bearer token.
/// - Each attempt has a deadline (``timeout``). HTTP 429 and 5xx are retried up to ``retries``
///   times, after a backoff that doubles from ``backoff`` (at most 8 s), or after the server's
///   `Retry-After` (at most 30 s). The waits pass on ``clock``.
/// - A response that is not a chat completion becomes ``ModelError/malformedResponse(_:)``
///   naming what was wrong.
public struct OpenAICompatibleModel: LanguageModel {
    public let baseURL: String
    public let name: String
    public var timeout: Double
    public var retries: Int
    /// The first backoff, in seconds.
    public var backoff: Double
    public let clock: any EpochClock
    let apiKey: String?

    /// - Parameters:
    ///   - baseURL: the API's root, such as `http://127.0.0.1:8080/v1`.
    ///   - apiKeyVariable: the environment variable holding the key; unset or empty sends none.
    public init(
        baseURL: String, model: String, apiKeyVariable: String = "OPENAI_API_KEY", timeout: Double = 60,
        retries: Int = 3, backoff: Double = 0.5, clock: any EpochClock = SystemClock()
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.name = model
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.clock = clock
        let key = ProcessInfo.processInfo.environment[apiKeyVariable]
        apiKey = key?.isEmpty == false ? key : nil
    }

    public func complete(_ messages: [ChatMessage], tools: [ToolSpec]) async throws(ModelError) -> ModelReply {
        let body = try Self.requestBody(model: name, messages: messages, tools: tools)
        var headers = [("Content-Type", "application/json"), ("Accept", "application/json")]
        if let apiKey { headers.append(("Authorization", "Bearer \(apiKey)")) }
        let client = HTTPClient(timeout: timeout)
        let started = clock.now()
        var attempt = 0
        while true {
            let response: HTTPResponse
            do throws(HTTPError) {
                response = try await client.send("POST", baseURL + "/chat/completions", headers: headers, body: body)
            } catch {
                switch error {
                case .timeout: throw .timeout
                default: throw .transport("\(baseURL): \(error)")
                }
            }
            if response.status == 200 {
                var reply = try Self.parseReply(response.body, requestedModel: name)
                reply.latency = clock.now() - started
                return reply
            }
            let retryable = response.status == 429 || (500..<600).contains(response.status)
            let failure: ModelError =
                response.status == 429
                ? .rateLimited(retryAfter: Self.retryAfter(response.headers["retry-after"]))
                : .server(status: response.status, message: Self.errorMessage(response.body))
            guard retryable, attempt < retries else { throw failure }
            var wait = min(8, backoff * Double(1 << min(attempt, 20))) * (0.75 + 0.5 * Double.random(in: 0..<1))
            if case .rateLimited(let after?) = failure { wait = min(30, Double(after) / 1e9) }
            attempt += 1
            await clock.pass(Int64(wait * 1e9))
        }
    }

    /// `Retry-After` in seconds (the HTTP-date form is not used by these servers) as nanoseconds.
    static func retryAfter(_ value: String?) -> Int64? {
        guard let value, let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0,
            seconds < 86_400
        else { return nil }
        return Int64(seconds * 1e9)
    }

    /// The server's error message (`{"error":{"message":…}}`), or the start of the body.
    static func errorMessage(_ body: [UInt8]) -> String {
        struct Envelope: Decodable { struct Inner: Decodable { var message: String? }; var error: Inner? }
        if let e = try? JSONDecoder().decode(Envelope.self, from: Data(body)), let m = e.error?.message { return m }
        return String(String(decoding: body, as: UTF8.self).prefix(200))
    }

    static func requestBody(model: String, messages: [ChatMessage], tools: [ToolSpec]) throws(ModelError) -> [UInt8] {
        var wire: [[String: Any]] = []
        for m in messages {
            var entry: [String: Any] = ["role": m.role.rawValue, "content": m.content]
            if !m.toolCalls.isEmpty {
                entry["tool_calls"] = m.toolCalls.map {
                    ["id": $0.id, "type": "function", "function": ["name": $0.name, "arguments": $0.arguments]]
                }
                if m.content.isEmpty { entry["content"] = NSNull() }
            }
            if let id = m.toolCallID { entry["tool_call_id"] = id }
            wire.append(entry)
        }
        var request: [String: Any] = ["model": model, "messages": wire]
        if !tools.isEmpty {
            var specs: [[String: Any]] = []
            for tool in tools {
                guard let schema = try? JSONSerialization.jsonObject(with: Data(tool.parameters.utf8)) else {
                    throw .malformedResponse("the parameters of tool '\(tool.name)' are not JSON")  // a programming error, reported plainly
                }
                specs.append([
                    "type": "function",
                    "function": ["name": tool.name, "description": tool.description, "parameters": schema]
                ])
            }
            request["tools"] = specs
        }
        guard let data = try? JSONSerialization.data(withJSONObject: request, options: [.sortedKeys]) else {
            throw .malformedResponse("the request could not be encoded")
        }
        return [UInt8](data)
    }

    struct Completion: Decodable {
        struct Choice: Decodable {
            struct Message: Decodable {
                struct Call: Decodable {
                    struct Function: Decodable { var name: String; var arguments: String }
                    var id: String?
                    var function: Function
                }
                var content: String?
                var tool_calls: [Call]?
            }
            var message: Message
        }
        struct Usage: Decodable { var prompt_tokens: Int?; var completion_tokens: Int? }
        var model: String?
        var choices: [Choice]
        var usage: Usage?
    }

    /// The reply in a chat-completion body, or what is wrong with the body.
    static func parseReply(_ body: [UInt8], requestedModel: String) throws(ModelError) -> ModelReply {
        let completion: Completion
        do {
            completion = try JSONDecoder().decode(Completion.self, from: Data(body))
        } catch let DecodingError.keyNotFound(key, context) {
            throw .malformedResponse(
                "'\((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))' is missing")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw .malformedResponse(
                "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type")
        } catch {
            throw .malformedResponse("not JSON: \(String(decoding: body.prefix(120), as: UTF8.self))")
        }
        guard let choice = completion.choices.first else { throw .malformedResponse("'choices' is empty") }
        let calls = (choice.message.tool_calls ?? []).enumerated().map { i, c in
            ToolCall(id: c.id ?? "call_\(i)", name: c.function.name, arguments: c.function.arguments)
        }
        guard choice.message.content != nil || !calls.isEmpty else {
            throw .malformedResponse("the message has neither content nor tool calls")
        }
        return ModelReply(
            message: ChatMessage(role: .assistant, content: choice.message.content ?? "", toolCalls: calls),
            model: completion.model ?? requestedModel,
            inputTokens: completion.usage?.prompt_tokens ?? 0, outputTokens: completion.usage?.completion_tokens ?? 0,
            latency: 0)
    }
}
