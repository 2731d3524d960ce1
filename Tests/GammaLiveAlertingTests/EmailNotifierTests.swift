import Foundation
import GammaRules
import GammaLiveAlerting
import GammaNet
import GammaReplay
import GammaTestKit
import GammaTestSupport
import Testing

/// An aiosmtpd peer (scripts/checkers/smtp_peer.py, from .build-python) on loopback.
final class SMTPPeer {
    let peer: PythonPeer
    var dir: TemporaryDirectory { peer.dir }
    var port: Int { peer.port }

    init(_ options: [String], dir: TemporaryDirectory = TemporaryDirectory()) throws {
        peer = try PythonPeer("smtp_peer", [dir.file("out")] + options, dir: dir)
    }

    /// The messages received: envelope, user, tls, message.
    var received: [[String: Any]] {
        guard access(dir.file("out"), F_OK) == 0 else { return [] }
        return String(decoding: Files.read(dir.file("out")), as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func stop() { peer.stop() }

    /// A self-signed certificate for 127.0.0.1 in `dir`: (certificate, key).
    static func certificate(in dir: TemporaryDirectory) throws -> (String, String) {
        try TestCertificate.make("127.0.0.1", in: dir)
    }
}

@Suite(.serialized) struct EmailNotifierTests {
    static let notification = NotifierTests.notification
    static let format = NotifierTests.format

    /// The text of a MIME message with a base64 body: the headers, and the body decoded.
    static func parse(_ message: String) -> (headers: [String: String], body: String) {
        let parts = message.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
        var headers: [String: String] = [:]
        for line in parts[0].split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[String(line[..<colon])] = String(line[line.index(colon, offsetBy: 2)...])
        }
        let body =
            Data(base64Encoded: parts.dropFirst().joined().replacingOccurrences(of: "\n", with: "")).map {
                String(decoding: $0, as: UTF8.self)
            } ?? ""
        return (headers, body)
    }

    @Test func startTLSThenAuthThenAProperMIMEMessage() async throws {
        let dir = TemporaryDirectory()
        let (cert, key) = try SMTPPeer.certificate(in: dir)
        let peer = try SMTPPeer(["--tls", cert, key, "--auth", "alerts:s3cret"], dir: dir)
        defer { peer.stop() }
        setenv("GAMMA_TEST_SMTP_USER", "alerts", 1)
        setenv("GAMMA_TEST_SMTP_PASSWORD", "s3cret", 1)
        let notifier = EmailNotifier(
            client: SMTPClient(host: "127.0.0.1", port: peer.port, timeout: 5, caFile: cert),
            from: "gamma@example.org", to: ["oncall@example.org", "team@example.org"],
            userVariable: "GAMMA_TEST_SMTP_USER", passwordVariable: "GAMMA_TEST_SMTP_PASSWORD", formatTime: Self.format)
        try await notifier.send(Self.notification)
        let got = peer.received
        #expect(got.count == 1)
        let m = try #require(got.first)
        #expect(
            m["from"] as? String == "gamma@example.org"
                && (m["to"] as? [String]) == ["oncall@example.org", "team@example.org"])
        #expect(m["user"] as? String == "alerts" && m["tls"] as? Bool == true)
        let (headers, body) = Self.parse(try #require(m["message"] as? String))
        #expect(headers["Subject"] == "[FIRING] ToolErrorRatio (error) tool=search")
        #expect(
            headers["MIME-Version"] == "1.0" && headers["Content-Type"] == "text/plain; charset=utf-8"
                && headers["Content-Transfer-Encoding"] == "base64")
        #expect(
            headers["To"] == "<oncall@example.org>, <team@example.org>" && headers["Date"]?.hasSuffix(" +0000") == true)
        #expect(body == Self.notification.text(formatTime: Self.format))
    }

    @Test func wrongCredentialsAndAnUntrustedCertificateAreClearErrorsThatNameNoSecret() async throws {
        let dir = TemporaryDirectory()
        let (cert, key) = try SMTPPeer.certificate(in: dir)
        let peer = try SMTPPeer(["--tls", cert, key, "--auth", "alerts:s3cret"], dir: dir)
        defer { peer.stop() }
        setenv("GAMMA_TEST_SMTP_USER2", "alerts", 1)
        setenv("GAMMA_TEST_SMTP_PASSWORD2", "wrong-password", 1)
        let wrong = EmailNotifier(
            client: SMTPClient(host: "127.0.0.1", port: peer.port, timeout: 5, caFile: cert), from: "g@x", to: ["o@x"],
            userVariable: "GAMMA_TEST_SMTP_USER2", passwordVariable: "GAMMA_TEST_SMTP_PASSWORD2",
            formatTime: Self.format)
        do {
            try await wrong.send(Self.notification)
            Issue.record("sent with a wrong password")
        } catch {
            #expect(error.description.contains("AUTH PLAIN: 127.0.0.1:\(peer.port) answered 535"), "\(error)")
            #expect(!error.description.contains("wrong-password") && !error.description.contains("alerts"))
        }
        // Without the test CA the self-signed certificate is not trusted: no credentials are sent.
        let untrusted = EmailNotifier(
            client: SMTPClient(host: "127.0.0.1", port: peer.port, timeout: 5), from: "g@x", to: ["o@x"],
            userVariable: "GAMMA_TEST_SMTP_USER2", passwordVariable: "GAMMA_TEST_SMTP_PASSWORD2",
            formatTime: Self.format)
        do {
            try await untrusted.send(Self.notification)
            Issue.record("trusted a self-signed certificate")
        } catch {
            #expect(
                error.description.contains("STARTTLS: the TLS handshake with 127.0.0.1:\(peer.port) failed"), "\(error)"
            )
        }
        #expect(peer.received.isEmpty)
    }

    @Test func plainServersGetNoCredentialsAndTLSCanBeRequired() async throws {
        let peer = try SMTPPeer([])
        defer { peer.stop() }
        let client = SMTPClient(host: "127.0.0.1", port: peer.port, timeout: 5)
        try client.send(from: "g@x", to: ["o@x"], message: "Subject: hi\r\n\r\n.leading dot\r\n", credentials: nil)
        #expect(
            peer.received.first?["message"] as? String == "Subject: hi\r\n\r\n.leading dot\r\n",
            "dot-stuffing undone by the server: \(peer.received)")
        #expect(
            throws: SMTPError(stage: "AUTH", message: "refusing to send credentials over an unencrypted connection")
        ) {
            try client.send(from: "g@x", to: ["o@x"], message: "Subject: hi\r\n\r\nbody\r\n", credentials: ("u", "p"))
        }
        var strict = client
        strict.requireTLS = true
        #expect(
            throws: SMTPError(
                stage: "STARTTLS", message: "127.0.0.1:\(peer.port) does not offer STARTTLS, and TLS is required")
        ) {
            try strict.send(from: "g@x", to: ["o@x"], message: "Subject: hi\r\n\r\nbody\r\n", credentials: nil)
        }
    }

    @Test func aPeerThatNeverAnswersTimesOut() async throws {
        let peer = try SMTPPeer(["--silent"])
        defer { peer.stop() }
        let started = ContinuousClock.now
        let notifier = EmailNotifier(
            client: SMTPClient(host: "127.0.0.1", port: peer.port, timeout: 0.5), from: "g@x", to: ["o@x"],
            formatTime: Self.format)
        await #expect(
            throws: NotifierError(
                notifier: "email",
                message: "127.0.0.1:\(peer.port): greeting: 127.0.0.1:\(peer.port): no answer within the timeout")
        ) {
            try await notifier.send(Self.notification)
        }
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func base64AndHeadersFollowTheRFCs() {
        #expect(
            Base64.encode([]) == "" && Base64.encode(Array("f".utf8)) == "Zg=="
                && Base64.encode(Array("fo".utf8)) == "Zm8=")
        #expect(Base64.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        let m = EmailNotifier.message(
            from: "a@x", to: ["b@x"], subject: "Größe", body: String(repeating: "é", count: 60),
            now: 1_793_628_480_000_000_000, id: "1@gamma")
        #expect(
            m.contains("Subject: =?utf-8?b?R3LDtsOfZQ==?=\r\n")
                && m.contains("Date: Mon, 02 Nov 2026 14:08:00 +0000\r\n"))
        #expect(m.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 78 })
    }
}
