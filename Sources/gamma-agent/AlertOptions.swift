import ArgumentParser
import GammaModel
import GammaRules
import GammaLiveAlerting
import GammaCLI
import GammaConfig
import GammaNet

/// The live-alerting options `run` and `simulate` share.
struct AlertOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Alert rules to evaluate live (docs/ALERTING.md): transitions are recorded as alert records and notified.",
            valueName: "file"))
    var rules: String?
    @Option(help: ArgumentHelp("Evaluate the rules every this much time.", valueName: "duration")) var alertInterval =
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
    }

    /// The rules, the interval and the notifiers, or `nil` without --rules; a bad rule file is
    /// reported and exits 2.
    func load() throws -> (rules: [AlertRule], interval: Int64, notifiers: [any AlertNotifier])? {
        guard let rules else { return nil }
        let loaded: [AlertRule]
        do throws(ConfigError) { loaded = try RuleFile.load(path: rules) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        var notifiers: [any AlertNotifier] = quietAlerts ? [] : [ConsoleNotifier()]
        notifiers += webhook.map { WebhookNotifier(url: $0) }
        if let smtp, let (host, port) = smtpEndpoint(smtp) {
            notifiers.append(
                EmailNotifier(
                    client: SMTPClient(host: host, port: port, requireTLS: smtpRequireTLS, caFile: smtpCA),
                    from: smtpFrom, to: smtpTo))
        }
        return (loaded, DurationParser.parse(alertInterval)!, notifiers)
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
