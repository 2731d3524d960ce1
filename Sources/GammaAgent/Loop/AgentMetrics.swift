public import GammaModel

/// The names the agent and a simulation record, with their kind, unit and help: a recorder can
/// declare them all before the first run, so every segment's head says what they are.
public enum AgentMetrics {
    /// The recorded unit of each metric that declares one (for names and scaling as exposed).
    public static var units: [String: String] {
        Dictionary(declarations.compactMap { d in d.unit.map { (d.name, $0) } }, uniquingKeysWith: { a, _ in a })
    }

    public struct Declaration: Sendable {
        public var name: String
        public var kind: MetricKind
        public var unit: String?
        public var help: String
    }

    public static let declarations: [Declaration] = [
        .init(name: "agent.runs.total", kind: .counter, unit: nil, help: "agent runs started"),
        .init(name: "agent.iterations.total", kind: .counter, unit: nil, help: "model calls made by agent runs"),
        .init(name: "agent.run_duration_ms", kind: .histogram, unit: "ms", help: "duration of an agent run"),
        .init(name: "agent.errors.total", kind: .counter, unit: nil, help: "agent runs that failed, by error"),
        .init(
            name: "llm.latency_ms", kind: .histogram, unit: "ms", help: "duration of a model call, failed ones included"
        ),
        .init(
            name: "gen_ai.client.token.usage", kind: .histogram, unit: "{token}",
            help: "tokens used per model call, by gen_ai.token.type"),
        .init(name: "tools.calls.total", kind: .counter, unit: nil, help: "tool calls, by tool"),
        .init(name: "tools.execution_time_ms", kind: .histogram, unit: "ms", help: "duration of a tool call, by tool"),
        .init(name: "tools.errors.total", kind: .counter, unit: nil, help: "failed tool calls, by tool and error"),
        .init(name: "system.cpu_percent", kind: .gauge, unit: "percent", help: "CPU busy, all cores"),
        .init(
            name: "process.cpu_percent", kind: .gauge, unit: "percent",
            help: "CPU used by the agent's process, share of all cores"),
        .init(name: "system.memory_percent", kind: .gauge, unit: "percent", help: "memory not available"),
        .init(name: "system.memory_mb", kind: .gauge, unit: "MB", help: "memory not available"),
        .init(name: "process.rss_mb", kind: .gauge, unit: "MB", help: "resident set size of the agent's process"),
        .init(
            name: "system.disk_percent", kind: .gauge, unit: "percent",
            help: "used space of the log folder's file system")
    ]
}
