/// One message of a conversation, in the shape of the chat-completions API.
public struct ChatMessage: Sendable, Equatable {
    public enum Role: String, Sendable { case system, user, assistant, tool }

    public var role: Role
    public var content: String
    /// The tools an assistant message asks for.
    public var toolCalls: [ToolCall]
    /// For a tool message: the call it answers.
    public var toolCallID: String?

    public init(role: Role, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }
}

/// A tool call the model asked for; `arguments` is the JSON text it wrote (possibly malformed).
public struct ToolCall: Sendable, Equatable {
    public var id: String
    public var name: String
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// What a tool looks like to the model.
public struct ToolSpec: Sendable, Equatable {
    public var name: String
    public var description: String
    public var parameters: String

    public init(_ tool: some AgentTool) {
        name = tool.name
        description = tool.description
        parameters = tool.parameters
    }
}

/// A model's answer: the assistant message, the tokens it used, and how long the call took.
/// A model lets its latency pass on its own clock (a simulated model on a virtual one); the
/// agent measures the call on the agent's clock.
public struct ModelReply: Sendable, Equatable {
    public var message: ChatMessage
    public var model: String
    public var inputTokens: Int
    public var outputTokens: Int
    public var latency: Int64

    public init(message: ChatMessage, model: String, inputTokens: Int, outputTokens: Int, latency: Int64) {
        self.message = message
        self.model = model
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.latency = latency
    }
}

/// Why a model call failed.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// HTTP 429: too many requests; retry after this many nanoseconds, if the server said.
    case rateLimited(retryAfter: Int64?)
    case timeout
    /// HTTP 5xx (or another unexpected status), with what the server said.
    case server(status: Int, message: String)
    /// The response could not be read as a chat completion: what was wrong with it.
    case malformedResponse(String)
    /// The connection failed.
    case transport(String)

    public var description: String {
        switch self {
        case .rateLimited(let r): return "rate limited" + (r.map { ", retry after \(Double($0) / 1e9) s" } ?? "")
        case .timeout: return "the model did not answer in time"
        case .server(let s, let m): return "the server answered \(s): \(m)"
        case .malformedResponse(let m): return "malformed response: \(m)"
        case .transport(let m): return "connection failed: \(m)"
        }
    }

    /// The `error` label of `agent.errors.total` and of error spans.
    public var kind: String {
        switch self {
        case .rateLimited: return "rate_limited"
        case .timeout: return "timeout"
        case .server: return "server_error"
        case .malformedResponse: return "malformed_response"
        case .transport: return "transport"
        }
    }
}

/// A chat model with tool calling.
public protocol LanguageModel: Sendable {
    /// The model's name, as `gen_ai.request.model`.
    var name: String { get }
    func complete(_ messages: [ChatMessage], tools: [ToolSpec]) async throws(ModelError) -> ModelReply
}
