#if canImport(Glibc)
import Glibc
#endif
public import GammaModel

/// The offline model: deterministic for a seed, it answers the way a tool-calling model would.
///
/// - **Tools from the prompt**: arithmetic goes to `calculator` (the expression taken from the
///   prompt), questions of time to `clock`, a file path to `read_file`, a URL to `http_get`, and
///   anything else to `search`; after a tool result it answers, or now and then calls one more tool.
/// - **Tokens**: input tokens are the conversation's characters over four; output tokens are
///   log-normal around 60 (a tool call) or 180 (an answer).
/// - **Latency**: log-normal (median `medianLatency`), with a heavy tail: one call in 20 takes
///   3 to 10 times as long. Nothing sleeps: ``complete(_:tools:)`` lets the latency pass on the
///   model's clock (a virtual one in a simulation); a timeout takes `timeout`, a rate limit 40 ms.
/// - **Failures** at the profile's rates: rate limits, timeouts, tool calls with malformed
///   JSON arguments, and calls of tools that do not exist.
///
/// The same seed and the same conversation give the same reply, whatever else runs at the same
/// time: each reply's randomness comes from a hash of the seed and the conversation.
public struct ScriptedModel: LanguageModel {
    public struct Profile: Sendable, Equatable {
        public var medianLatency: Double = 0.8  // seconds
        public var latencySigma: Double = 0.5
        public var rateLimitRate: Double = 0.01
        public var timeoutRate: Double = 0.005
        public var malformedArgumentsRate: Double = 0.01
        /// The chance that a tool call names a tool that does not exist (as models sometimes do),
        /// which the agent reports as an `unknown_tool` error.
        public var toolErrorRate: Double = 0.01
        /// After a tool result, the chance of calling one more tool instead of answering.
        public var followUpRate: Double = 0.3
        public init() {}
    }

    public let name: String
    public let seed: UInt64
    public var profile: Profile
    /// Where the calls' latency passes; `nil` for none (the reply still says what it would have been).
    public let clock: (any EpochClock)?
    /// How long a call that times out takes (the client's timeout).
    public var timeout: Int64 = 30_000_000_000

    public init(name: String = "scripted", seed: UInt64, profile: Profile = .init(), clock: (any EpochClock)? = nil) {
        self.name = name
        self.seed = seed
        self.profile = profile
        self.clock = clock
    }

    public func complete(_ messages: [ChatMessage], tools: [ToolSpec]) async throws(ModelError) -> ModelReply {
        let result = Result { () throws(ModelError) in try reply(to: messages, tools: tools) }
        switch result {
        case .success(let r): await clock?.pass(r.latency)
        case .failure(.timeout): await clock?.pass(timeout)
        case .failure: await clock?.pass(40_000_000)
        }
        return try result.get()
    }

    /// The reply, synchronously (the model does no I/O).
    public func reply(to messages: [ChatMessage], tools: [ToolSpec]) throws(ModelError) -> ModelReply {
        var rng = Random(seed: Self.hash(seed, messages))
        let inputTokens = max(
            1,
            messages.reduce(0) { $0 + $1.content.count + $1.toolCalls.reduce(0) { $0 + $1.arguments.count + 16 } } / 4)
        var latency = rng.logNormal(median: profile.medianLatency, sigma: profile.latencySigma)
        if rng.uniform() < 0.05 { latency *= 3 + 7 * rng.uniform() }
        let nanos = Int64(latency * 1e9)
        let roll = rng.uniform()
        if roll < profile.rateLimitRate { throw .rateLimited(retryAfter: Int64(1 + rng.uniform() * 4) * 1_000_000_000) }
        if roll < profile.rateLimitRate + profile.timeoutRate { throw .timeout }

        let names = Set(tools.map(\.name))
        let prompt = messages.last { $0.role == .user }?.content ?? ""
        let toolResults = messages.filter { $0.role == .tool }.count
        let wantsTool = toolResults == 0 || (rng.uniform() < profile.followUpRate && toolResults < 3)
        if wantsTool, let (tool, arguments) = Self.choose(prompt, names, after: toolResults, &rng) {
            let malformed = rng.uniform() < profile.malformedArgumentsRate
            let hallucinated = rng.uniform() < profile.toolErrorRate
            let call = ToolCall(
                id: "call_\(String(rng.next() % 1_000_000_000, radix: 36))",
                name: hallucinated ? Self.hallucinatedTools[Int(rng.next() % 3)] : tool,
                arguments: malformed ? String(arguments.dropLast()) : arguments)
            return ModelReply(
                message: ChatMessage(role: .assistant, content: "", toolCalls: [call]), model: name,
                inputTokens: inputTokens, outputTokens: Int(rng.logNormal(median: 60, sigma: 0.3)) + 5, latency: nanos)
        }
        let last = messages.last { $0.role == .tool }?.content ?? ""
        let answer =
            last.isEmpty
            ? "I can answer that directly: \(prompt.prefix(80))"
            : "Based on \(messages.last { $0.role == .tool } != nil ? "the tool result" : "what I know"): \(last.prefix(160))"
        return ModelReply(
            message: ChatMessage(role: .assistant, content: answer), model: name, inputTokens: inputTokens,
            outputTokens: Int(rng.logNormal(median: 180, sigma: 0.4)) + 5, latency: nanos)
    }

    /// Tools models have been seen to call without being offered them.
    static let hallucinatedTools = ["web_browse", "send_email", "query_database"]

    /// The tool a model would pick for `prompt`, and its arguments as JSON.
    static func choose(_ prompt: String, _ tools: Set<String>, after previous: Int, _ rng: inout Random) -> (
        String, String
    )? {
        let lower = prompt.lowercased()
        var candidates: [(String, String)] = []
        if let expression = arithmetic(in: prompt) {
            candidates.append(("calculator", #"{"expression":"\#(escape(expression))"}"#))
        }
        if ["time", "date", "today", "clock", "o'clock"].contains(where: lower.contains) {
            candidates.append(("clock", "{}"))
        }
        if let url = prompt.split(separator: " ").first(where: { $0.hasPrefix("http://") || $0.hasPrefix("https://") })
        {
            candidates.append(("http_get", #"{"url":"\#(escape(String(url)))"}"#))
        }
        if let path = prompt.split(separator: " ").first(where: {
            $0.contains(".") && ($0.hasSuffix(".md") || $0.hasSuffix(".txt") || $0.contains("/"))
                && !$0.hasPrefix("http")
        }) {
            candidates.append(("read_file", #"{"path":"\#(escape(String(path)))"}"#))
        }
        candidates.append(("search", #"{"query":"\#(escape(String(prompt.prefix(120))))"}"#))
        let available = candidates.filter { tools.contains($0.0) }
        guard !available.isEmpty else { return nil }
        // The first call takes the best match; a follow-up call another candidate (or search again).
        return previous == 0 ? available[0] : available[Int(rng.next() % UInt64(available.count))]
    }

    /// The longest run of the prompt made of digits, operators, parentheses and spaces that has
    /// a digit and an operator.
    static func arithmetic(in prompt: String) -> String? {
        var best = "", current = ""
        for c in prompt + " " {
            if c.isNumber || "+-*/%^(). ".contains(c) {
                current.append(c)
            } else {
                let t = current.trimmingSpaces
                if t.count > best.count, t.contains(where: \.isNumber), t.contains(where: { "+-*/%^".contains($0) }) {
                    best = t
                }
                current = ""
            }
        }
        return best.isEmpty ? nil : best
    }

    /// `s` as the inside of a JSON string (the record writer's escaping).
    static func escape(_ s: String) -> String {
        var w = JSONWriter(capacity: s.utf8.count + 8)
        w.string(s)
        return String(String(decoding: w.bytes, as: UTF8.self).dropFirst().dropLast())
    }

    /// FNV-1a over the seed and the conversation's text: the same conversation, the same reply.
    /// FNV-1a of `text` from `seed`: stable across processes (Swift's `Hasher` is not).
    static func fnv(_ text: String, seed: UInt64) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        fnvStep(&h, text)
        return h
    }

    static func fnvStep(_ h: inout UInt64, _ text: String) {
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
    }

    static func hash(_ seed: UInt64, _ messages: [ChatMessage]) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        func mix(_ s: String) {
            fnvStep(&h, s)
            h = (h ^ 0xFF) &* 0x0000_0100_0000_01B3  // a separator, so "ab"+"c" and "a"+"bc" differ
        }
        for m in messages {
            mix(m.role.rawValue)
            mix(m.content)
            for c in m.toolCalls { mix(c.name); mix(c.arguments) }
        }
        return h
    }

    /// SplitMix64, and the distributions the model draws from.
    struct Random {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
        /// Box-Muller.
        mutating func normal() -> Double { (-2 * log(max(uniform(), 1e-300))).squareRoot() * cos(2 * .pi * uniform()) }
        mutating func logNormal(median: Double, sigma: Double) -> Double { median * exp(sigma * normal()) }
    }
}
