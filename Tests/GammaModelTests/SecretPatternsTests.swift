import GammaModel
import Testing

@Suite struct SecretPatternsTests {
    static let jwt =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4ifQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"

    /// Each pattern where a steered model or a tool would put it: inside JSON tool arguments, in a
    /// URL, and in an error message; only the matching part is replaced.
    @Test(
        arguments: [
            (
                #"{"query":"use key sk-proj-AbCdEfGhIjKlMnOpQrStUvWx12 please"}"#,
                #"{"query":"use key [REDACTED] please"}"#
            ),
            ("error: 401 for sk-ant-api03-abcdefghijklmnopqrstuvwxyz", "error: 401 for [REDACTED]"),
            (#"{"aws":"AKIAIOSFODNN7EXAMPLE"}"#, #"{"aws":"[REDACTED]"}"#),
            ("creds ASIAY34FZKBOKMUTVV7A expired", "creds [REDACTED] expired"),
            ("token ghp_1234567890abcdefghijABCDEFGHIJ123456 in the repo", "token [REDACTED] in the repo"),
            ("github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyzABCDEF", "[REDACTED]"),
            (#"{"jwt":"\#(jwt)"}"#, #"{"jwt":"[REDACTED]"}"#),
            ("Authorization: Bearer abc.DEF-123_xyz~+/=", "Authorization: Bearer [REDACTED]"),
            ("header bearer  0123456789abcdef", "header bearer  [REDACTED]"),
            ("GET https://alice:s3cr3t@example.com/x failed", "GET https://[REDACTED]@example.com/x failed"),
            (#"{"url":"http://user:p%40ss@10.0.0.1:8080/a?b=1"}"#, #"{"url":"http://[REDACTED]@10.0.0.1:8080/a?b=1"}"#),
            (
                "https://api.example.com/v1?api_key=abc123&q=cats",
                "https://api.example.com/v1?api_key=[REDACTED]&q=cats"
            ),
            (
                "https://x.test/cb?state=1&access_token=zzz#frag",
                "https://x.test/cb?state=1&access_token=[REDACTED]#frag"
            ),
            (
                "https://s3.test/o?X-Amz-Signature=deadbeef&X-Amz-Date=1",
                "https://s3.test/o?X-Amz-Signature=[REDACTED]&X-Amz-Date=1"
            ),
            ("https://hooks.test/h?Token=T0K3N", "https://hooks.test/h?Token=[REDACTED]")
        ] as [(String, String)])
    func secretsAreReplacedWhereTheyStand(_ text: String, _ expected: String) {
        let (out, n) = SecretPatterns().redact(text)
        #expect(out == expected)
        #expect(n == 1)
    }

    /// What must not match: names of counters, digests, words, short strings that look alike.
    @Test(arguments: [
        "input_tokens", "gen_ai.usage.output_tokens", "tokens.total", "the task asked for a skeleton key",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sk-short",
        "desk-1234567890abcdefghijklmnop",
        "AKIA too short", "MAKIAIOSFODNN7EXAMPLE1", "ghp_short", "eyJhbGciOi.only-two-parts", "Bearer", "bearer short",
        "https://example.com/path?q=token&page=2", "https://example.com/?monkey=1", "mailto:someone@example.com",
        "ratio 3:1 @ noon", "a ? b = c", "how long do refunds take?"
    ])
    func ordinaryTextIsLeftAlone(_ text: String) {
        let (out, n) = SecretPatterns().redact(text)
        #expect(out == text)
        #expect(n == 0)
    }

    @Test func patternsCanBeTurnedOffAndAdded() throws {
        let text = "key sk-abcdefghijklmnopqrstuvwxyz and order #A-12345"
        var patterns = SecretPatterns()
        patterns.enabled.remove(.apiKey)
        #expect(patterns.redact(text).count == 0)
        patterns.custom = [try SecretPatterns.Custom(name: "order", pattern: "#A-[0-9]{5}")]
        #expect(patterns.redact(text) == ("key sk-abcdefghijklmnopqrstuvwxyz and order [REDACTED]", 1))
        #expect(SecretPatterns.none.redact(text).count == 0)
        #expect(throws: (any Error).self) { try SecretPatterns.Custom(name: "bad", pattern: "(") }
    }

    @Test func severalSecretsInOneStringAreCounted() {
        let (out, n) = SecretPatterns().redact("sk-abcdefghijklmnopqrstuv AKIAIOSFODNN7EXAMPLE https://u:p@h/?token=t")
        #expect(out == "[REDACTED] [REDACTED] https://[REDACTED]@h/?token=[REDACTED]")
        #expect(n == 4)
    }
}
