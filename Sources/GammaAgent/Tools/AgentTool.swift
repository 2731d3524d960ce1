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
            if let b = try? c.decode(Bool.self) {
                self = .bool(b)
            } else if let n = try? c.decode(Double.self) {
                self = .number(n)
            } else if let s = try? c.decode(String.self) {
                self = .string(s)
            } else {
                self = .other
            }
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
        guard case .string(let s)? = values[key] else {
            throw ToolError("malformed arguments: '\(key)' must be a string")
        }
        return s
    }

    public func optionalInt(_ key: String) throws(ToolError) -> Int? {
        guard let v = values[key] else { return nil }
        guard case .number(let n) = v, n == n.rounded(), abs(n) < 1e9 else {
            throw ToolError("malformed arguments: '\(key)' must be an integer")
        }
        return Int(n)
    }
}
