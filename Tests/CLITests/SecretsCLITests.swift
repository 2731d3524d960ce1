import Foundation
import GammaTestKit
import GammaTestSupport
import Testing

/// The SMTP password never appears in any output, and a webhook URL's secrets are masked: every
/// output of a succeeding and a failing delivery (standard output and error, and the log) is
/// searched for them.
@Suite(.serialized) struct SecretsCLITests {
    static let rules = RepositoryPaths.root + "/samples/rules/agent.yaml"

    /// Runs a simulated day that notifies by email through an SMTP peer that wants `alerts:right-pa55word`.
    static func simulate(password: String, dir: TemporaryDirectory) throws -> (Executables.Result, String) {
        let (cert, key) = try TestCertificate.make("127.0.0.1", in: dir)
        let peer = try PythonPeer(
            "smtp_peer", [dir.file("out"), "--tls", cert, key, "--auth", "alerts:right-pa55word"],
            dir: TemporaryDirectory())
        defer { peer.stop() }
        setenv("GAMMA_SMTP_USER", "alerts", 1)
        setenv("GAMMA_SMTP_PASSWORD", password, 1)
        defer {
            unsetenv("GAMMA_SMTP_USER")
            unsetenv("GAMMA_SMTP_PASSWORD")
        }
        let r = try Executables.run(
            "gamma-agent",
            [
                "simulate", "--profile", "incidents", "--runs", "4050", "--rules", rules, "--smtp",
                "127.0.0.1:\(peer.port)",
                "--smtp-to", "oncall@example.com", "--smtp-ca", cert, "--smtp-require-tls", "--log", dir.file("log")
            ])
        let log = try Executables.run("gamma-log", ["cat", dir.file("log")])
        return (r, log.stdout)
    }

    @Test func theSMTPPasswordIsInNoOutput() throws {
        for password in ["right-pa55word", "wrong-pa55word"] {
            let dir = TemporaryDirectory()
            defer { dir.remove() }
            let (r, log) = try Self.simulate(password: password, dir: dir)
            #expect(r.status == 0, "\(r.stderr)")
            if password.hasPrefix("wrong") {
                #expect(r.stderr.contains("notification given up"), "the failing delivery says so:\n\(r.stderr)")
            } else {
                #expect(!r.stderr.contains("notification given up"), "\(r.stderr)")
            }
            for (name, text) in [("stdout", r.stdout), ("stderr", r.stderr), ("the log", log)] {
                #expect(!text.contains(password), "the password is in \(name)")
                #expect(
                    !text.contains(Data(password.utf8).base64EncodedString()), "the password, in base64, is in \(name)")
            }
        }
    }

    @Test func aWebhookURLIsShownMasked() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let r = try Executables.run(
            "gamma-agent",
            [
                "simulate", "--runs", "3", "--rules", Self.rules, "--webhook",
                "http://bot:hunter2@127.0.0.1:9/hook?token=abc123", "--log", dir.file("log")
            ])
        #expect(
            r.status == 2 && r.stderr.contains("http://[REDACTED]@127.0.0.1:9/hook?token=[REDACTED]"), "\(r.stderr)")
        #expect(!r.stderr.contains("hunter2") && !r.stderr.contains("abc123"))
    }
}
