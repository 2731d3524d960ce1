public import GammaModel

/// What the recorder keeps out of the log: secrets by key, and overlong values.
///
/// Applied to span, event and link attributes and to resource attributes when they are recorded.
public struct Redaction: Sendable {
    /// Attribute keys containing any of these, case-insensitively, have their value replaced with `"[REDACTED]"`.
    public var keyPatterns: [String] = ["api_key", "authorization", "password", "secret", "token"]
    /// String values longer than this many bytes are cut to it and marked `…[truncated N bytes]`.
    public var maxValueBytes: Int = 1024
    /// Whether prompt and completion text (`gen_ai.prompt`, `gen_ai.completion`, `agent.input`,
    /// `agent.output` and their sub-keys) are kept. Off by default: they are replaced with `"[NOT CAPTURED]"`.
    public var capturePrompts: Bool = false

    public static let redacted = "[REDACTED]"
    public static let notCaptured = "[NOT CAPTURED]"
    static let promptKeys = ["gen_ai.prompt", "gen_ai.completion", "agent.input", "agent.output"]

    public init() {}

    public func apply(_ attributes: Attributes) -> Attributes {
        var out = attributes
        for (key, value) in attributes { out[key] = apply(key: key, value) }
        return out
    }

    public func apply(key: String, _ value: AttributeValue) -> AttributeValue {
        let lower = key.lowercased()
        if keyPatterns.contains(where: { lower.contains($0) }) { return .string(Self.redacted) }
        if !capturePrompts && Self.promptKeys.contains(where: { lower == $0 || lower.hasPrefix($0 + ".") }) {
            return .string(Self.notCaptured)
        }
        switch value {
        case .string(let s): return .string(truncate(s))
        case .stringArray(let xs): return .stringArray(xs.map(truncate))
        default: return value
        }
    }

    /// Cuts `s` to ``maxValueBytes`` at a character boundary, with a marker saying how much was cut.
    public func truncate(_ s: String) -> String {
        let n = s.utf8.count
        guard n > maxValueBytes else { return s }
        var kept = ""
        var bytes = 0
        for ch in s {
            let w = ch.utf8.count
            if bytes + w > maxValueBytes { break }
            kept.append(ch)
            bytes += w
        }
        return kept + "…[truncated \(n - bytes) bytes]"
    }
}
