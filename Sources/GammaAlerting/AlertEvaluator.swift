import GammaReplay

/// One metric sample as the evaluator sees it.
public struct AlertSample: Sendable {
    public var ts: Int64
    public var name: String
    public var kind: MetricSampleKind
    public var labels: [String: String]
    public var value: Double

    public init(ts: Int64, name: String, kind: MetricSampleKind, labels: [String: String], value: Double) {
        self.ts = ts
        self.name = name
        self.kind = kind
        self.labels = labels
        self.value = value
    }
}

public enum MetricSampleKind: String, Sendable { case counter, gauge, histogram }

/// A transition of one rule's group, as evaluation yields it.
public struct AlertTransition: Sendable, Equatable {
    public var rule: String
    public var severity: AlertRule.Severity
    /// The group's labels (the rule's `group_by`, in its order), then the rule's own labels.
    public var group: [Label]
    public var kind: AlertGroupState.Step.Kind
    public var at: Int64
    /// The rule's value at `at` (`nil`: no value).
    public var value: Double?
    public var notify: Bool
    public var suppressedBy: String?

    public init(rule: String, severity: AlertRule.Severity, group: [Label], kind: AlertGroupState.Step.Kind, at: Int64, value: Double?,
                notify: Bool, suppressedBy: String?) {
        self.rule = rule
        self.severity = severity
        self.group = group
        self.kind = kind
        self.at = at
        self.value = value
        self.notify = notify
        self.suppressedBy = suppressedBy
    }
}

/// Evaluates rules over metric samples fed in time order: `add` each sample, and
/// `evaluate(at:)` at each evaluation time, which sees every sample with `ts <= t`. The same code
/// serves backtests and live evaluation; docs/ALERTING.md gives the semantics.
public final class AlertEvaluator {
    public let rules: [AlertRule]
    private var leaves: [Leaf] = []
    /// Metric name → the leaves that read it.
    private var byMetric: [String: [Int]] = [:]
    private var ruleStates: [RuleState]
    /// Called for every group of every rule at each evaluation, after its transitions: the rule's
    /// index, the group's values, the value and the phase (backtests follow peaks with it).
    public var observe: ((_ rule: Int, _ group: [String], _ value: Double?, _ phase: AlertGroupState.Phase) -> Void)?

    public init(rules: [AlertRule]) throws(ReplayError) {
        self.rules = rules.filter(\.enabled)
        ruleStates = []
        for rule in self.rules {
            let tree = try build(rule.expression, groupBy: rule.groupBy)
            ruleStates.append(RuleState(tree: tree))
        }
    }

    /// An expression with its leaves numbered.
    indirect enum Tree {
        case leaf(Int)
        case ratio(Tree, Tree)
    }

    private func build(_ e: AlertExpression, groupBy: [String]) throws(ReplayError) -> Tree {
        switch e {
        case .aggregate(let selector, let aggregation, let window):
            var matchers: [LabelMatcher] = []
            for m in selector.matchers {
                matchers.append(try LabelMatcher(label: m.label, operation: .init(rawValue: m.operation.rawValue)!, value: m.value))
            }
            leaves.append(Leaf(metric: selector.metric, matchers: matchers, aggregation: aggregation, window: window, groupBy: groupBy))
            byMetric[selector.metric, default: []].append(leaves.count - 1)
            return .leaf(leaves.count - 1)
        case .ratio(let a, let b):
            return .ratio(try build(a, groupBy: groupBy), try build(b, groupBy: groupBy))
        }
    }

    /// The metric names any rule reads: a reader can skip every other line.
    public var metricNames: Set<String> { Set(byMetric.keys) }

    /// Takes one sample (samples must come in time order, give or take what `evaluate` has not yet seen).
    public func add(_ sample: AlertSample) {
        guard let ids = byMetric[sample.name] else { return }
        for id in ids where leaves[id].matchers.allSatisfy({ $0.matches(sample.labels) }) {
            leaves[id].add(sample)
        }
    }

    /// Evaluates every rule at `t` and returns the transitions, rule by rule in file order, groups
    /// in label order. `onTransition` sees each transition before ``observe`` sees its group.
    @discardableResult
    public func evaluate(at t: Int64, onTransition: ((AlertTransition) -> Void)? = nil) -> [AlertTransition] {
        for i in leaves.indices { leaves[i].advance(to: t) }
        var out: [AlertTransition] = []
        for (r, rule) in rules.enumerated() {
            let tree = ruleStates[r].tree
            var groups = Set(ruleStates[r].groups.keys)
            collectGroups(tree, into: &groups)
            for group in groups.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                let value = self.value(tree, group: group, at: t)
                var state = ruleStates[r].groups[group] ?? GroupRecord()
                let holds = condition(rule.condition, value: value, record: &state, at: t)
                let steps = state.machine.step(at: t, holds: holds, rule: rule)
                ruleStates[r].groups[group] = state
                for step in steps {
                    let labels = zip(rule.groupBy, group).map { Label($0, $1) } + rule.labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }
                    let transition = AlertTransition(rule: rule.name, severity: rule.severity, group: labels, kind: step.kind, at: t, value: value,
                                                     notify: step.notify, suppressedBy: step.suppressedBy)
                    onTransition?(transition)
                    out.append(transition)
                }
                observe?(r, group, value, state.machine.phase)
            }
        }
        return out
    }

    /// The phase of each rule's groups now.
    public func phases() -> [(rule: String, group: [String], phase: AlertGroupState.Phase)] {
        rules.indices.flatMap { r in
            ruleStates[r].groups.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { (rules[r].name, $0.key, $0.value.machine.phase) }
        }
    }

    private func collectGroups(_ tree: Tree, into groups: inout Set<[String]>) {
        switch tree {
        case .leaf(let id): groups.formUnion(leaves[id].groups.keys)
        case .ratio(let a, let b):
            collectGroups(a, into: &groups)
            collectGroups(b, into: &groups)
        }
    }

    private func value(_ tree: Tree, group: [String], at t: Int64) -> Double? {
        switch tree {
        case .leaf(let id): return leaves[id].value(group: group, at: t)
        case .ratio(let a, let b):
            guard let n = value(a, group: group, at: t), let d = value(b, group: group, at: t), d != 0 else { return nil }
            return n / d
        }
    }

    private func condition(_ c: AlertCondition, value: Double?, record: inout GroupRecord, at t: Int64) -> Bool {
        switch c {
        case .threshold(let op, let threshold):
            guard let value, !value.isNaN else { return false }
            return op.holds(value, threshold)
        case .anomaly(let k, let baseline, let warmup, let minSamples, let direction):
            guard let value, !value.isNaN else { return false }
            defer { record.history.append((t, value)) }
            if record.firstValue == nil { record.firstValue = t }
            record.history.removeAll { $0.0 <= t - baseline }
            guard t - record.firstValue! >= warmup, record.history.count >= minSamples else { return false }
            var mean = 0.0
            for (_, v) in record.history { mean += v }
            mean /= Double(record.history.count)
            var variance = 0.0
            for (_, v) in record.history { variance += (v - mean) * (v - mean) }
            let sigma = (variance / Double(record.history.count)).squareRoot()
            let deviation = value - mean
            switch direction {
            case .above: return deviation > k * sigma
            case .below: return -deviation > k * sigma
            case .both: return abs(deviation) > k * sigma
            }
        }
    }

    struct RuleState {
        var tree: Tree
        var groups: [[String]: GroupRecord] = [:]
    }

    struct GroupRecord {
        var machine = AlertGroupState()
        /// Anomaly rules: the rule's values at past evaluations within the baseline.
        var history: [(Int64, Double)] = []
        var firstValue: Int64?
    }
}

/// One selector of one rule: the samples in its window, per group.
struct Leaf {
    let metric: String
    let matchers: [LabelMatcher]
    let aggregation: AlertAggregation
    let window: Int64
    let groupBy: [String]
    var groups: [[String]: Window] = [:]

    struct Window {
        /// Samples in (t - window, t], oldest first, from `head` on.
        var ts: [Int64] = []
        var values: [Double] = []
        var head = 0
        /// Everything a counter ever added (for `value`).
        var total = 0.0
        var kind: MetricSampleKind = .counter
        /// Samples not yet seen by an evaluation (ts > the last evaluation).
        var pending: [(Int64, Double)] = []

        var count: Int { ts.count - head }
    }

    mutating func add(_ s: AlertSample) {
        guard !s.value.isNaN else { return }  // NaN is in no figure (as in gamma-report)
        let key = groupBy.map { s.labels[$0] ?? "" }
        groups[key, default: Window()].pending.append((s.ts, s.value))
        groups[key]!.kind = s.kind
    }

    /// Moves every group's window to end at `t`: samples up to `t` enter, samples at or before `t - window` leave.
    mutating func advance(to t: Int64) {
        for key in groups.keys {
            groups[key]!.advance(to: t, window: window)
        }
    }

    func value(group: [String], at t: Int64) -> Double? {
        guard let w = groups[group] else { return nil }
        let n = w.count
        switch aggregation {
        case .value:
            if w.kind == .counter { return w.total }
            guard n > 0 else { return nil }
            return w.values[w.ts.count - 1]
        case .increase, .sum:
            return sum(w)
        case .rate:
            return sum(w) / (Double(window) / 1e9)
        case .count:
            return Double(n)
        case .avg:
            return n == 0 ? nil : sum(w) / Double(n)
        case .min:
            return n == 0 ? nil : w.values[w.head...].min()
        case .max:
            return n == 0 ? nil : w.values[w.head...].max()
        case .quantile(let q):
            guard n > 0 else { return nil }
            return Quantiles.linear(w.values[w.head...].sorted(), q)
        }
    }

    private func sum(_ w: Window) -> Double {
        var s = CompensatedSum()
        for v in w.values[w.head...] { s.add(v) }
        return s.value
    }
}

extension Leaf.Window {
    mutating func advance(to t: Int64, window: Int64) {
        if !pending.isEmpty {
            pending.sort { $0.0 < $1.0 }
            var keep: [(Int64, Double)] = []
            for (ts, v) in pending {
                if ts <= t {
                    self.ts.append(ts)
                    values.append(v)
                    total += v
                } else {
                    keep.append((ts, v))
                }
            }
            pending = keep
        }
        while head < ts.count, ts[head] <= t - window { head += 1 }
        if head > 4096, head * 2 > ts.count {
            ts.removeFirst(head)
            values.removeFirst(head)
            head = 0
        }
    }
}
