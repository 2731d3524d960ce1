import Foundation
import GammaRules
import GammaLiveAlerting
import GammaModel
import GammaReplay
import GammaTestKit
import GammaTestSupport
import Synchronization
import Testing

/// A Python http.server catcher (scripts/checkers/webhook_catcher.py) on loopback.
final class WebhookCatcher {
    let process: ChildProcess
    let dir = TemporaryDirectory()
    let port: Int

    init(statuses: [Int] = []) throws {
        process = try ChildProcess(
            [
                "python3", RepositoryPaths.root + "/scripts/checkers/webhook_catcher.py", dir.file("port"),
                dir.file("out")
            ]
                + statuses.map(String.init), log: dir.file("log"))
        var port: Int?
        for _ in 0..<1000 where port == nil && !process.hasExited {
            if access(dir.file("port"), F_OK) == 0 {
                port = Int(String(decoding: Files.read(dir.file("port")), as: UTF8.self))
            }
            if port == nil { usleep(10_000) }
        }
        guard let port else {
            throw ChildProcessError(
                message: "the catcher did not start: \(String(decoding: Files.read(dir.file("log")), as: UTF8.self))")
        }
        self.port = port
    }

    var url: String { "http://127.0.0.1:\(port)" }
    /// Each request: path, content type, body.
    var received: [String] {
        guard access(dir.file("out"), F_OK) == 0 else { return [] }
        return String(decoding: Files.read(dir.file("out")), as: UTF8.self).split(separator: "\n").map(String.init)
    }

    func stop() {
        process.stop()
        dir.remove()
    }
}

@Suite struct NotifierTests {
    static let rule = AlertRule(
        name: "ToolErrorRatio", expression: .aggregate(AlertSelector(metric: "m"), .max, window: 60_000_000_000),
        condition: .threshold(.greater, 0.3), severity: .error, annotations: ["summary": "tools fail \"a lot\""])
    static let notification = AlertNotification(
        transition: AlertTransition(
            rule: "ToolErrorRatio", severity: .error, group: [Label("tool", "search")], kind: .firing,
            at: 1_793_628_480_000_000_000, value: 0.42, notify: true, suppressedBy: nil),
        rule: rule)
    static let format: @Sendable (Int64) -> String = { "t\($0 / 1_000_000_000)" }

    @Test func aWebhookGetsJSONWithASlackText() async throws {
        let catcher = try WebhookCatcher()
        defer { catcher.stop() }
        try await WebhookNotifier(url: catcher.url + "/hook", formatTime: Self.format).send(Self.notification)
        let got = catcher.received
        #expect(got.count == 1)
        let line = try #require(got.first)
        #expect(line.hasPrefix("/hook application/json {"))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(line.dropFirst("/hook application/json ".count).utf8))
                as? [String: Any])
        #expect(
            json["text"] as? String
                == "[FIRING] ToolErrorRatio (error) tool=search\nvalue 0.420 (> 0.3) at t1793628480\ntools fail \"a lot\""
        )
        #expect(
            json["rule"] as? String == "ToolErrorRatio" && json["state"] as? String == "firing"
                && json["severity"] as? String == "error")
        #expect((json["labels"] as? [String: String]) == ["tool": "search"] && json["value"] as? Double == 0.42)
    }

    @Test func aNon2xxReplyIsRetriedThenGivenUp() async throws {
        let flaky = try WebhookCatcher(statuses: [500, 503, 200])
        defer { flaky.stop() }
        try await WebhookNotifier(url: flaky.url + "/hook", retries: 3, backoff: 0.05, formatTime: Self.format).send(
            Self.notification)
        #expect(flaky.received.count == 3)

        let down = try WebhookCatcher(statuses: [500])
        defer { down.stop() }
        await #expect(
            throws: NotifierError(
                notifier: "webhook", message: "\(down.url)/hook: the server answered 500; gave up after 3 attempts")
        ) {
            try await WebhookNotifier(url: down.url + "/hook", retries: 2, backoff: 0.05, formatTime: Self.format).send(
                Self.notification)
        }
        #expect(down.received.count == 3)
    }

    @Test func aPeerThatNeverAnswersTimesOut() async throws {
        let catcher = try WebhookCatcher()
        defer { catcher.stop() }
        let started = ContinuousClock.now
        await #expect(
            throws: NotifierError(
                notifier: "webhook", message: "\(catcher.url)/hang: no response within 0.3 s; gave up after 2 attempts")
        ) {
            try await WebhookNotifier(
                url: catcher.url + "/hang", timeout: 0.3, retries: 1, backoff: 0.05, formatTime: Self.format
            ).send(Self.notification)
        }
        #expect(ContinuousClock.now - started < .seconds(120))  // generous: tests running beside it can hold up the resumption
    }

    /// A hanging webhook holds up neither evaluation nor recording: the transition is written at
    /// once, the notification waits on its own task.
    @Test func aHangingNotifierNeverBlocksEvaluation() async throws {
        let catcher = try WebhookCatcher()
        defer { catcher.stop() }
        let written = Mutex<[AlertRecord]>([])
        let delivered = Mutex<[NotifierError?]>([])
        let live = try LiveAlerting(
            rules: [Self.rule], interval: 10_000_000_000,
            notifiers: [WebhookNotifier(url: catcher.url + "/hang", timeout: 1, retries: 0, formatTime: Self.format)],
            write: { r in written.withLock { $0.append(r) } },
            onDelivery: { _, _, e in delivered.withLock { $0.append(e) } })
        live.observe(MetricRecord(kind: .gauge, ts: 5_000_000_000, name: "m", value: 0.9))
        let started = ContinuousClock.now
        live.evaluate(through: 10_000_000_000)
        #expect(ContinuousClock.now - started < .milliseconds(200))
        #expect(written.withLock { $0.map(\.state) } == [.firing])
        await live.drain()
        #expect(
            delivered.withLock { $0.count } == 1
                && delivered.withLock { $0[0]?.message.contains("no response within 1.0 s") } == true)
    }

    /// What notifications carry comes from recorded metrics a steered model can fill: secrets in
    /// label values and annotations are replaced before any notifier sees them.
    @Test func notificationsCarryNoSecretByValue() async throws {
        let got = Mutex<[AlertNotification]>([])
        struct Capture: AlertNotifier {
            let name = "capture"
            let got: @Sendable (AlertNotification) -> Void
            func send(_ n: AlertNotification) async throws(NotifierError) { got(n) }
        }
        var rule = AlertRule(
            name: "Leak", expression: .aggregate(AlertSelector(metric: "m"), .max, window: 60_000_000_000),
            groupBy: ["tool"], condition: .threshold(.greater, 0.3), severity: .error,
            annotations: ["summary": "see https://ops:pa55@wiki.example.com/runbook"])
        rule.labels = ["team": "agents"]
        let live = try LiveAlerting(
            rules: [rule], interval: 10_000_000_000, notifiers: [Capture { n in got.withLock { $0.append(n) } }],
            write: { _ in })
        live.observe(
            MetricRecord(
                kind: .gauge, ts: 5_000_000_000, name: "m", labels: ["tool": "sk-abcdefghijklmnopqrstuvwxyz"],
                value: 0.9))
        live.evaluate(through: 10_000_000_000)
        await live.drain()
        let n = try #require(got.withLock { $0.first })
        #expect(n.transition.group.first { $0.name == "tool" }?.value == "[REDACTED]")
        #expect(n.rule.annotations["summary"] == "see https://[REDACTED]@wiki.example.com/runbook")
        #expect(!n.text(formatTime: Self.format).contains("pa55") && !n.title.contains("sk-"))
    }

    /// A webhook URL is often itself the secret: errors show it masked.
    @Test func aWebhookURLsSecretsNeverReachAnError() async throws {
        let down = try WebhookCatcher(statuses: [500])
        defer { down.stop() }
        let url =
            down.url.replacingOccurrences(of: "http://", with: "http://bot:hunter2@")
            + "/services/T00/B00/XXXXSECRET?token=abc123"
        do {
            try await WebhookNotifier(url: url, retries: 0, backoff: 0.01, formatTime: Self.format).send(
                Self.notification)
            Issue.record("a 500 was taken for a delivery")
        } catch {
            #expect(
                !error.message.contains("hunter2") && !error.message.contains("XXXXSECRET")
                    && !error.message.contains("abc123"), "\(error)")
            #expect(error.message.contains("http://[REDACTED]@127.0.0.1:"), "\(error)")
        }
        #expect(
            WebhookNotifier.mask("https://hooks.slack.com/services/T0/B0/abcdef")
                == "https://hooks.slack.com/services/[REDACTED]")
        #expect(WebhookNotifier.mask("notaurl?api_key=1") == "notaurl?api_key=[REDACTED]")
    }

    @Test func theConsoleWritesOneLine() async throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        try await ConsoleNotifier(fd: fds[1], formatTime: Self.format).send(Self.notification)
        close(fds[1])
        var buffer = [UInt8](repeating: 0, count: 512)
        let n = read(fds[0], &buffer, 512)
        close(fds[0])
        #expect(
            String(decoding: buffer[..<n], as: UTF8.self)
                == "alert: [FIRING] ToolErrorRatio (error) tool=search | value 0.420 (> 0.3) at t1793628480 | tools fail \"a lot\"\n"
        )
    }
}

extension NotifierTests {
    /// A resolved alert's line says its condition no longer holds, and values are rounded as the
    /// backtest's tables round them, not printed with every digit.
    @Test func aResolvedLineSaysTheConditionNoLongerHolds() throws {
        let rule = AlertRule(
            name: "Slow",
            expression: .aggregate(AlertSelector(metric: "llm.latency_ms"), .max, window: 300_000_000_000),
            condition: .threshold(.greater, 2500), severity: .warning)
        var transition = AlertTransition(
            rule: "Slow", severity: .warning, group: [], kind: .firing, at: 60_000_000_000, value: 3551.1125280815077,
            notify: true, suppressedBy: nil)
        #expect(AlertNotification(transition: transition, rule: rule).text().contains("value 3551 (> 2500)"))
        transition.kind = .resolved
        transition.value = 876.767524
        let text = AlertNotification(transition: transition, rule: rule).text()
        #expect(text.hasPrefix("[RESOLVED] Slow") && text.contains("value 877 (no longer > 2500)"), "\(text)")
    }
}
