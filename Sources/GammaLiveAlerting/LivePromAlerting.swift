public import GammaModel
public import GammaPromQL
public import GammaRules
import Synchronization

/// What live evaluation offers a recording, for Gamma's rules (``LiveAlerting``) and
/// Prometheus rule files (``LivePromAlerting``) alike.
public protocol LiveRuleEvaluation: Sendable {
    /// How often a caller that keeps real time should call ``evaluate(through:)`` (nanoseconds).
    var interval: Int64 { get }
    func observe(_ m: MetricRecord)
    func evaluate(before t: Int64)
    func evaluate(through t: Int64)
    func finish(at end: Int64)
    @discardableResult
    func drain(deadline: Duration) async -> [(notifier: String, notification: AlertNotification)]
    var openDeliveries: Int { get }
    /// Every transition so far, as alert records and summaries show them.
    var transitions: [AlertTransition] { get }
    /// How many evaluations failed (a many-to-many match, say), and the first, with its group
    /// and time.
    var evaluationFailures: (count: Int, first: String?) { get }
}

extension LiveAlerting: LiveRuleEvaluation {
    /// Gamma's rules cannot fail to evaluate (their files are checked at load).
    public var evaluationFailures: (count: Int, first: String?) { (0, nil) }
}

/// A Prometheus rule file evaluated live on a recording, as gamma-backtest evaluates it on the
/// log afterwards: the recording's metric records scraped as a server would scrape the process
/// (``Scraper``), each group evaluated at the multiples of its interval as recorded time passes
/// them (``RuleEvaluator``). Pending, firing and resolved alerts are written as alert records;
/// firing and resolved ones go to the notifiers (Prometheus has no cooldown). Safe to call from
/// any thread.
public final class LivePromAlerting: LiveRuleEvaluation {
    public let file: PromRuleFile
    public let interval: Int64
    private let state: Mutex<State>
    private let write: @Sendable (AlertRecord) -> Void
    private let secrets: SecretPatterns
    private let dispatcher: NotificationDispatcher?

    struct State {
        var stream: String
        var scraper: Scraper
        var store = MemorySeries()
        var evaluator: RuleEvaluator
        /// Each group's next evaluation time (milliseconds), once the first sample is in.
        var next: [Int64]?
        var lastSample: Int64?
        var transitions: [AlertTransition] = []
        var failures = 0
        var firstFailure: String?
    }

    /// - Parameters:
    ///   - stream: the recording's stream id (the `instance` label).
    ///   - units: the unit of each metric name (from its meta record), for names and scaling.
    public init(
        file: PromRuleFile, stream: String, units: [String: String], scrape: Scraper.Options = .init(),
        notifiers: [any AlertNotifier], write: @escaping @Sendable (AlertRecord) -> Void,
        onDelivery:
            @escaping @Sendable (_ notifier: String, _ notification: AlertNotification, _ error: NotifierError?) -> Void =
            { _, _, _ in },
        secrets: SecretPatterns = .init()
    ) {
        self.file = file
        interval = (file.groups.map(\.interval).min() ?? 60_000) * 1_000_000
        var scraper = Scraper(options: scrape)
        for (name, unit) in units { scraper.declare(unit: unit, for: name) }
        state = Mutex(State(stream: stream, scraper: scraper, evaluator: RuleEvaluator(file)))
        self.write = write
        self.secrets = secrets
        dispatcher = notifiers.isEmpty ? nil : NotificationDispatcher(notifiers: notifiers, onDelivery: onDelivery)
    }

    /// Names the recording's stream (the `instance` label), once it is known; before the first record.
    public func name(stream: String) { state.withLock { s in if s.lastSample == nil { s.stream = stream } } }

    public func observe(_ m: MetricRecord) {
        let groups = file.groups
        state.withLock { s in
            s.scraper.add(m, stream: s.stream)
            s.lastSample = max(s.lastSample ?? m.ts, m.ts)
            if s.next == nil {
                // As a backtest: every group from the last multiple of all their intervals.
                func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
                var lcm: Int64 = 1
                for g in groups { lcm = lcm / gcd(lcm, g.interval) * g.interval }
                let first = m.ts / 1_000_000
                let base = first >= 0 ? first / lcm * lcm : (first - lcm + 1) / lcm * lcm
                s.next = groups.map { _ in base }
            }
        }
    }

    public func evaluate(before t: Int64) { run { e in e * 1_000_000 < t } }
    public func evaluate(through t: Int64) { run { e in e * 1_000_000 <= t } }

    /// Ends a recording whose last record is at `end`: the process's series go stale, and the
    /// evaluations run up to the first at or after `end`.
    public func finish(at end: Int64) {
        guard state.withLock({ $0.lastSample }) != nil else { return }
        let groups = file.groups
        let last = groups.map { g in (end / 1_000_000 + g.interval - 1) / g.interval * g.interval }.max() ?? 0
        run { e in e <= last }
        state.withLock { s in s.scraper.finish(into: &s.store) }
    }

    public var transitions: [AlertTransition] { state.withLock { $0.transitions } }
    public var evaluationFailures: (count: Int, first: String?) {
        state.withLock { ($0.failures, $0.firstFailure) }
    }
    public var openDeliveries: Int { dispatcher?.openCount ?? 0 }

    @discardableResult
    public func drain(deadline: Duration = .seconds(10)) async -> [(notifier: String, notification: AlertNotification)]
    {
        await dispatcher?.drain(deadline: deadline, recording: write) ?? []
    }

    /// Runs every due evaluation, in time order (groups in file order at one time).
    private func run(_ due: (Int64) -> Bool) {
        let groups = file.groups
        let produced: [(AlertTransition, RuleEvaluator.Transition)] = state.withLock { s in
            guard var next = s.next else { return [] }
            var out: [(AlertTransition, RuleEvaluator.Transition)] = []
            while let g = next.indices.min(by: { (next[$0], $0) < (next[$1], $1) }), due(next[g]) {
                let t = next[g]
                s.scraper.scrape(through: t, into: &s.store)
                // An evaluation that fails (a many-to-many match, say) gives no transition, as a
                // failed rule evaluation in Prometheus, and is kept to be reported.
                do {
                    for tr in try s.evaluator.evaluate(group: g, at: t, store: &s.store) {
                        out.append((Self.transition(tr), tr))
                    }
                } catch {
                    s.failures += 1
                    if s.firstFailure == nil {
                        s.firstFailure = "group '\(groups[g].name)' at \(TimeParser.format(t * 1_000_000)): \(error)"
                    }
                }
                next[g] = t + groups[g].interval
            }
            s.next = next
            s.transitions += out.map(\.0)
            return out
        }
        for (t, tr) in produced {
            write(
                AlertRecord(
                    ts: t.at, rule: t.rule, state: LiveAlerting.recordState(t.kind), severity: t.severity.rawValue,
                    labels: Dictionary(t.group.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                    value: t.value, threshold: nil))
            guard t.notify else { continue }
            let rule = AlertNotification.Rule(
                name: tr.alert.rule, severity: t.severity,
                annotations: tr.alert.annotations.mapValues { secrets.redact($0).text },
                condition: expressionText(tr.alert.rule))
            var n = AlertNotification(transition: t, rule: rule)
            n.transition.group = n.transition.group.map { Label($0.name, secrets.redact($0.value).text) }
            dispatcher?.enqueue(n)
        }
    }

    /// An alerting rule's expression on one line.
    private func expressionText(_ name: String) -> String {
        for g in file.groups {
            for case .alert(let a) in g.rules where a.name == name {
                return a.exprText.split(whereSeparator: \.isNewline).map { $0.trimmingSpaces }.joined(separator: " ")
                    .trimmingSpaces
            }
        }
        return name
    }

    /// A Prometheus alert's transition as Gamma's alert records and notifications carry it: the
    /// alert's labels (without `alertname`) as its group, `severity` from its labels.
    static func transition(_ tr: RuleEvaluator.Transition) -> AlertTransition {
        let labels = tr.alert.labels.pairs.filter { $0.name != "alertname" }
        let severity = AlertRule.Severity(rawValue: tr.alert.labels["severity"]) ?? .warning
        let kind: AlertGroupState.Step.Kind
        switch tr.state {
        case .pending: kind = .pending
        case .firing: kind = .firing
        case .inactive: kind = .resolved
        }
        return AlertTransition(
            rule: tr.alert.rule, severity: severity, group: labels.map { Label($0.name, $0.value) }, kind: kind,
            at: tr.at * 1_000_000, value: tr.alert.value, notify: kind != .pending, suppressedBy: nil)
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        var s = self
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    fileprivate var trimmingSpaces: String { self[...].trimmingSpaces }
}
