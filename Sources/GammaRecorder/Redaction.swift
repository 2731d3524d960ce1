public import GammaModel

/// What the recorder keeps out of the log: secrets by key and by value, and overlong values.
///
/// Applied to span, event and link attributes, span status messages, resource attributes and
/// alert labels when they are recorded. A span whose values had secrets replaced carries
/// ``redactedCountKey`` with how many, so redaction is visible without exposing anything.
public struct Redaction: Sendable {
    /// Secrets recognized by their value, in any string (``SecretPatterns``): on by default.
    public var values = SecretPatterns()
    /// The span attribute that counts the values redacted in a span.
    public static let redactedCountKey = "gamma.redacted_values"

    /// Attribute keys containing any of these as a whole word, case-insensitively, have their value
    /// replaced with `"[REDACTED]"`. Words are bounded by anything not a letter or digit, so
    /// `access_token` and `http.request.header.authorization` match, and `input_tokens` does not.
    public var keyPatterns: [String] = ["api_key", "authorization", "password", "secret", "token"] {
        didSet { loweredPatterns = keyPatterns.map { Array($0.lowercased().utf8) } }
    }
    private var loweredPatterns: [[UInt8]] = ["api_key", "authorization", "password", "secret", "token"].map {
        Array($0.utf8)
    }
    /// String values longer than this many bytes are cut to it and marked `…[truncated N bytes]`.
    public var maxValueBytes: Int = 1024
    /// Whether prompt and completion text (`gen_ai.prompt`, `gen_ai.completion`, `agent.input`,
    /// `agent.output` and their sub-keys) are kept. Off by default: they are replaced with `"[NOT CAPTURED]"`.
    public var capturePrompts: Bool = false

    public static let redacted = "[REDACTED]"
    public static let notCaptured = "[NOT CAPTURED]"
    static let promptKeys: [[UInt8]] = ["gen_ai.prompt", "gen_ai.completion", "agent.input", "agent.output"].map {
        Array($0.utf8)
    }

    public init() {}

    /// The attributes with secrets replaced and long strings cut; the same value, uncopied, when nothing applies.
    public func apply(_ attributes: Attributes) -> Attributes { applyCounting(attributes).attributes }

    /// ``apply(_:)``, and how many values had secrets replaced (by value; a key rule counts as one).
    public func applyCounting(_ attributes: Attributes) -> (attributes: Attributes, redacted: Int) {
        var out: Attributes?
        var redacted = 0
        for (key, value) in attributes {
            let (changed, n) = applyCounting(key: key, value)
            redacted += n
            if changed != value {
                if out == nil { out = attributes }
                out![key] = changed
            }
        }
        return (out ?? attributes, redacted)
    }

    /// A free text (a status message, an alert label) with secret values replaced and cut to
    /// ``maxValueBytes``, and how many secrets there were.
    public func applyCounting(text: String) -> (text: String, redacted: Int) {
        let (t, n) = values.redact(text)
        return (t.utf8.count > maxValueBytes ? truncate(t) : t, n)
    }

    /// What happens to a key's value.
    public enum KeyRule: Sendable { case keep, redact, notCaptured }

    public func rule(forKey key: String) -> KeyRule {
        var key = key
        return key.withUTF8 { k -> KeyRule in
            if loweredPatterns.contains(where: { Self.containsWord(k, $0) }) { return .redact }
            if !capturePrompts
                && Self.promptKeys.contains(where: { p in
                    (k.count == p.count || (k.count > p.count && k[p.count] == UInt8(ascii: ".")))
                        && Self.equalFolded(k, p, at: 0)
                })
            {
                return .notCaptured
            }
            return .keep
        }
    }

    public func apply(key: String, _ value: AttributeValue) -> AttributeValue { applyCounting(key: key, value).value }

    /// ``apply(key:_:)``, and how many secrets were replaced in the value.
    public func applyCounting(key: String, _ value: AttributeValue) -> (value: AttributeValue, redacted: Int) {
        switch rule(forKey: key) {
        case .redact: return (.string(Self.redacted), 0)
        case .notCaptured: return (.string(Self.notCaptured), 0)
        case .keep: break
        }
        return applyToValue(value)
    }

    /// A value's secrets replaced (by value only) and long strings cut, with how many secrets.
    public func applyToValue(_ value: AttributeValue) -> (value: AttributeValue, redacted: Int) {
        switch value {
        case .string(let s):
            let (t, n) = applyCounting(text: s)
            return (n == 0 && t.utf8.count == s.utf8.count ? value : .string(t), n)
        case .stringArray(let xs):
            var total = 0
            let out = xs.map { x in
                let (t, n) = applyCounting(text: x)
                total += n
                return t
            }
            return (out == xs ? value : .stringArray(out), total)
        default: return (value, 0)
        }
    }

    @inline(__always) static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5A ? c | 0x20 : c }

    /// Whether `text[at...]` starts with `word` (already lower case), ASCII case folded.
    static func equalFolded(_ text: UnsafeBufferPointer<UInt8>, _ word: [UInt8], at: Int) -> Bool {
        guard at + word.count <= text.count else { return false }
        for j in 0..<word.count where lower(text[at + j]) != word[j] { return false }
        return true
    }

    /// Whether `word` (lower case) occurs in `text`, ASCII case folded, with no letter or digit right before or after it.
    static func containsWord(_ text: UnsafeBufferPointer<UInt8>, _ word: [UInt8]) -> Bool {
        guard !word.isEmpty, text.count >= word.count else { return false }
        func isWordByte(_ c: UInt8) -> Bool {
            (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c >= 0x80
        }
        for start in 0...(text.count - word.count) where equalFolded(text, word, at: start) {
            let before = start == 0 || !isWordByte(text[start - 1])
            let after = start + word.count == text.count || !isWordByte(text[start + word.count])
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
