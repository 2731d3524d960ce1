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
            { _, _, _ in }
    )
        throws(LabelMatcherError)
    {
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

    /// Waits until every notification handed to the notifiers is delivered or given up.
    public func drain() async { await dispatcher?.drain() }

    /// Every transition so far.
    public var transitions: [AlertTransition] { state.withLock { $0.transitions } }

    private func run(_ due: (Int64) -> Bool) {
        let rulesByName = Dictionary(rules.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let interval = self.interval
        let produced: [AlertTransition] = state.withLock { s in
            var out: [AlertTransition] = []
            while let e = s.next, due(e) {
                out += s.evaluator.evaluate(at: e)
                s.next = e + interval
            }
            s.transitions += out
            return out
        }
        for t in produced {
            let rule = rulesByName[t.rule]!
            var threshold: Double?
            if case .threshold(_, let v) = rule.condition { threshold = v }
            let state: AlertRecord.State
            switch t.kind {
            case .pending: state = .pending
            case .firing: state = .firing
            case .resolved: state = .resolved
            case .inactive: state = .inactive
            }
            write(
                AlertRecord(
                    ts: t.at, rule: t.rule, state: state, severity: t.severity.rawValue,
                    labels: Dictionary(t.group.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }),
                    value: t.value, threshold: threshold))
            if t.notify { dispatcher?.enqueue(AlertNotification(transition: t, rule: rule)) }
        }
    }
}

/// Hands notifications to the notifiers in order, on one task, off the caller's path.
final class NotificationDispatcher: Sendable {
    /// Notifications handed over and not yet through every notifier, and who waits for none.
    final class Pending: Sendable {
        let state = Mutex<(count: Int, waiters: [CheckedContinuation<Void, Never>])>((0, []))

        func add() { state.withLock { $0.count += 1 } }

        func done() {
            let waiters: [CheckedContinuation<Void, Never>] = state.withLock { s in
                s.count -= 1
                guard s.count == 0 else { return [] }
                defer { s.waiters = [] }
                return s.waiters
            }
            for w in waiters { w.resume() }
        }

        func wait() async {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let idle = state.withLock { s in
                    if s.count == 0 { return true }
                    s.waiters.append(c)
                    return false
                }
                if idle { c.resume() }
            }
        }
    }

    private let continuation: AsyncStream<AlertNotification>.Continuation
    private let pending = Pending()

    init(
        notifiers: [any AlertNotifier],
        onDelivery: @escaping @Sendable (String, AlertNotification, NotifierError?) -> Void
    ) {
        let (stream, continuation) = AsyncStream<AlertNotification>.makeStream()
        self.continuation = continuation
        let pending = self.pending
        Task {
            for await n in stream {
                for notifier in notifiers {
                    do throws(NotifierError) {
                        try await notifier.send(n)
                        onDelivery(notifier.name, n, nil)
                    } catch {
                        onDelivery(notifier.name, n, error)
                    }
                }
                pending.done()
            }
        }
    }

    deinit { continuation.finish() }

    func enqueue(_ n: AlertNotification) {
        pending.add()
        continuation.yield(n)
    }

    func drain() async { await pending.wait() }
}
