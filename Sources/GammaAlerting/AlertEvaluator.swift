public import GammaModel
import GammaReplay

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
///
/// Each series (a name and its labels) is routed once, when first seen, to the windows of the
/// rule leaves whose selector it matches, per group; a sample then costs an array lookup and an
/// append per route. Windows keep prefix sums (for sums, counts, averages and rates) and
/// monotonic queues (for minimums and maximums) as samples arrive; quantiles select their two
/// ranks from a copy of the window at evaluation time.
public final class AlertEvaluator {
    public let rules: [AlertRule]
    private var leaves: [Leaf] = []
    /// Metric name → the leaves that read it.
    private var byMetric: [String: [Int]] = [:]
    private var ruleStates: [RuleState]
    /// Series key → series id, and each series' routes.
    private var seriesIDs: [String: Int] = [:]
    private var routes: [[(leaf: Int, group: Int)]] = []
    /// Called for every group of every rule at each evaluation, after its transitions: the rule's
    /// index, the group's values, the value and the phase (backtests follow peaks with it).
    public var observe: ((_ rule: Int, _ group: [String], _ value: Double?, _ phase: AlertGroupState.Phase) -> Void)?

    public init(rules: [AlertRule]) throws(ReplayError) {
        self.rules = rules.filter(\.enabled)
        ruleStates = []
        for rule in self.rules {
            let tree = try build(rule.expression, groupBy: rule.groupBy)
            ruleStates.append(RuleState(tree: tree, leaves: Self.leafIDs(tree)))
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

    private func build(_ e: AlertExpression, groupBy: [String]) throws(ReplayError) -> Tree {
        switch e {
        case .aggregate(let selector, let aggregation, let window):
            var matchers: [LabelMatcher] = []
            for m in selector.matchers {
                matchers.append(try LabelMatcher(label: m.label, operation: m.operation, value: m.value))
            }
            leaves.append(Leaf(metric: selector.metric, matchers: matchers, aggregation: aggregation, window: window, groupBy: groupBy))
            byMetric[selector.metric, default: []].append(leaves.count - 1)
            return .leaf(leaves.count - 1)
        case .ratio(let a, let b):
            return .ratio(try build(a, groupBy: groupBy), try build(b, groupBy: groupBy))
        }
    }

    /// Whether any rule reads the metric `name`.
    public func reads(_ name: String) -> Bool { byMetric[name] != nil }

    /// The first evaluation time at or after `t`: evaluations happen at the multiples of `interval`.
    public static func evaluationTime(atOrAfter t: Int64, interval: Int64) -> Int64 {
        let q = t / interval
        return (q * interval < t ? q + 1 : q) * interval
    }

    /// The id of a series, routed to the leaves and groups it feeds (none if no rule reads it).
    public func series(name: String, kind: MetricKind, labels: [String: String]) -> Int {
        var key = name
        for (k, v) in labels.sorted(by: { $0.key < $1.key }) { key += "\u{0}\(k)\u{1}\(v)" }
        if let id = seriesIDs[key] { return id }
        var out: [(leaf: Int, group: Int)] = []
        for id in byMetric[name] ?? [] where leaves[id].matchers.allSatisfy({ $0.matches(labels) }) {
            out.append((id, leaves[id].group(for: labels, kind: kind)))
        }
        routes.append(out)
        seriesIDs[key] = routes.count - 1
        return routes.count - 1
    }

    /// Takes one sample of a series from ``series(name:kind:labels:)``. NaN is in no figure.
    public func add(series: Int, ts: Int64, value: Double) {
        guard !value.isNaN else { return }
        for (leaf, group) in routes[series] { leaves[leaf].windows[group].pending.append((ts, value)) }
    }

    /// Takes one sample (samples must come in time order, give or take what `evaluate` has not yet seen).
    public func add(_ sample: AlertSample) {
        guard byMetric[sample.name] != nil else { return }
        add(series: series(name: sample.name, kind: sample.kind, labels: sample.labels), ts: sample.ts, value: sample.value)
    }

    /// Evaluates every rule at `t` and returns the transitions, rule by rule in file order, groups
    /// in label order. `onTransition` sees each transition before ``observe`` sees its group.
    @discardableResult
    public func evaluate(at t: Int64, onTransition: ((AlertTransition) -> Void)? = nil) -> [AlertTransition] {
        for i in leaves.indices { leaves[i].advance(to: t) }
        var out: [AlertTransition] = []
        for (r, rule) in rules.enumerated() {
            let tree = ruleStates[r].tree
            let known = ruleStates[r].leaves.reduce(0) { $0 + leaves[$1].seen.count }
            if known != ruleStates[r].knownGroups {
                var keys = Set(ruleStates[r].groups.keys)
                for id in ruleStates[r].leaves { keys.formUnion(leaves[id].seen) }
                ruleStates[r].sortedGroups = keys.sorted { $0.lexicographicallyPrecedes($1) }
                ruleStates[r].knownGroups = known
            }
            for group in ruleStates[r].sortedGroups {
                let value = self.value(tree, group: group)
                var state = ruleStates[r].groups[group] ?? GroupRecord()
                let holds = condition(rule.condition, value: value, record: &state, at: t)
                let steps = state.machine.step(at: t, holds: holds, rule: rule)
                ruleStates[r].groups[group] = state
                let labels = steps.isEmpty ? [] : rule.labels(ofGroup: group)
                for step in steps {
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

    private func value(_ tree: Tree, group: [String]) -> Double? {
        switch tree {
        case .leaf(let id): return leaves[id].value(group: group)
        case .ratio(let a, let b):
            guard let n = value(a, group: group), let d = value(b, group: group), d != 0 else { return nil }
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
        var leaves: [Int]
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
}

/// One selector of one rule: a window of samples per group.
struct Leaf {
    let metric: String
    let matchers: [LabelMatcher]
    let aggregation: AlertAggregation
    let window: Int64
    let groupBy: [String]
    var keys: [[String]] = []
    var index: [[String]: Int] = [:]
    /// The groups that have had a sample (a group exists for a rule from its first sample on).
    var seen: [[String]] = []
    var windows: [Window] = []
    /// Scratch space for quantiles.
    var scratch: [Double] = []

    init(metric: String, matchers: [LabelMatcher], aggregation: AlertAggregation, window: Int64, groupBy: [String]) {
        self.metric = metric
        self.matchers = matchers
        self.aggregation = aggregation
        self.window = window
        self.groupBy = groupBy
    }

    mutating func group(for labels: [String: String], kind: MetricKind) -> Int {
        let key = groupBy.map { labels[$0] ?? "" }
        if let g = index[key] {
            windows[g].kind = kind
            return g
        }
        var w = Window()
        w.kind = kind
        switch aggregation {
        case .min: w.tracksMin = true
        case .max: w.tracksMax = true
        default: break
        }
        keys.append(key)
        windows.append(w)
        index[key] = keys.count - 1
        return keys.count - 1
    }

    /// Moves every group's window to end at `t`.
    mutating func advance(to t: Int64) {
        for g in windows.indices {
            let before = windows[g].ts.count
            windows[g].advance(to: t, window: window)
            if before == 0 && windows[g].ts.count > 0 && !windows[g].hadSamples {
                windows[g].hadSamples = true
                seen.append(keys[g])
            }
        }
    }

    mutating func value(group key: [String]) -> Double? {
        guard let g = index[key], windows[g].hadSamples else { return nil }
        let w = windows[g]
        let n = w.count
        switch aggregation {
        case .value:
            if w.kind == .counter { return w.total }
            return n > 0 ? w.values[w.values.count - 1] : nil
        case .increase, .sum: return w.sum
        case .rate: return w.sum / (Double(window) / 1e9)
        case .count: return Double(n)
        case .avg: return n == 0 ? nil : w.sum / Double(n)
        case .min: return n == 0 ? nil : w.values[w.minQueue[w.minHead]]
        case .max: return n == 0 ? nil : w.values[w.maxQueue[w.maxHead]]
        case .quantile(let q):
            guard n > 0 else { return nil }
            return quantile(q, group: g)
        }
    }

    /// The exact quantile `q` of a group's window: its two ranks selected from a copy.
    mutating func quantile(_ q: Double, group g: Int) -> Double {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: windows[g].values[windows[g].head...])
        return scratch.withUnsafeMutableBufferPointer { Quantiles.select($0, q) } ?? .nan
    }

    /// The samples of one group in the window `(t - window, t]`, oldest first from `head` on.
    struct Window {
        var ts: [Int64] = []
        var values: [Double] = []
        var head = 0
        /// prefix[i] = values[0] + … + values[i-1], so a window's sum is two subtractions.
        var prefix: [Double] = [0]
        /// Indices of candidates for the window's minimum and maximum, values increasing
        /// (decreasing) from the queue's head.
        var tracksMin = false, tracksMax = false
        var minQueue: [Int] = [], minHead = 0
        var maxQueue: [Int] = [], maxHead = 0
        /// Everything a counter ever added (for `value`).
        var total = 0.0
        var kind: MetricKind = .counter
        var hadSamples = false
        /// Samples not yet moved in: those with a time after the last evaluation.
        var pending: [(Int64, Double)] = []

        var count: Int { ts.count - head }
        var sum: Double { prefix[ts.count] - prefix[head] }

        mutating func advance(to t: Int64, window: Int64) {
            if !pending.isEmpty {
                if pending.count > 1 { pending.sort { $0.0 < $1.0 } }
                var taken = 0
                for (time, v) in pending {
                    guard time <= t else { break }
                    append(time, v)
                    taken += 1
                }
                pending.removeFirst(taken)
            }
            while head < ts.count, ts[head] <= t - window { head += 1 }
            while minHead < minQueue.count, minQueue[minHead] < head { minHead += 1 }
            while maxHead < maxQueue.count, maxQueue[maxHead] < head { maxHead += 1 }
            if head > 4096, head * 2 > ts.count { compact() }
        }

        mutating func append(_ time: Int64, _ v: Double) {
            let i = ts.count
            ts.append(time)
            values.append(v)
            prefix.append(prefix[i] + v)
            total += v
            if tracksMin {
                while minQueue.count > minHead, values[minQueue[minQueue.count - 1]] >= v { minQueue.removeLast() }
                minQueue.append(i)
            }
            if tracksMax {
                while maxQueue.count > maxHead, values[maxQueue[maxQueue.count - 1]] <= v { maxQueue.removeLast() }
                maxQueue.append(i)
            }
        }

        /// Drops what left the window, and rebases the prefix sums on it (which also keeps their
        /// magnitude, and so their rounding, to the window's).
        mutating func compact() {
            ts.removeFirst(head)
            values.removeFirst(head)
            var p = [0.0]
            p.reserveCapacity(values.count + 1)
            for v in values { p.append(p[p.count - 1] + v) }
            prefix = p
            minQueue = minQueue[minHead...].map { $0 - head }
            maxQueue = maxQueue[maxHead...].map { $0 - head }
            minHead = 0
            maxHead = 0
            head = 0
        }
    }
}
