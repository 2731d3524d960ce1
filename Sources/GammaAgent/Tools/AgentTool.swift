import Foundation

/// A tool the model can call: a name, a description and a JSON schema for its arguments (what
/// the model sees), and the work itself. A tool's failure is a ``ToolError`` whose message goes
/// back to the model, as tool output, never a crash.
public protocol AgentTool: Sendable {
    var name: String { get }
    var description: String { get }
    /// The JSON schema of the arguments object.
    var parameters: String { get }
    func run(_ arguments: ToolArguments) async throws(ToolError) -> String
}

/// A tool call's arguments: the JSON object the model wrote, checked field by field.
public struct ToolArguments: Sendable {
    private let values: [String: Value]
    /// The JSON text as the model wrote it.
    public let json: String

    enum Value: Sendable, Decodable {
        case string(String), number(Double), bool(Bool), other

        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .bool(b) }
            else if let n = try? c.decode(Double.self) { self = .number(n) }
            else if let s = try? c.decode(String.self) { self = .string(s) }
            else { self = .other }
        }
    }

    /// Parses the model's JSON text; anything but an object is a malformed call.
    public init(json: String) throws(ToolError) {
        guard let values = try? JSONDecoder().decode([String: Value].self, from: Data(json.utf8)) else {
            throw ToolError("malformed arguments: expected a JSON object, got '\(json.prefix(200))'")
        }
        self.values = values
        self.json = json
    }

    public func string(_ key: String) throws(ToolError) -> String {
        guard case .string(let s)? = values[key] else { throw ToolError("malformed arguments: '\(key)' must be a string") }
        return s
    }

    public func optionalInt(_ key: String) throws(ToolError) -> Int? {
        guard let v = values[key] else { return nil }
        guard case .number(let n) = v, n == n.rounded(), abs(n) < 1e9 else { throw ToolError("malformed arguments: '\(key)' must be an integer") }
        return Int(n)
    }
}

/// The `calculator` tool.
public struct CalculatorTool: AgentTool {
    public let name = "calculator"
    public let description = "Evaluates an arithmetic expression: + - * / % ^, parentheses, pi, e, sqrt, abs, exp, ln, log10, sin, cos, tan, floor, ceil, round, min, max."
    public let parameters = #"{"type":"object","properties":{"expression":{"type":"string","description":"The expression, e.g. (2 + 3) * sqrt(16)"}},"required":["expression"],"additionalProperties":false}"#

    public init() {}

    public func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        let expression = try arguments.string("expression")
        do {
            let v = try Calculator.evaluate(expression)
            return v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String(v)
        } catch {
            throw ToolError("cannot evaluate '\(expression)' \(error)")
        }
    }
}

/// The `clock` tool: the current time from the agent's clock (simulated time in a simulation).
public struct ClockTool: AgentTool {
    public let name = "clock"
    public let description = "Returns the current date and time in UTC (RFC 3339)."
    public let parameters = #"{"type":"object","properties":{},"additionalProperties":false}"#
    let now: @Sendable () -> Int64

    /// - Parameter now: nanoseconds since the Unix epoch.
    public init(now: @escaping @Sendable () -> Int64) { self.now = now }

    public func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: Double(now()) / 1e9))
    }
}

/// The `read_file` tool: a text file inside one folder; traversal is refused.
public struct ReadFileTool: AgentTool {
    public let name = "read_file"
    public let description = "Reads a text file from the agent's document folder (paths relative to it; at most 64 KB)."
    public let parameters = #"{"type":"object","properties":{"path":{"type":"string","description":"A path inside the folder, e.g. notes/todo.md"}},"required":["path"],"additionalProperties":false}"#
    public let root: String

    public init(root: String) { self.root = root }

    public func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        try FileText.read(FileText.confined(arguments.string("path"), to: root), limit: 65_536)
    }
}

/// The `search` tool: BM25 over the document corpus.
public struct SearchTool: AgentTool {
    public let name = "search"
    public let description = "Searches the help documents and returns the best matches with a snippet each."
    public let parameters = #"{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer","minimum":1,"maximum":10}},"required":["query"],"additionalProperties":false}"#
    public let index: SearchIndex

    public init(index: SearchIndex) { self.index = index }

    public func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        let query = try arguments.string("query")
        let limit = try arguments.optionalInt("limit") ?? 3
        guard (1...10).contains(limit) else { throw ToolError("malformed arguments: 'limit' must be between 1 and 10") }
        let hits = index.search(query, limit: limit)
        if hits.isEmpty { return "no document matches '\(query)'" }
        return hits.map { "\($0.document) (score \(String(format: "%.3f", $0.score))): \($0.snippet)" }.joined(separator: "\n")
    }
}
