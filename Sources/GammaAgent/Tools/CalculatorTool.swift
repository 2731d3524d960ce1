import Foundation

/// The `calculator` tool.
public struct CalculatorTool: AgentTool {
    public let name = "calculator"
    public let description =
        "Evaluates an arithmetic expression: + - * / % ^, parentheses, pi, e, sqrt, abs, exp, ln, log10, sin, cos, tan, floor, ceil, round, min, max."
    public let parameters =
        #"{"type":"object","properties":{"expression":{"type":"string","description":"The expression, e.g. (2 + 3) * sqrt(16)"}},"required":["expression"],"additionalProperties":false}"#

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
