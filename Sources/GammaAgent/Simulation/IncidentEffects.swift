public import GammaModel
/// A model during a workload's incidents: an outage fails every call with HTTP 503 after a
/// short wait, and a latency spike multiplies the call's latency (the wrapped model must let
/// its own latency pass on the same clock, as ``ScriptedModel`` does when given one). Outside incidents it is the
/// model it wraps.
public struct IncidentModel<Base: LanguageModel>: LanguageModel {
    public let base: Base
    public let workload: Workload
    public let clock: any EpochClock

    public init(_ base: Base, workload: Workload, clock: any EpochClock) {
        self.base = base
        self.workload = workload
        self.clock = clock
    }

    public var name: String { base.name }

    public func complete(_ messages: [ChatMessage], tools: [ToolSpec]) async throws(ModelError) -> ModelReply {
        let active = workload.incidents(at: clock.now())
        if active.contains(where: { $0.kind == .modelOutage }) {
            await clock.pass(250_000_000)  // the gateway's answer takes a moment
            throw .server(status: 503, message: "service unavailable (simulated model outage)")
        }
        var reply = try await base.complete(messages, tools: tools)
        for incident in active {
            guard case .latencySpike(let factor) = incident.kind else { continue }
            let slower = Int64(Double(reply.latency) * factor)
            await clock.pass(slower - reply.latency)  // the base model let its own latency pass already
            reply.latency = slower
        }
        return reply
    }
}

/// A tool as a simulation runs it: the real tool does the work, and the call takes a simulated
/// time on the clock, log-normal around the tool's typical latency (calculator 1 ms, clock
/// 0.5 ms, read_file 3 ms, search 12 ms, http_get 180 ms, others 5 ms; sigma 0.4). During a
/// workload's `tool_errors` incidents each call fails with the incident's probability. The
/// randomness comes from the seed, the time and the arguments, so a simulation repeats.
public struct SimulatedTool: AgentTool {
    public let base: any AgentTool
    public let workload: Workload
    public let clock: any EpochClock
    public let seed: UInt64

    public init(_ base: any AgentTool, workload: Workload, clock: any EpochClock, seed: UInt64) {
        self.base = base
        self.workload = workload
        self.clock = clock
        self.seed = seed
    }

    public var name: String { base.name }
    public var description: String { base.description }
    public var parameters: String { base.parameters }

    static let medianLatency: [String: Double] = [
        "calculator": 0.001, "clock": 0.0005, "read_file": 0.003, "search": 0.012, "http_get": 0.18
    ]

    public func run(_ arguments: ToolArguments) async throws(ToolError) -> String {
        let now = clock.now()
        var rng = ScriptedModel.Random(
            seed: seed ^ UInt64(bitPattern: now) &* 0xA24B_AED4_963E_E407 ^ ScriptedModel.fnv(arguments.json, seed: 0))
        let latency = rng.logNormal(median: Self.medianLatency[base.name] ?? 0.005, sigma: 0.4)
        await clock.pass(Int64(latency * 1e9))
        for incident in workload.incidents(at: now) {
            guard case .toolErrors(let tool, let rate) = incident.kind, tool == nil || tool == base.name else {
                continue
            }
            if rng.uniform() < rate { throw ToolError("upstream unavailable (simulated \(base.name) outage)") }
        }
        return try await base.run(arguments)
    }
}
