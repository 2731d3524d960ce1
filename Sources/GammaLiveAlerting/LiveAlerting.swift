public import GammaRules
public import GammaModel
import Synchronization

/// Rules evaluated on the live record stream, with the evaluator backtests use.
///
/// Feed it every metric record as it is recorded (``observe(_:)``, a `LogRecorder`'s
/// `metricObserver`) and tell it how far time has got (``evaluate(before:)`` before time
/// passes `t`, ``finish()`` at the end). Evaluation times are the multiples of `interval`, from
/// the first one at or after the first sample, as in a backtest; each evaluation sees every
/// sample up to its time. Each transition is written as an alert record through `write`; those
/// that pass cooldown and deduplication go to the notifiers, on a task of their own, so a slow
/// or failing notifier never holds up recording. Safe to call from any thread.
public final class LiveAlerting: Sendable {
    public let interval: Int64
    public let rules: [AlertRule]
    private let state: Mutex<State>
    private let write: @Sendable (AlertRecord) -> Void
    /// Secrets replaced in what notifications carry (label values, annotations).
    private let secrets: SecretPatterns
    private let dispatcher: NotificationDispatcher?

    struct State {
        var evaluator: AlertEvaluator
        var next: Int64?
        var lastSample: Int64?
        var transitions: [AlertTransition] = []
    }

    /// - Parameters:
    ///   - write: records an alert record (into the same log, by the caller's recorder).
    ///   - onDelivery: told of each notification delivered (`nil` error) or given up.
    public init(
        rules: [AlertRule], interval: Int64, notifiers: [any AlertNotifier],
        write: @escaping @Sendable (AlertRecord) -> Void,
        onDelivery:
            @escaping @Sendable (_ notifier: String, _ notification: AlertNotification, _ error: NotifierError?) -> Void =
            { _, _, _ in },
        secrets: SecretPatterns = .init()
    )
        throws(LabelMatcherError)
    {
        self.secrets = secrets
        self.interval = interval
        let evaluator = try AlertEvaluator(rules: rules)
        self.rules = evaluator.rules
        state = Mutex(State(evaluator: evaluator))
        self.write = write
        dispatcher = notifiers.isEmpty ? nil : NotificationDispatcher(notifiers: notifiers, onDelivery: onDelivery)
    }

    /// Takes one metric record; records of metrics no rule reads are left alone (they neither
    /// start nor extend the evaluations, as in a backtest, which reads only the rules' metrics).
    public func observe(_ m: MetricRecord) {
        let sample = AlertSample(ts: m.ts, name: m.name, kind: m.kind, labels: m.labels, value: m.value)
        let interval = self.interval
        state.withLock { s in
            guard s.evaluator.reads(m.name) else { return }
            s.evaluator.add(sample)
            s.lastSample = max(s.lastSample ?? m.ts, m.ts)
            if s.next == nil { s.next = AlertEvaluator.evaluationTime(atOrAfter: m.ts, interval: interval) }
        }
    }

    /// Runs every evaluation due strictly before `t` (time is about to pass `t - 1`).
    public func evaluate(before t: Int64) { run { e in e < t } }

    /// Runs every evaluation due at or before `t`.
    public func evaluate(through t: Int64) { run { e in e <= t } }

    /// Ends a recording whose last record is at `end`: runs the evaluations up to the first
    /// evaluation time at or after it, so that the last samples are seen (a backtest of the log
    /// evaluates the same range).
    public func finish(at end: Int64) {
        guard state.withLock({ $0.lastSample }) != nil else { return }
        evaluate(through: AlertEvaluator.evaluationTime(atOrAfter: end, interval: interval))
    }

    /// Waits until every notification handed to the notifiers is delivered or given up, for at
    /// most `deadline` (10 s by default); the deliveries still under way then are given up, told
    /// to `onDelivery` with the reason, recorded as alert records (`"delivery":"undelivered"`, the
    /// notifier and the reason), and returned.
    /// Deliveries handed to the notifiers and not yet done or given up (what a drain waits for).
    public var openDeliveries: Int { dispatcher?.openCount ?? 0 }

    @discardableResult
    public func drain(deadline: Duration = .seconds(10)) async -> [(notifier: String, notification: AlertNotification)]
    {
        await dispatcher?.drain(deadline: deadline, recording: write) ?? []
    }

    static func recordState(_ kind: AlertGroupState.Step.Kind) -> AlertRecord.State {
        switch kind {
        case .pending: return .pending
        case .firing: return .firing
        case .resolved: return .resolved
        case .inactive: return .inactive
        }
    }

    /// `10.0s`, `2.50s`.
    static func seconds(_ d: Duration) -> String {
        let (s, atto) = d.components
        return HumanText.duration(seconds: Double(s) + Double(atto) / 1e18)
    }

    static func threshold(_ rule: AlertRule) -> Double? {
        if case .threshold(_, let v) = rule.condition { return v }
        return nil
    }

    /// The notification with secrets replaced in its label values and annotations: labels come from
    /// the recorded metrics, which a steered model can fill with anything.
    func redacted(_ n: AlertNotification) -> AlertNotification {
        var n = n
        n.transition.group = n.transition.group.map { Label($0.name, secrets.redact($0.value).text) }
        n.rule.annotations = n.rule.annotations.mapValues { secrets.redact($0).text }
        n.rule.labels = n.rule.labels.mapValues { secrets.redact($0).text }
        return n
    }

    /// Every transition so far.
    public var transitions: [AlertTransition] { state.withLock { $0.transitions } }

    private func run(_ due: (Int64) -> Bool) {
        let rulesByName = Dictionary(rules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let interval = self.interval
        let produced: [AlertTransition] = state.withLock { s in
            var out: [AlertTransition] = []
            while let e = s.next, due(e) {
                out += s.evaluator.evaluate(at: e)
                let (after, overflow) = e.addingReportingOverflow(interval)
                s.next = overflow ? nil : after
            }
            s.transitions += out
            return out
        }
        for t in produced {
            let rule = rulesByName[t.rule]!
            write(
                AlertRecord(
                    ts: t.at, rule: t.rule, state: Self.recordState(t.kind), severity: t.severity.rawValue,
                    labels: Dictionary(t.group.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                    value: t.value, threshold: Self.threshold(rule)))
            if t.notify { dispatcher?.enqueue(redacted(AlertNotification(transition: t, rule: rule))) }
        }
    }
}

/// Hands notifications to the notifiers off the caller's path. Deliveries run concurrently:
/// each notifier takes each notification on a task of its own, except that the notifications of
/// one alert (rule and group) reach one notifier in the order they were made, so a RESOLVED never
/// overtakes its FIRING. ``drain(deadline:)`` waits for them up to a deadline.
final class NotificationDispatcher: Sendable {
    /// One delivery: a notification to one notifier.
    struct Delivery: Sendable {
        var notifier: String
        var notification: AlertNotification
    }

    private struct State {
        /// Deliveries handed over and not yet done or given up, by number.
        var open: [Int: Delivery] = [:]
        var nextID = 0
        /// The last delivery's task of each (notifier, rule, group), which the next one waits for.
        var tails: [String: Task<Void, Never>] = [:]
        var waiters: [CheckedContinuation<Void, Never>] = []
        /// Set by a drain that ran out of time: deliveries still open are given up.
        var closed = false
    }

    private let notifiers: [any AlertNotifier]
    private let onDelivery: @Sendable (String, AlertNotification, NotifierError?) -> Void
    private let state = Mutex(State())

    init(
        notifiers: [any AlertNotifier],
        onDelivery: @escaping @Sendable (String, AlertNotification, NotifierError?) -> Void
    ) {
        self.notifiers = notifiers
        self.onDelivery = onDelivery
    }

    func enqueue(_ n: AlertNotification) {
        let group = n.transition.group.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
        for notifier in notifiers {
            let key = notifier.name + "\u{0}" + n.rule.name + "\u{0}" + group
            state.withLock { s in
                guard !s.closed else { return }
                let id = s.nextID
                s.nextID += 1
                s.open[id] = Delivery(notifier: notifier.name, notification: n)
                let previous = s.tails[key]
                s.tails[key] = Task { [onDelivery] in
                    await previous?.value
                    var error: NotifierError?
                    do throws(NotifierError) { try await notifier.send(n) } catch let e { error = e }
                    // Delivered or given up once: a drain past its deadline has reported it already.
                    guard self.finish(id) else { return }
                    onDelivery(notifier.name, n, error)
                }
            }
        }
    }

    /// ``drain(deadline:)``, with each delivery given up recorded as an alert record that says so
    /// (`"delivery":"undelivered"`, the notifier and the reason).
    func drain(deadline: Duration, recording write: @Sendable (AlertRecord) -> Void) async -> [(
        notifier: String, notification: AlertNotification
    )] {
        let left = await drain(deadline: deadline)
        for d in left {
            let t = d.notification.transition
            write(
                AlertRecord(
                    ts: t.at, rule: t.rule, state: LiveAlerting.recordState(t.kind), severity: t.severity.rawValue,
                    labels: Dictionary(t.group.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                    value: t.value, threshold: d.notification.rule.threshold, notifier: d.notifier,
                    undelivered: "not delivered within the \(LiveAlerting.seconds(deadline)) deadline at exit"))
        }
        return left.map { ($0.notifier, $0.notification) }
    }

    /// Marks a delivery done; false if a drain already gave it up.
    private func finish(_ id: Int) -> Bool {
        let (known, waiters): (Bool, [CheckedContinuation<Void, Never>]) = state.withLock { s in
            guard s.open.removeValue(forKey: id) != nil else { return (false, []) }
            guard s.open.isEmpty else { return (true, []) }
            defer { s.waiters = [] }
            return (true, s.waiters)
        }
        for w in waiters { w.resume() }
        return known
    }

    var openCount: Int { state.withLock { $0.open.count } }

    /// Waits until every delivery handed over is done or given up by its notifier, or until
    /// `deadline` has passed; then the deliveries still open are given up, told to `onDelivery`
    /// with the reason, and returned.
    func drain(deadline: Duration) async -> [Delivery] {
        let timer = Task { [weak self] in
            try? await Task.sleep(for: deadline)
            self?.wake()
        }
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let idle = state.withLock { s in
                if s.open.isEmpty { return true }
                s.waiters.append(c)
                return false
            }
            if idle { c.resume() }
        }
        timer.cancel()
        let left: [Delivery] = state.withLock { s in
            s.closed = true
            defer { s.open = [:] }
            for (_, task) in s.tails { task.cancel() }
            return s.open.sorted { $0.key < $1.key }.map(\.value)
        }
        for d in left {
            onDelivery(
                d.notifier, d.notification,
                NotifierError(
                    notifier: d.notifier,
                    message: "not delivered within the \(LiveAlerting.seconds(deadline)) deadline at exit"))
        }
        return left
    }

    /// Releases the drain's waiters (its deadline has passed).
    private func wake() {
        let waiters = state.withLock { s in
            defer { s.waiters = [] }
            return s.waiters
        }
        for w in waiters { w.resume() }
    }
}
