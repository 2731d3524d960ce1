public import GammaModel

/// One metric sample as the evaluator sees it.
public struct AlertSample: Sendable {
    public var ts: Int64
    public var name: String
    public var kind: MetricKind
    public var labels: [String: String]
    public var value: Double

    public init(ts: Int64, name: String, kind: MetricKind, labels: [String: String], value: Double) {
        self.ts = ts
        self.name = name
        self.kind = kind
        self.labels = labels
        self.value = value
    }
}

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

    public init(
        rule: String, severity: AlertRule.Severity, group: [Label], kind: AlertGroupState.Step.Kind, at: Int64,
        value: Double?,
        notify: Bool, suppressedBy: String?
    ) {
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
///
/// Each leaf of a rule's expression (a selector, an aggregation, a window) reads a
/// ``SampleStore``: the samples of its selector and `group_by`, per group, stored once for every
/// leaf that shares them. Each series (a name and its labels) is routed once, when first seen, to
/// the groups of the stores whose selector it matches; a sample then costs an array lookup and
/// an append per store. Leaves are views over their store's groups: sums, counts, averages and
/// rates come from prefix sums, minimums and maximums from monotonic queues, and quantiles by
/// selection across the sorted batches of samples that make up the window (``SortedRuns``).
public final class AlertEvaluator {
    public let rules: [AlertRule]
    package private(set) var stores: [SampleStore] = []
    private var storeMatchers: [[LabelMatcher]] = []
    private var storeIDs: [StoreKey: Int] = [:]
    package private(set) var leaves: [Leaf] = []
    /// Metric name → the stores that read it.
    private var byMetric: [String: [Int]] = [:]
    private var ruleStates: [RuleState]
    /// Series key → series id, and each series' routes.
    private var seriesIDs: [String: Int] = [:]
    package private(set) var routes: [[Route]] = []
    /// Called for every group of every rule at each evaluation, after its transitions: the rule's
    /// index, the group's values, the value and the phase (backtests follow peaks with it).
    public var observe: ((_ rule: Int, _ group: [String], _ value: Double?, _ phase: AlertGroupState.Phase) -> Void)?

    public init(rules: [AlertRule]) throws(LabelMatcherError) {
        self.rules = rules.filter(\.enabled)
        ruleStates = []
        for rule in self.rules {
            let tree = try build(rule.expression, groupBy: rule.groupBy)
            ruleStates.append(RuleState(tree: tree, stores: Self.leafIDs(tree).map { leaves[$0].store }))
        }
    }

    /// An expression with its leaves numbered.
    indirect enum Tree {
        case leaf(Int)
        case ratio(Tree, Tree)
    }

    static func leafIDs(_ tree: Tree) -> [Int] {
        switch tree {
        case .leaf(let id): return [id]
        case .ratio(let a, let b): return leafIDs(a) + leafIDs(b)
        }
    }

    private func build(_ e: AlertExpression, groupBy: [String]) throws(LabelMatcherError) -> Tree {
        switch e {
        case .aggregate(let selector, let aggregation, let window):
            var matchers: [LabelMatcher] = []
            for m in selector.matchers {
                matchers.append(try LabelMatcher(label: m.label, operation: m.operation, value: m.value))
            }
            let key = StoreKey(selector: selector, groupBy: groupBy)
            let store =
                storeIDs[key]
                ?? {
                    stores.append(SampleStore(groupBy: groupBy))
                    storeMatchers.append(matchers)
                    byMetric[selector.metric, default: []].append(stores.count - 1)
                    storeIDs[key] = stores.count - 1
                    return stores.count - 1
                }()
            let view = stores[store].view(window: window, for: aggregation)
            leaves.append(Leaf(store: store, view: view, aggregation: aggregation))
            return .leaf(leaves.count - 1)
        case .ratio(let a, let b):
            return .ratio(try build(a, groupBy: groupBy), try build(b, groupBy: groupBy))
        }
    }

    /// Whether any rule reads the metric `name`.
    public func reads(_ name: String) -> Bool { byMetric[name] != nil }

    /// The first evaluation time at or after `t`: evaluations happen at the multiples of `interval`.
    /// Past the last multiple that `Int64` holds, the last one is returned.
    public static func evaluationTime(atOrAfter t: Int64, interval: Int64) -> Int64 {
        let q = t / interval
        guard q * interval < t else { return q * interval }
        let (next, overflow) = (q + 1).multipliedReportingOverflow(by: interval)
        return overflow ? q * interval : next
    }

    /// The id of a series, routed to the leaves and groups it feeds (none if no rule reads it).
    public func series(name: String, kind: MetricKind, labels: [String: String]) -> Int {
        var key = name
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) { key += "\u{0}\(k)\u{1}\(v)" }
        if let id = seriesIDs[key] { return id }
        var out: [Route] = []
        for id in byMetric[name] ?? [] where storeMatchers[id].allSatisfy({ $0.matches(labels) }) {
            out.append(Route(store: id, group: stores[id].group(for: labels, kind: kind)))
        }
        routes.append(out)
        seriesIDs[key] = routes.count - 1
        return routes.count - 1
    }

    /// The names of the enabled rules none of whose selectors matched a series given to
    /// ``series(name:kind:labels:)``: rules that had no data to evaluate.
    public var rulesWithoutData: [String] {
        var fed = Set<Int>()
        for r in routes { for route in r { fed.insert(route.store) } }
        return rules.indices.filter { !ruleStates[$0].stores.contains(where: fed.contains) }.map { rules[$0].name }
    }

    /// Takes one sample of a series from ``series(name:kind:labels:)``. NaN is in no figure.
    public func add(series: Int, ts: Int64, value: Double) {
        guard !value.isNaN else { return }
        for r in routes[series] { stores[r.store].add(group: r.group, ts: ts, value: value) }
    }

    /// Takes one sample. Samples come in time order; one that comes later than an evaluation that
    /// should have seen it counts from the next evaluation on.
    public func add(_ sample: AlertSample) {
        guard byMetric[sample.name] != nil else { return }
        add(
            series: series(name: sample.name, kind: sample.kind, labels: sample.labels), ts: sample.ts,
            value: sample.value)
    }

    /// Evaluates every rule at `t` and returns the transitions, rule by rule in file order, groups
    /// in label order. `onTransition` sees each transition before ``observe`` sees its group.
    @discardableResult
    public func evaluate(at t: Int64, onTransition: ((AlertTransition) -> Void)? = nil) -> [AlertTransition] {
        for i in stores.indices { stores[i].advance(to: t) }
        return evaluateRules(at: t, values: OwnStores(stores: stores, leaves: leaves), onTransition: onTransition)
    }

    /// The rules' part of an evaluation at `t`, with the leaves' values from `values` (which have
    /// moved to `t`).
    @discardableResult
    package func evaluateRules(at t: Int64, values: some LeafValues, onTransition: ((AlertTransition) -> Void)? = nil)
        -> [AlertTransition]
    {
        var out: [AlertTransition] = []
        for (r, rule) in rules.enumerated() {
            let tree = ruleStates[r].tree
            let known = ruleStates[r].stores.reduce(0) { $0 + values.seen(store: $1).count }
            if known != ruleStates[r].knownGroups {
                var keys = Set(ruleStates[r].groups.keys)
                for id in ruleStates[r].stores { keys.formUnion(values.seen(store: id)) }
                ruleStates[r].sortedGroups = keys.sorted { $0.lexicographicallyPrecedes($1) }
                ruleStates[r].knownGroups = known
            }
            for group in ruleStates[r].sortedGroups {
                let value = self.value(tree, group: group, values)
                var state = ruleStates[r].groups[group] ?? GroupRecord()
                let holds = condition(rule.condition, value: value, record: &state, at: t)
                let steps = state.machine.step(at: t, holds: holds, rule: rule)
                ruleStates[r].groups[group] = state
                let labels = steps.isEmpty ? [] : rule.labels(ofGroup: group)
                for step in steps {
                    let transition = AlertTransition(
                        rule: rule.name, severity: rule.severity, group: labels, kind: step.kind, at: t, value: value,
                        notify: step.notify, suppressedBy: step.suppressedBy)
                    onTransition?(transition)
                    out.append(transition)
                }
                observe?(r, group, value, state.machine.phase)
            }
        }
        return out
    }

    private func value(_ tree: Tree, group: [String], _ values: some LeafValues) -> Double? {
        switch tree {
        case .leaf(let id): return values.value(leaf: id, group: group)
        case .ratio(let a, let b):
            guard let n = value(a, group: group, values), let d = value(b, group: group, values), d != 0 else {
                return nil
            }
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
        /// The stores its leaves read.
        var stores: [Int]
        var groups: [[String]: GroupRecord] = [:]
        var sortedGroups: [[String]] = []
        var knownGroups = -1
    }

    struct GroupRecord {
        var machine = AlertGroupState()
        /// Anomaly rules: the rule's values at past evaluations within the baseline.
        var history: [(Int64, Double)] = []
        var firstValue: Int64?
    }

    /// What makes two leaves share a store.
    struct StoreKey: Hashable {
        var selector: AlertSelector
        var groupBy: [String]
    }

    /// One selector of one rule: an aggregation over a view of a store.
    package struct Leaf: Sendable {
        package let store: Int
        package let view: Int
        package let aggregation: AlertAggregation

        package init(store: Int, view: Int, aggregation: AlertAggregation) {
            self.store = store
            self.view = view
            self.aggregation = aggregation
        }
    }

    /// Where a series' samples go: a store, and a group in it.
    package struct Route: Sendable {
        package var store: Int
        package var group: Int

        package init(store: Int, group: Int) {
            self.store = store
            self.group = group
        }
    }

    /// Live evaluation reads its leaves from its own stores.
    struct OwnStores: LeafValues {
        let stores: [SampleStore]
        let leaves: [Leaf]
        func seen(store: Int) -> ArraySlice<[String]> { stores[store].seen[...] }
        func value(leaf: Int, group: [String]) -> Double? {
            let l = leaves[leaf]
            return stores[l.store].group(group).flatMap {
                stores[l.store].value(l.aggregation, view: l.view, group: $0)
            }
        }
    }
}

/// Where the rules' part of an evaluation reads what its leaves compute: the evaluator's own
/// stores (live), or what a backtest's workers computed for that evaluation.
package protocol LeafValues {
    /// The groups a store has seen, in the order it saw them.
    func seen(store: Int) -> ArraySlice<[String]>
    /// A leaf's value for a group (`nil`: no value).
    func value(leaf: Int, group: [String]) -> Double?
}
