import ArgumentParser
import GammaAlerting
import GammaCLI
import GammaConfig

/// The live-alerting options `run` and `simulate` share.
struct AlertOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Alert rules to evaluate live (docs/ALERTING.md): transitions are recorded as alert records and notified.", valueName: "file"))
    var rules: String?
    @Option(help: ArgumentHelp("Evaluate the rules every this much time.", valueName: "duration")) var alertInterval = "15s"
    @Option(help: ArgumentHelp("Also POST notifications to this webhook (JSON with a Slack-compatible text); repeatable.", valueName: "url"))
    var webhook: [String] = []
    @Flag(help: "Do not print notifications on standard error.") var quietAlerts = false

    func validate() throws {
        guard let i = DurationParser.parse(alertInterval), i >= 1_000_000 else {
            throw ValidationError("--alert-interval '\(alertInterval)' is not a duration of at least 1ms (like 15s).")
        }
        if rules == nil && !webhook.isEmpty { throw ValidationError("--webhook needs --rules.") }
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
        let format: @Sendable (Int64) -> String = { TimeParser.format($0) }
        var notifiers: [any AlertNotifier] = quietAlerts ? [] : [ConsoleNotifier(formatTime: format)]
        notifiers += webhook.map { WebhookNotifier(url: $0, formatTime: format) }
        return (loaded, DurationParser.parse(alertInterval)!, notifiers)
    }
}
