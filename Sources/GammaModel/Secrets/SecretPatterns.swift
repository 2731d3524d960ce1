/// Secrets recognized by their value, wherever they stand in a string, in the manner of the
/// OpenTelemetry Collector's redaction processor (`blocked_values`): only the matching part is
/// replaced, with `[REDACTED]`.
///
/// The built-in patterns are on by default and can be turned off one by one (``enabled``);
/// ``custom`` adds patterns of one's own (regular expressions). The built-ins are scanned by hand,
/// a byte at a time, so a string without a secret costs one pass and no allocation.
public struct SecretPatterns: Sendable {
    /// The patterns that come with Gamma.
    public enum Builtin: String, Sendable, CaseIterable {
        /// `sk-…` API keys (OpenAI, Anthropic and others): `sk-` and at least 20 more key characters.
        case apiKey = "api-key"
        /// AWS access key ids: `AKIA`, `ASIA`, `ABIA` or `ACCA` and 16 upper-case letters or digits.
        case awsAccessKey = "aws-access-key"
        /// GitHub tokens: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 36 letters or digits; `github_pat_…`.
        case githubToken = "github-token"
        /// JSON web tokens: `eyJ….eyJ….…` (a header and a payload that start as JSON objects do in base64url).
        case jwt
        /// The credential after `Bearer ` (any case).
        case bearer
        /// The `user:password` of a URL (`https://user:pass@host`).
        case urlCredentials = "url-credentials"
        /// The value of a URL query parameter whose name is secret-like (`api_key`, `token`, `secret`,
        /// `password`, `key`, `signature`, `auth`, …): `?api_key=[REDACTED]`.
        case urlQuerySecret = "url-query-secret"
    }

    /// A pattern of one's own: a name and a regular expression whose whole match is replaced.
    ///
    /// `@unchecked Sendable`: `Regex` is not `Sendable`, but this one is built in `init` and only
    /// read afterwards (matching does not mutate it).
    public final class Custom: @unchecked Sendable {
        public let name: String
        public let pattern: String
        let regex: Regex<AnyRegexOutput>

        /// - Throws: the regular expression's error when `pattern` is not one.
        public init(name: String, pattern: String) throws {
            self.name = name
            self.pattern = pattern
            regex = try Regex(pattern)
        }
    }

    public static let replacement = "[REDACTED]"

    /// The built-in patterns in use (all by default).
    public var enabled: Set<Builtin> = Set(Builtin.allCases) {
        didSet { mask = Self.mask(enabled) }
    }
    public var custom: [Custom] = []
    /// ``enabled`` as bits (a bit per case, in order), read at each byte of the scan.
    private var mask: UInt8

    public init(enabled: Set<Builtin> = Set(Builtin.allCases), custom: [Custom] = []) {
        self.enabled = enabled
        self.custom = custom
        mask = Self.mask(enabled)
    }

    static func mask(_ set: Set<Builtin>) -> UInt8 {
        var m: UInt8 = 0
        for (i, b) in Builtin.allCases.enumerated() where set.contains(b) { m |= 1 << i }
        return m
    }

    /// No pattern at all.
    public static let none = SecretPatterns(enabled: [])

    /// `text` with every secret replaced, and how many were.
    public func redact(_ text: String) -> (text: String, count: Int) {
        var count = 0
        var out = text
        if mask != 0 {
            var ranges: [Range<Int>] = []
            var copy = text
            copy.withUTF8 { ranges = scan($0) }
            if !ranges.isEmpty {
                var bytes = Array(text.utf8)
                for r in ranges.reversed() { bytes.replaceSubrange(r, with: Self.replacement.utf8) }
                out = String(decoding: bytes, as: UTF8.self)
                count += ranges.count
            }
        }
        for c in custom {
            let matches = out.matches(of: c.regex).filter { !$0.range.isEmpty }
            guard !matches.isEmpty else { continue }
            count += matches.count
            for m in matches.reversed() { out.replaceSubrange(m.range, with: Self.replacement) }
        }
        return (out, count)
    }

    /// The byte ranges to replace, in order, not overlapping.
    func scan(_ s: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var found: [Range<Int>] = []
        var i = 0
        let n = s.count
        while i < n {
            if let r = match(s, at: i) {
                found.append(r)
                i = max(r.upperBound, i + 1)
            } else {
                i += 1
            }
        }
        return found
    }

    /// A secret whose redacted part starts at or just after `i`, or `nil`.
    @inline(__always)
    func match(_ s: UnsafeBufferPointer<UInt8>, at i: Int) -> Range<Int>? {
        let c = s[i]
        switch c {
        case UInt8(ascii: "s"), UInt8(ascii: "A"), UInt8(ascii: "g"), UInt8(ascii: "e"), UInt8(ascii: "B"),
            UInt8(ascii: "b"),
            UInt8(ascii: ":"), UInt8(ascii: "?"), UInt8(ascii: "&"), UInt8(ascii: ";"):
            break
        default:
            return nil  // most bytes start no secret: one comparison chain, nothing else
        }
        let boundary = i == 0 || !Self.isAlnum(s[i - 1])
        switch c {
        case UInt8(ascii: "s") where boundary && mask & 1 != 0:
            if Self.has(s, i, "sk-") {
                let end = Self.run(s, i + 3) { Self.isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
                if end - (i + 3) >= 20 { return i..<end }
            }
        case UInt8(ascii: "A") where boundary && mask & 2 != 0:
            if Self.has(s, i, "AKIA") || Self.has(s, i, "ASIA") || Self.has(s, i, "ABIA") || Self.has(s, i, "ACCA") {
                let end = Self.run(s, i + 4) { ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) }
                if end - i == 20 && (end == s.count || !Self.isAlnum(s[end])) { return i..<end }
            }
        case UInt8(ascii: "g") where boundary && mask & 4 != 0:
            if Self.has(s, i, "github_pat_") {
                let end = Self.run(s, i + 11) { Self.isAlnum($0) || $0 == UInt8(ascii: "_") }
                if end - (i + 11) >= 22 { return i..<end }
            } else if Self.has(s, i, "gh"), i + 4 <= s.count,
                [UInt8(ascii: "p"), UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "s"), UInt8(ascii: "r")]
                    .contains(s[i + 2]),
                s[i + 3] == UInt8(ascii: "_")
            {
                let end = Self.run(s, i + 4) { Self.isAlnum($0) }
                if end - (i + 4) >= 36 { return i..<end }
            }
        case UInt8(ascii: "e") where boundary && mask & 8 != 0:
            if Self.has(s, i, "eyJ") {
                let b64: (UInt8) -> Bool = { Self.isAlnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
                let h = Self.run(s, i, b64)
                if h < s.count, s[h] == UInt8(ascii: "."), Self.has(s, h + 1, "eyJ") {
                    let p = Self.run(s, h + 1, b64)
                    if p < s.count, s[p] == UInt8(ascii: ".") {
                        let sig = Self.run(s, p + 1, b64)
                        if sig > p + 1 { return i..<sig }
                    }
                }
            }
        case UInt8(ascii: "B"), UInt8(ascii: "b"):
            if boundary && mask & 16 != 0 && Self.hasFolded(s, i, "bearer ") {
                var start = i + 7
                while start < s.count && s[start] == UInt8(ascii: " ") { start += 1 }
                let end = Self.run(s, start) {
                    Self.isAlnum($0)
                        || [
                            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"),
                            UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "=")
                        ].contains($0)
                }
                if end - start >= 8 { return start..<end }
            }
        case UInt8(ascii: ":"):
            // `scheme://user:password@host`: the user and password, up to the `@` before the host.
            if mask & 32 != 0, Self.has(s, i, "://"), i > 0, Self.isAlnum(s[i - 1]) {
                let start = i + 3
                var j = start
                var at = -1
                while j < s.count, !Self.endsAuthority(s[j]) {
                    if s[j] == UInt8(ascii: "@") { at = j }
                    j += 1
                }
                if at > start { return start..<at }
            }
        case UInt8(ascii: "?"), UInt8(ascii: "&"), UInt8(ascii: ";"):
            if mask & 64 != 0 {
                let nameStart = i + 1
                let nameEnd = Self.run(s, nameStart) {
                    Self.isAlnum($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
                }
                if nameEnd < s.count, s[nameEnd] == UInt8(ascii: "="), nameEnd > nameStart,
                    Self.isSecretName(UnsafeBufferPointer(rebasing: s[nameStart..<nameEnd]))
                {
                    let end = Self.run(s, nameEnd + 1) { !Self.endsQueryValue($0) }
                    if end > nameEnd + 1 { return (nameEnd + 1)..<end }
                }
            }
        default:
            break
        }
        return nil
    }

    /// Words that make a query parameter's name secret-like (whole words of the name).
    static let secretWords: [[UInt8]] = [
        "key", "apikey", "api_key", "token", "secret", "password", "passwd", "pwd", "auth", "signature", "sig",
        "credential",
        "credentials"
    ].map { Array($0.utf8) }

    static func isSecretName(_ name: UnsafeBufferPointer<UInt8>) -> Bool {
        // Split on `_`, `-` and `.`; any part (or the whole name) a secret word.
        if secretWords.contains(where: { equalFolded(name, $0) }) { return true }
        var start = 0
        for k in 0...name.count
        where k == name.count || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ".")].contains(name[k]) {
            let part = UnsafeBufferPointer(rebasing: name[start..<k])
            if secretWords.contains(where: { equalFolded(part, $0) }) { return true }
            start = k + 1
        }
        return false
    }

    @inline(__always) static func isAlnum(_ c: UInt8) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
    }

    static func endsAuthority(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "/") || c == UInt8(ascii: "?") || c == UInt8(ascii: "#") || c <= 0x20
            || c == UInt8(ascii: "\"")
            || c == UInt8(ascii: "'") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "\\")
    }

    static func endsQueryValue(_ c: UInt8) -> Bool {
        c == UInt8(ascii: "&") || c == UInt8(ascii: "#") || c == UInt8(ascii: ";") || c <= 0x20
            || c == UInt8(ascii: "\"")
            || c == UInt8(ascii: "'") || c == UInt8(ascii: "<") || c == UInt8(ascii: ">") || c == UInt8(ascii: "\\")
    }

    @inline(__always) static func run(_ s: UnsafeBufferPointer<UInt8>, _ from: Int, _ ok: (UInt8) -> Bool) -> Int {
        var j = from
        while j < s.count && ok(s[j]) { j += 1 }
        return j
    }

    @inline(__always) static func has(_ s: UnsafeBufferPointer<UInt8>, _ at: Int, _ literal: StaticString) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard at >= 0, at + n <= s.count else { return false }
        let p = literal.utf8Start
        for k in 0..<n where s[at + k] != p[k] { return false }
        return true
    }

    static func hasFolded(_ s: UnsafeBufferPointer<UInt8>, _ at: Int, _ lower: StaticString) -> Bool {
        let n = lower.utf8CodeUnitCount
        guard at + n <= s.count else { return false }
        let p = lower.utf8Start
        for k in 0..<n {
            let c = s[at + k]
            if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != p[k] { return false }
        }
        return true
    }

    static func equalFolded(_ s: UnsafeBufferPointer<UInt8>, _ lower: [UInt8]) -> Bool {
        guard s.count == lower.count else { return false }
        for k in 0..<s.count {
            let c = s[k]
            if (c >= 0x41 && c <= 0x5A ? c | 0x20 : c) != lower[k] { return false }
        }
        return true
    }
}
