public import GammaConfig

/// What a simulation plays: how many runs arrive at each hour of the day, how the model behaves,
/// and the incidents that break things for a while. A YAML or JSON file, or a built-in preset
/// (``Workload/presets``); docs/AGENT.md gives the format.
public struct Workload: Sendable, Equatable {
    public var name: String
    public var description: String
    /// Runs arriving per hour at the start of each hour of the day, UTC (24 values). Between
    /// hour starts the rate moves linearly; arrivals are a Poisson process at that rate.
    public var runsPerHour: [Double]
    public var model: ScriptedModel.Profile
    public var incidents: [Incident]

    public init(
        name: String, description: String = "", runsPerHour: [Double], model: ScriptedModel.Profile = .init(),
        incidents: [Incident] = []
    ) {
        self.name = name
        self.description = description
        self.runsPerHour = runsPerHour
        self.model = model
        self.incidents = incidents
    }

    /// A window of the day when something goes wrong. Windows repeat every simulated day.
    public struct Incident: Sendable, Equatable {
        public enum Kind: Sendable, Equatable {
            /// Model calls take `factor` times as long.
            case latencySpike(factor: Double)
            /// Calls of `tool` (every tool when `nil`) fail with probability `rate`.
            case toolErrors(tool: String?, rate: Double)
            /// Every model call fails with HTTP 503.
            case modelOutage
        }
        public var kind: Kind
        /// Start, in nanoseconds after midnight UTC.
        public var start: Int64
        public var duration: Int64

        public init(kind: Kind, start: Int64, duration: Int64) {
            self.kind = kind
            self.start = start
            self.duration = duration
        }

        /// Whether `time` (nanoseconds since the epoch) falls in this window on its day (or in
        /// the part of yesterday's window that runs past midnight).
        public func covers(_ time: Int64) -> Bool {
            let day: Int64 = 86_400_000_000_000
            let offset = ((time % day) + day) % day
            return (offset >= start && offset < start + duration) || offset + day < start + duration
        }

        public var name: String {
            switch kind {
            case .latencySpike: return "latency_spike"
            case .toolErrors: return "tool_errors"
            case .modelOutage: return "model_outage"
            }
        }
    }

    /// The arrival rate at `time`, in runs per nanosecond.
    public func rate(at time: Int64) -> Double {
        let hour = 3_600_000_000_000.0
        let day: Int64 = 86_400_000_000_000
        let offset = Double(((time % day) + day) % day) / hour
        let h = Int(offset) % 24
        let f = offset - Double(Int(offset))
        let perHour = runsPerHour[h] * (1 - f) + runsPerHour[(h + 1) % 24] * f
        return perHour / hour
    }

    /// The highest rate of the day, in runs per nanosecond.
    public var peakRate: Double { (runsPerHour.max() ?? 0) / 3_600_000_000_000.0 }

    /// The incidents covering `time`.
    public func incidents(at time: Int64) -> [Incident] { incidents.filter { $0.covers(time) } }
}

extension Workload {
    /// Reads a workload file (YAML or JSON).
    /// - Throws: ``ConfigError`` naming the file, line, column and field of the first problem.
    public static func load(path: String) throws(ConfigError) -> Workload {
        try parse(ConfigDocument.load(path: path))
    }

    /// A preset's name or a file's path.
    public static func named(_ nameOrPath: String) throws(ConfigError) -> Workload {
        if let preset = presets.first(where: { $0.name == nameOrPath }) { return preset }
        guard nameOrPath.contains("/") || nameOrPath.contains(".") else {
            throw ConfigError(
                file: nameOrPath, position: nil, path: "",
                message: "no such preset (presets: \(presets.map(\.name).joined(separator: ", "))), and not a file path"
            )
        }
        return try load(path: nameOrPath)
    }

    static let fields = ["name", "description", "runs_per_hour", "model", "incidents"]
    static let modelFields = [
        "median_latency", "latency_sigma", "rate_limit_rate", "timeout_rate", "malformed_arguments_rate",
        "tool_error_rate", "follow_up_rate"
    ]

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> Workload {
        let o = try root.object(keys: fields)
        let name = try o.required("name").string()
        let description = try o.optional("description")?.string() ?? ""
        let rateNode = try o.required("runs_per_hour")
        let rates = try rateNode.list()
        guard rates.count == 24 else {
            throw rateNode.error("expected 24 values (one per hour of the day, UTC), found \(rates.count)")
        }
        var runsPerHour: [Double] = []
        for r in rates { runsPerHour.append(try r.double(in: 0...1_000_000)) }
        guard runsPerHour.contains(where: { $0 > 0 }) else {
            throw rateNode.error("every hour has a rate of 0: no run would ever arrive")
        }
        var model = ScriptedModel.Profile()
        if let m = try o.optional("model")?.object(keys: modelFields) {
            if let n = m.optional("median_latency") {
                let d = try n.duration()
                guard d > 0 else { throw n.error("must be more than 0") }
                model.medianLatency = Double(d) / 1e9
            }
            if let n = m.optional("latency_sigma") { model.latencySigma = try n.double(in: 0...5) }
            if let n = m.optional("rate_limit_rate") { model.rateLimitRate = try n.double(in: 0...1) }
            if let n = m.optional("timeout_rate") { model.timeoutRate = try n.double(in: 0...1) }
            if let n = m.optional("malformed_arguments_rate") { model.malformedArgumentsRate = try n.double(in: 0...1) }
            if let n = m.optional("tool_error_rate") { model.toolErrorRate = try n.double(in: 0...1) }
            if let n = m.optional("follow_up_rate") { model.followUpRate = try n.double(in: 0...1) }
            if model.rateLimitRate + model.timeoutRate > 1 {
                throw m.node.error("rate_limit_rate + timeout_rate is more than 1")
            }
        }
        var incidents: [Incident] = []
        for node in try o.optional("incidents")?.list() ?? [] { incidents.append(try parseIncident(node)) }
        return Workload(
            name: name, description: description, runsPerHour: runsPerHour, model: model, incidents: incidents)
    }

    static func parseIncident(_ node: ConfigNode) throws(ConfigError) -> Incident {
        let o = try node.object(keys: ["kind", "at", "for", "factor", "tool", "rate"])
        let kindNode = try o.required("kind")
        let kindName = try kindNode.string()
        let allowed: [String]
        let kind: Incident.Kind
        switch kindName {
        case "latency_spike":
            allowed = ["factor"]
            let factor = try o.required("factor")
            kind = .latencySpike(factor: try factor.double(in: 0.01...1000))
        case "tool_errors":
            allowed = ["tool", "rate"]
            kind = .toolErrors(tool: try o.optional("tool")?.string(), rate: try o.required("rate").double(in: 0...1))
        case "model_outage":
            allowed = []
            kind = .modelOutage
        default:
            throw kindNode.error(
                "unknown incident kind '\(kindName)' (kinds: latency_spike, tool_errors, model_outage)")
        }
        for extra in ["factor", "tool", "rate"] where !allowed.contains(extra) && o.has(extra) {
            throw node.error("'\(extra)' does not apply to a \(kindName) incident")
        }
        let atNode = try o.required("at")
        let at = try atNode.string()
        guard let start = timeOfDay(at) else {
            throw atNode.error("'\(at)' is not a time of day (HH:MM or HH:MM:SS, UTC)")
        }
        let forNode = try o.required("for")
        let duration = try forNode.duration()
        guard duration > 0, duration <= 86_400_000_000_000 else {
            throw forNode.error("must be more than 0 and at most 24h")
        }
        return Incident(kind: kind, start: start, duration: duration)
    }

    /// `HH:MM` or `HH:MM:SS` as nanoseconds after midnight.
    static func timeOfDay(_ s: String) -> Int64? {
        let parts = s.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let h = Int64(parts[0]), let m = Int64(parts[1]), (0..<24).contains(h), (0..<60).contains(m)
        else { return nil }
        let sec = parts.count == 3 ? Int64(parts[2]) : 0
        guard let sec, (0..<60).contains(sec) else { return nil }
        return ((h * 60 + m) * 60 + sec) * 1_000_000_000
    }
}
