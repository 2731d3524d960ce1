import ArgumentParser
import GammaModel
import GammaRules
import GammaPromQL
import GammaLiveAlerting
import GammaCLI
import GammaConfig
import GammaNet

/// The live-alerting options `run` and `simulate` share.
struct AlertOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Alert rules to evaluate live (docs/ALERTING.md), or a Prometheus rule file (docs/PROMQL.md): transitions are recorded as alert records and notified.",
            valueName: "file"))
    var rules: String?
    @Option(
        parsing: .unconditional, help: ArgumentHelp("Evaluate the rules every this much time.", valueName: "duration"))
    var alertInterval =
        "15s"
    @Option(
        help: ArgumentHelp(
            "Also POST notifications to this webhook (JSON with a Slack-compatible text); repeatable.", valueName: "url"
        ))
    var webhook: [String] = []
    @Flag(help: "Do not print notifications on standard error.") var quietAlerts = false
    @Option(
        help: ArgumentHelp(
            "Also email notifications through this SMTP server (STARTTLS when offered; credentials from GAMMA_SMTP_USER and GAMMA_SMTP_PASSWORD).",
            valueName: "host:port"))
    var smtp: String?
    @Option(help: ArgumentHelp("The sender of notification emails.", valueName: "address")) var smtpFrom =
        "gamma@localhost"
    @Option(help: ArgumentHelp("A recipient of notification emails; repeatable.", valueName: "address")) var smtpTo:
        [String] = []
    @Option(
        help: ArgumentHelp(
            "Trust this PEM file of certificates for STARTTLS instead of the system's.", valueName: "file")) var smtpCA:
        String?
    @Flag(help: "Refuse an SMTP server that does not offer STARTTLS.") var smtpRequireTLS = false
    @Option(
        help: ArgumentHelp(
            "At the end, wait at most this long for notifications still being delivered; those left are given up, reported and recorded.",
            valueName: "duration"))
    var notifyDeadline = "10s"

    /// The end's wait for deliveries, from --notify-deadline.
    var deadline: Duration { .nanoseconds(DurationParser.parse(notifyDeadline) ?? 10_000_000_000) }

    func validate() throws {
        guard let i = DurationParser.parse(alertInterval), i >= 1_000_000 else {
            throw ValidationError("--alert-interval '\(alertInterval)' is not a duration of at least 1ms (like 15s).")
        }
        if rules == nil && (!webhook.isEmpty || smtp != nil) {
            throw ValidationError("--webhook and --smtp need --rules.")
        }
        if let smtp {
            guard smtpEndpoint(smtp) != nil else { throw ValidationError("--smtp '\(smtp)' is not host:port.") }
            if smtpTo.isEmpty { throw ValidationError("--smtp needs at least one --smtp-to.") }
        }
        for url in webhook where webhookEndpoint(url) == nil {
            throw ValidationError(
                "--webhook '\(WebhookNotifier.mask(url))' is not an http or https URL with a host (like https://hooks.example.com/T0/B0)."
            )
        }
        for address in smtpTo + [smtpFrom] where !isMailAddress(address) {
            throw ValidationError("'\(address)' is not an email address (like oncall@example.com).")
        }
        guard let d = DurationParser.parse(notifyDeadline), d >= 0 else {
            throw ValidationError("--notify-deadline '\(notifyDeadline)' is not a duration (like 10s, 1m).")
        }
    }

    /// The rules, the interval and the notifiers, or `nil` without --rules; a bad rule file is
    /// reported and exits 2.
    /// The rules (Gamma's, or a Prometheus rule file with `groups:`), interval and notifiers.
    func load() throws -> (
        rules: [AlertRule], prometheus: PromRuleFile?, interval: Int64, notifiers: [any AlertNotifier]
    )? {
        guard let rules else { return nil }
        var loaded: [AlertRule] = []
        var prometheus: PromRuleFile?
        do throws(ConfigError) {
            let root = try ConfigDocument.load(path: rules)
            if PromRuleFile.isPrometheus(root) {
                prometheus = try PromRuleFile.parse(root)
            } else {
                loaded = try RuleFile.parse(root)
            }
        } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        if prometheus != nil && alertInterval != "15s" {
            printError(
                "error: \(rules) is a Prometheus rule file, whose groups give their intervals: leave out --alert-interval"
            )
            throw ExitCode(64)
        }
        var notifiers: [any AlertNotifier] = quietAlerts ? [] : [ConsoleNotifier()]
        // A target nothing answers at is refused now, not after every notification of the run has
        // waited through its retries.
        for url in webhook {
            if let (host, port) = webhookEndpoint(url), let why = TCPConnection.probe(host: host, port: port) {
                printError("error: --webhook \(WebhookNotifier.mask(url)) cannot be reached: \(why)")
                throw ExitCode(2)
            }
        }
        if let smtp, let (host, port) = smtpEndpoint(smtp), let why = TCPConnection.probe(host: host, port: port) {
            printError("error: --smtp \(smtp) cannot be reached: \(why)")
            throw ExitCode(2)
        }
        notifiers += webhook.map { WebhookNotifier(url: $0) }
        if let smtp, let (host, port) = smtpEndpoint(smtp) {
            notifiers.append(
                EmailNotifier(
                    client: SMTPClient(host: host, port: port, requireTLS: smtpRequireTLS, caFile: smtpCA),
                    from: smtpFrom, to: smtpTo))
        }
        return (loaded, prometheus, DurationParser.parse(alertInterval)!, notifiers)
    }
}

/// `host:port`, or `nil`.
func smtpEndpoint(_ text: String) -> (String, Int)? {
    guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
        (1...65_535).contains(port),
        colon > text.startIndex
    else { return nil }
    return (String(text[..<colon]), port)
}

/// The host and port of an http or https URL, or `nil`.
func webhookEndpoint(_ text: String) -> (String, Int)? {
    let lower = text.lowercased()
    let secure = lower.hasPrefix("https://")
    guard secure || lower.hasPrefix("http://") else { return nil }
    var rest = Substring(text.dropFirst(secure ? 8 : 7))
    if let end = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
    if let at = rest.lastIndex(of: "@") { rest = rest[rest.index(after: at)...] }  // user:password@
    var host = String(rest), port = secure ? 443 : 80
    if host.hasPrefix("["), let close = host.firstIndex(of: "]") {  // [::1]:8080
        let after = host[host.index(after: close)...]
        if after.hasPrefix(":") { guard let p = Int(after.dropFirst()) else { return nil }; port = p }
        host = String(host[host.index(after: host.startIndex)..<close])
    } else if let colon = host.lastIndex(of: ":") {
        guard let p = Int(host[host.index(after: colon)...]) else { return nil }
        port = p
        host = String(host[..<colon])
    }
    guard !host.isEmpty, (1...65_535).contains(port) else { return nil }
    return (host, port)
}

/// `local@domain`, with no spaces or angle brackets.
func isMailAddress(_ text: String) -> Bool {
    let parts = text.split(separator: "@", omittingEmptySubsequences: false)
    return parts.count == 2 && !parts[0].isEmpty && !parts[1].isEmpty
        && !text.contains(where: { $0 == " " || $0 == "<" || $0 == ">" || $0 == "," || $0 == "\r" || $0 == "\n" })
}

/// Warns of the rule evaluations that failed during a run: how many, and the first.
func printFailures(_ failures: (count: Int, first: String?)) {
    guard let first = failures.first else { return }
    printError("warning: \(plural(failures.count, "rule evaluation")) failed, the first: \(first)")
}
