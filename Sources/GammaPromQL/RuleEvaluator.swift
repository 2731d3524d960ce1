/// Evaluates the groups of a Prometheus rule file as Prometheus' rule manager does: each group at
/// the multiples of its interval, its rules in order, a recording rule's series stored at once
/// (so later rules see them) and ended by a staleness marker when they stop; an alerting rule's
/// alerts pending from the first evaluation that returns them, firing once `for` has passed,
/// kept firing `keep_firing_for` after the first evaluation that no longer returns them, and
/// resolved then.
public struct RuleEvaluator: Sendable {
    public enum State: String, Sendable { case pending, firing, inactive }

    public struct Alert: Sendable, Equatable {
        public var rule: String
        /// The sample's labels without the name, the rule's labels and `alertname`.
        public var labels: Labels
        public var annotations: [String: String]
        public var value: Double
        public var state: State
        public var activeAt: Int64
        public var firedAt: Int64?
        public var resolvedAt: Int64?
        var keepFiringSince: Int64?
    }

    /// A change of an alert's state at an evaluation.
    public struct Transition: Sendable, Equatable {
        public var at: Int64
        public var alert: Alert
        /// The state it entered: pending, firing, or inactive (resolved).
        public var state: State
    }

    public let file: PromRuleFile
    public var engine = Engine()
    /// Active alerts per rule (group index, rule index), by label set.
    private var active: [[[Labels: Alert]]]
    /// The series each recording rule wrote at its last evaluation.
    private var recorded: [[Set<Labels>]]

    public init(_ file: PromRuleFile) {
        self.file = file
        active = file.groups.map { g in g.rules.map { _ in [:] } }
        recorded = file.groups.map { g in g.rules.map { _ in [] } }
    }

    /// Evaluates group `g` at `t` (milliseconds), storing recorded series in `store`.
    public mutating func evaluate(group g: Int, at t: Int64, store: inout MemorySeries) throws(EvaluationError)
        -> [Transition]
    {
        var transitions: [Transition] = []
        for (r, rule) in file.groups[g].rules.enumerated() {
            switch rule {
            case .record(let rec):
                var samples = try instantSamples(rec.expr, at: t, in: store)
                var written: Set<Labels> = []
                for k in samples.indices {
                    var l = samples[k].labels
                    l["__name__"] = rec.name
                    for (n, v) in rec.labels { l[n] = v }
                    samples[k].labels = l
                    guard written.insert(l).inserted else {
                        throw EvaluationError(
                            description: "recording rule \(rec.name): the result holds \(l) twice after its labels")
                    }
                }
                for s in samples { store.append(s.labels, t, s.value) }
                for gone in recorded[g][r].subtracting(written) { store.append(gone, t, staleMarker) }
                recorded[g][r] = written
            case .alert(let alert):
                transitions += try evaluate(alert, g: g, r: r, at: t, in: store)
            }
        }
        return transitions
    }

    private func instantSamples(_ e: Expr, at t: Int64, in store: MemorySeries) throws(EvaluationError) -> [Sample] {
        switch try engine.evaluate(e, at: t, in: store) {
        case .vector(let v): return v
        case .scalar(let v): return [Sample(Labels([(String, String)]()), v)]
        default: throw EvaluationError(description: "a rule's expression must give an instant vector or a scalar")
        }
    }

    private mutating func evaluate(
        _ rule: PromRuleFile.AlertingRule, g: Int, r: Int, at t: Int64, in store: MemorySeries
    ) throws(EvaluationError) -> [Transition] {
        var transitions: [Transition] = []
        var current: [Labels: Alert] = [:]
        for s in try instantSamples(rule.expr, at: t, in: store) {
            let data = s.labels.withoutName.dictionary
            var labels = s.labels.withoutName
            for (n, v) in rule.labels { labels[n] = v.render(labels: data, value: s.value) }
            labels["alertname"] = rule.name
            var annotations: [String: String] = [:]
            for (n, v) in rule.annotations { annotations[n] = v.render(labels: data, value: s.value) }
            guard current[labels] == nil else {
                throw EvaluationError(
                    description: "alert \(rule.name): the result holds \(labels) twice after the rule's labels")
            }
            current[labels] = Alert(
                rule: rule.name, labels: labels, annotations: annotations, value: s.value, state: .pending, activeAt: t)
        }
        var alerts = active[g][r]
        for (labels, fresh) in current {
            if var known = alerts[labels], known.state != .inactive {
                known.value = fresh.value
                known.annotations = fresh.annotations
                alerts[labels] = known
            } else {
                alerts[labels] = fresh
                transitions.append(Transition(at: t, alert: fresh, state: .pending))
            }
        }
        for labels in alerts.keys.sorted() {
            var a = alerts[labels]!
            if current[labels] == nil {
                var keepFiring = false
                if a.state == .firing && rule.keepFiringFor > 0 {
                    if a.keepFiringSince == nil { a.keepFiringSince = t }
                    if t - a.keepFiringSince! < rule.keepFiringFor { keepFiring = true }
                }
                if !keepFiring {
                    if a.state == .pending {
                        alerts[labels] = nil
                    } else if a.state == .firing {
                        a.state = .inactive
                        a.resolvedAt = t
                        alerts[labels] = a
                        transitions.append(Transition(at: t, alert: a, state: .inactive))
                    }
                    continue
                }
            } else {
                a.keepFiringSince = nil
            }
            if a.state == .pending && t - a.activeAt >= rule.holdFor {
                a.state = .firing
                a.firedAt = t
                transitions.append(Transition(at: t, alert: a, state: .firing))
            }
            alerts[labels] = a
        }
        // Resolved alerts are kept only until the next evaluation: a new episode starts afresh.
        for (labels, a) in alerts where a.state == .inactive && a.resolvedAt != t { alerts[labels] = nil }
        active[g][r] = alerts
        return transitions
    }

    /// The alerts firing now, of every rule.
    public var firing: [Alert] {
        active.flatMap { $0.flatMap { $0.values.filter { $0.state == .firing } } }.sorted {
            ($0.rule, $0.labels) < ($1.rule, $1.labels)
        }
    }
}
