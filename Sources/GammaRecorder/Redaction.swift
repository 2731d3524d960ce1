public import GammaModel

/// What the recorder keeps out of the log: secrets by key, and overlong values.
///
/// Applied to span, event and link attributes and to resource attributes when they are recorded.
public struct Redaction: Sendable {
    /// Attribute keys containing any of these as a whole word, case-insensitively, have their value
    /// replaced with `"[REDACTED]"`. Words are bounded by anything not a letter or digit, so
    /// `access_token` and `http.request.header.authorization` match, and `input_tokens` does not.
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
        if keyPatterns.contains(where: { Self.containsWord(lower, $0.lowercased()) }) { return .string(Self.redacted) }
        if !capturePrompts && Self.promptKeys.contains(where: { lower == $0 || lower.hasPrefix($0 + ".") }) {
            return .string(Self.notCaptured)
        }
        switch value {
        case .string(let s): return .string(truncate(s))
        case .stringArray(let xs): return .stringArray(xs.map(truncate))
        default: return value
        }
    }

    /// Whether `word` occurs in `text` with no letter or digit right before or after it.
    static func containsWord(_ text: String, _ word: String) -> Bool {
        let t = Array(text.utf8), w = Array(word.utf8)
        guard !w.isEmpty, t.count >= w.count else { return false }
        func isWordByte(_ c: UInt8) -> Bool { (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c >= 0x80 }
        for start in 0...(t.count - w.count) where t[start..<(start + w.count)].elementsEqual(w) {
            let before = start == 0 || !isWordByte(t[start - 1])
            let after = start + w.count == t.count || !isWordByte(t[start + w.count])
            if before && after { return true }
        }
        return false
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
