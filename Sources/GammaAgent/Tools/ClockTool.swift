import Foundation

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
