extension Workload {
    /// The workload as the YAML file ``Workload/load(path:)`` reads back (samples/profiles holds
    /// the presets written this way).
    public var yaml: String {
        let w = self
        func number(_ d: Double) -> String { d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d) }
        func duration(_ nanos: Int64) -> String {
            if nanos % 3_600_000_000_000 == 0 { return "\(nanos / 3_600_000_000_000)h" }
            if nanos % 60_000_000_000 == 0 { return "\(nanos / 60_000_000_000)m" }
            if nanos % 1_000_000_000 == 0 { return "\(nanos / 1_000_000_000)s" }
            return "\(nanos / 1_000_000)ms"
        }
        func timeOfDay(_ nanos: Int64) -> String {
            let s = nanos / 1_000_000_000
            func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
            return s % 60 == 0
                ? "\(two(s / 3600)):\(two(s / 60 % 60))" : "\(two(s / 3600)):\(two(s / 60 % 60)):\(two(s % 60))"
        }
        func quoted(_ s: String) -> String {
            "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
        }
        let m = w.model
        var out = """
            # A gamma-agent workload: gamma-agent simulate --profile FILE (docs/AGENT.md).
            name: \(w.name)
            description: \(quoted(w.description))
            # Runs arriving per hour at the start of each hour of the day, UTC, 00:00 to 23:00;
            # the rate moves linearly in between.
            runs_per_hour: [\(w.runsPerHour.map(number).joined(separator: ", "))]
            model:
              median_latency: \(duration(Int64((m.medianLatency * 1000).rounded()) * 1_000_000))
              latency_sigma: \(number(m.latencySigma))
              rate_limit_rate: \(number(m.rateLimitRate))
              timeout_rate: \(number(m.timeoutRate))
              malformed_arguments_rate: \(number(m.malformedArgumentsRate))
              tool_error_rate: \(number(m.toolErrorRate))
              follow_up_rate: \(number(m.followUpRate))

            """
        if w.incidents.isEmpty {
            out += "incidents: []\n"
        } else {
            out += "# Windows of each day (UTC) when something goes wrong.\nincidents:\n"
            for i in w.incidents {
                out += "  - kind: \(i.name)\n    at: \"\(timeOfDay(i.start))\"\n    for: \(duration(i.duration))\n"
                switch i.kind {
                case .latencySpike(let factor): out += "    factor: \(number(factor))\n"
                case .toolErrors(let tool, let rate):
                    if let tool { out += "    tool: \(tool)\n" }
                    out += "    rate: \(number(rate))\n"
                case .modelOutage: break
                }
            }
        }
        return out
    }
}
