public import GammaRules
#if canImport(Glibc)
import Glibc
#endif
public import GammaModel
import GammaNet

/// What a notifier sends: a transition that passed cooldown and deduplication, with what people
/// need of its rule (a Gamma rule or a Prometheus alerting rule alike).
public struct AlertNotification: Sendable, Equatable {
    /// The rule as notifications show it.
    public struct Rule: Sendable, Equatable {
        public var name: String
        public var severity: AlertRule.Severity
        public var labels: [String: String]
        public var annotations: [String: String]
        /// The condition as people read it: `> 2500`, `above mean ± 5σ`, or a PromQL expression.
        public var condition: String
        /// A threshold rule's threshold.
        public var threshold: Double?

        public init(
            name: String, severity: AlertRule.Severity, labels: [String: String] = [:],
            annotations: [String: String] = [:], condition: String, threshold: Double? = nil
        ) {
            self.name = name
            self.severity = severity
            self.labels = labels
            self.annotations = annotations
            self.condition = condition
            self.threshold = threshold
        }

        /// A Gamma rule's.
        public init(_ rule: AlertRule) {
            switch rule.condition {
            case .threshold(let op, let threshold):
                self.init(
                    name: rule.name, severity: rule.severity, labels: rule.labels, annotations: rule.annotations,
                    condition: "\(op.rawValue) \(ReportNumbers.shortest(threshold))", threshold: threshold)
            case .anomaly(let k, _, _, _, let direction):
                self.init(
                    name: rule.name, severity: rule.severity, labels: rule.labels, annotations: rule.annotations,
                    condition: "\(direction.rawValue) mean ± \(ReportNumbers.shortest(k))σ")
            }
        }
    }

    public var transition: AlertTransition
    public var rule: Rule

    public init(transition: AlertTransition, rule: AlertRule) {
        self.transition = transition
        self.rule = Rule(rule)
    }

    public init(transition: AlertTransition, rule: Rule) {
        self.transition = transition
        self.rule = rule
    }

    /// `[FIRING] LLMLatencyHigh (warning) model=scripted`.
    public var title: String {
        let state =
            transition.kind == .firing
            ? "FIRING" : transition.kind == .resolved ? "RESOLVED" : transition.kind.rawValue.uppercased()
        let labels = transition.group.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
        return "[\(state)] \(rule.name) (\(rule.severity.rawValue))" + (labels.isEmpty ? "" : " \(labels)")
    }

    /// The title, then the value against the condition, the time, and the summary annotation.
    /// Values are rounded as the backtest's tables round them; a resolved alert says that its
    /// condition no longer holds.
    public func text(formatTime: (Int64) -> String = { TimeParser.format($0) }) -> String {
        var lines = [title]
        let condition = rule.condition
        let holds = transition.kind == .resolved ? "no longer " : ""
        lines.append(
            "value \(transition.value.map { HumanText.number($0) } ?? "none") (\(holds)\(condition)) at \(formatTime(transition.at))"
        )
        if let summary = rule.annotations["summary"] { lines.append(summary) }
        return lines.joined(separator: "\n")
    }
}

/// Why a notification was not delivered.
public struct NotifierError: Error, Equatable, CustomStringConvertible {
    public var notifier: String
    public var message: String
    public init(notifier: String, message: String) {
        self.notifier = notifier
        self.message = message
    }
    public var description: String { "\(notifier): \(message)" }
}

/// Delivers notifications somewhere. Called off the recording path, one notification at a time.
public protocol AlertNotifier: Sendable {
    /// `console`, `webhook`, `email`: the label of the notifier's metrics and errors.
    var name: String { get }
    func send(_ notification: AlertNotification) async throws(NotifierError)
}

/// Writes each notification as one line to a file descriptor (standard error by default).
public struct ConsoleNotifier: AlertNotifier {
    public let name = "console"
    public let fd: Int32
    public let formatTime: @Sendable (Int64) -> String

    public init(fd: Int32 = 2, formatTime: @escaping @Sendable (Int64) -> String = { TimeParser.format($0) }) {
        self.fd = fd
        self.formatTime = formatTime
    }

    public func send(_ n: AlertNotification) async throws(NotifierError) {
        let line = "alert: " + n.text(formatTime: formatTime).replacing("\n", with: " | ") + "\n"
        let ok = line.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) } >= 0
        if !ok { throw NotifierError(notifier: name, message: "cannot write: \(String(cString: strerror(errno)))") }
    }
}

/// POSTs each notification as JSON: a Slack-compatible `text`, and the alert's fields. A
/// response other than 2xx, or none within the timeout, is retried with a doubling backoff;
/// after the last attempt the notification is given up with an error.
public struct WebhookNotifier: AlertNotifier {
    public let name = "webhook"
    public let url: String
    public var timeout: Double
    public var retries: Int
    /// The first backoff, in seconds.
    public var backoff: Double
    public let formatTime: @Sendable (Int64) -> String

    public init(
        url: String, timeout: Double = 5, retries: Int = 3, backoff: Double = 0.5,
        formatTime: @escaping @Sendable (Int64) -> String = { TimeParser.format($0) }
    ) {
        self.url = url
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.formatTime = formatTime
    }

    /// The URL as errors and messages show it: credentials and secret query values masked
    /// (`https://[REDACTED]@hooks.example.com/x?token=[REDACTED]`); a webhook URL is often itself the secret.
    public var maskedURL: String { Self.mask(url) }

    /// `url` with its credentials, secret query values and any secret-shaped value masked, and
    /// Slack-style path tokens (`/services/T…/B…/…`) cut to their first segment.
    public static func mask(_ url: String) -> String {
        var masked = SecretPatterns().redact(url).text
        if let range = masked.firstRange(of: "/services/") {
            masked = String(masked[..<range.upperBound]) + SecretPatterns.replacement
        }
        return masked
    }

    public func body(_ n: AlertNotification) -> [UInt8] {
        var w = JSONWriter(capacity: 512)
        w.raw(#"{"text":"#); w.string(n.text(formatTime: formatTime))
        w.raw(#","rule":"#); w.string(n.rule.name)
        w.raw(#","state":"#); w.string(n.transition.kind.rawValue)
        w.raw(#","severity":"#); w.string(n.rule.severity.rawValue)
        w.raw(#","labels":"#);
        w.stringMap(Dictionary(n.transition.group.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
        w.raw(#","annotations":"#); w.stringMap(n.rule.annotations)
        w.raw(#","value":"#); if let v = n.transition.value, v.isFinite { w.double(v) } else { w.raw("null") }
        w.raw(#","at":"#); w.string(formatTime(n.transition.at))
        w.raw("}")
        return w.bytes
    }

    public func send(_ n: AlertNotification) async throws(NotifierError) {
        let client = HTTPClient(timeout: timeout, maxBodyBytes: 1 << 16)
        let payload = body(n)
        var attempt = 0
        while true {
            var failure: String
            do throws(HTTPError) {
                let response = try await client.send(
                    "POST", url, headers: [("Content-Type", "application/json")], body: payload)
                if (200..<300).contains(response.status) { return }
                failure = "the server answered \(response.status)"
            } catch {
                if case .badURL = error {
                    throw NotifierError(notifier: name, message: "'\(maskedURL)' is not an http or https URL")
                }
                failure = "\(error)"
            }
            guard attempt < retries else {
                throw NotifierError(
                    notifier: name, message: "\(maskedURL): \(failure); gave up after \(attempt + 1) attempts")
            }
            let wait = min(30, backoff * Double(1 << min(attempt, 20)))
            attempt += 1
            try? await Task.sleep(nanoseconds: UInt64(wait * 1e9))
        }
    }
}
