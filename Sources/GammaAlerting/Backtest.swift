import GammaLog
import GammaModel
public import GammaReplay

/// Evaluates rules over recorded metrics as live evaluation would have, every `interval` of
/// recorded time: the transitions, each rule's firing episodes, the notifications that would
/// have been sent, and the time spent pending and firing.
public struct Backtest {
    public struct Options: Sendable {
        public var interval: Int64 = 15_000_000_000
        public var since: Int64?
        public var until: Int64?
        public init() {}
    }

    /// One firing episode of one rule's group.
    public struct Episode: Sendable, Equatable {
        public var start: Int64
        /// When it resolved; `nil` if it was still firing at the end.
        public var end: Int64?
        /// The highest value while firing (the lowest, for a `<` or `<=` rule).
        public var peak: Double?
        /// Whether its firing was notified (not held back by the cooldown).
        public var notified: Bool
    }

    /// What one rule's group did.
    public struct GroupResult: Sendable, Equatable {
        public var rule: String
        public var severity: AlertRule.Severity
        public var group: [Label]
        public var episodes: [Episode] = []
        public var transitions: [AlertTransition] = []
        public var pendingTime: Int64 = 0
        public var firingTime: Int64 = 0
        public var firstFire: Int64? { episodes.first?.start }
        public var notifications: Int { transitions.count { $0.notify } }
        /// The phase at each evaluation, for the timeline.
        public var phases: [(at: Int64, phase: AlertGroupState.Phase)] = []

        public static func == (a: GroupResult, b: GroupResult) -> Bool {
            a.rule == b.rule && a.group == b.group && a.episodes == b.episodes && a.transitions == b.transitions
        }
    }

    public struct Result: Sendable {
        public var rules: [AlertRule]
        public var groups: [GroupResult]
        public var start: Int64
        public var end: Int64
        public var evaluations: Int
        public var samples: Int
        public var transitions: [AlertTransition] { groups.flatMap(\.transitions).sorted { ($0.at, $0.rule) < ($1.at, $1.rule) } }
    }

    /// The samples of a backtest: each series once, and the samples in time order.
    public struct Samples: Sendable {
        public struct Series: Sendable, Hashable {
            public var name: String
            public var kind: MetricKind
            public var labels: [String: String]
        }
        public struct Sample: Sendable {
            public var ts: Int64
            public var series: Int32
            public var value: Double
        }
        public var series: [Series] = []
        public var samples: [Sample] = []
        public var count: Int { samples.count }

        public init() {}

        /// Samples given one by one (tests, small inputs), sorted by time.
        public init(_ list: [AlertSample]) {
            var ids: [Series: Int32] = [:]
            for s in list {
                let key = Series(name: s.name, kind: s.kind, labels: s.labels)
                let id = ids[key] ?? {
                    series.append(key)
                    ids[key] = Int32(series.count - 1)
                    return Int32(series.count - 1)
                }()
                samples.append(Sample(ts: s.ts, series: id, value: s.value))
            }
            samples.sort { $0.ts < $1.ts }
        }
    }

    /// One member's samples, with series numbered within the member.
    struct Prepared: Sendable {
        var series: [Samples.Series] = []
        var keys: [[UInt8]] = []
        var samples: [Samples.Sample] = []
        var invalid: [RecordLines.Invalid] = []
    }

    /// Reads the metric samples named in `names` from `reader`, in time order.
    /// - Parameter onIssue: damage and invalid lines, each with its place.
    public static func samples(for names: Set<String>, from reader: LogReader, options: Options,
                               onIssue: (ReplayIssue) -> Void) throws -> Samples {
        var out = Samples()
        var global: [[UInt8]: Int32] = [:]
        let since = options.since, until = options.until
        _ = try reader.forEachMember(preparing: { bytes in
            var p = Prepared()
            var local: [[UInt8]: Int32] = [:]
            RecordLines.forEach(in: bytes, invalid: &p.invalid) { line, _, view in
                guard view.kind == .counter || view.kind == .gauge || view.kind == .histogram, let nameRange = view.name,
                      let value = view.value else { return }
                if let since, view.ts < since { return }
                if let until, view.ts >= until { return }  // half-open, as the reader's range
                // The series' key: the kind, name and labels bytes as written.
                var key = [UInt8](UnsafeRawBufferPointer(rebasing: line[view.type]))
                key += UnsafeRawBufferPointer(rebasing: line[nameRange])
                if let labels = view.labels { key += UnsafeRawBufferPointer(rebasing: line[labels]) }
                var id = local[key]
                if id == nil {
                    guard case .record(.metric(let m))? = try? RecordDecoder.decode(line), names.contains(m.name) else {
                        local[key] = -1
                        return
                    }
                    p.series.append(Samples.Series(name: m.name, kind: m.kind, labels: m.labels))
                    p.keys.append(key)
                    id = Int32(p.series.count - 1)
                    local[key] = id
                }
                guard let id, id >= 0 else { return }
                p.samples.append(Samples.Sample(ts: view.ts, series: id, value: value))
            }
            return p
        }, onDamage: { onIssue(.damage($0)) }) { (member, prepared: Prepared) in
            // Member-local series numbers become the backtest's.
            var map: [Int32] = []
            map.reserveCapacity(prepared.series.count)
            for (series, key) in zip(prepared.series, prepared.keys) {
                if let id = global[key] { map.append(id); continue }
                out.series.append(series)
                global[key] = Int32(out.series.count - 1)
                map.append(Int32(out.series.count - 1))
            }
            for s in prepared.samples { out.samples.append(Samples.Sample(ts: s.ts, series: map[Int(s.series)], value: s.value)) }
            RecordLines.report(prepared.invalid, reader, member, onIssue)
        }
        out.samples.sort { $0.ts < $1.ts }  // stable: equal times keep the order read; members are mostly in order already
        return out
    }

    /// ``run(_:samples:options:)`` over samples given one by one.
    public static func run(_ rules: [AlertRule], samples: [AlertSample], options: Options) throws(ReplayError) -> Result {
        try run(rules, samples: Samples(samples), options: options)
    }

    /// Evaluates `rules` over `samples` (in time order) every `options.interval`, from the
    /// first evaluation time at or after the start to the last at or before the end.
    public static func run(_ rules: [AlertRule], samples set: Samples, options: Options) throws(ReplayError) -> Result {
        let evaluator = try AlertEvaluator(rules: rules)
        let ids = set.series.map { evaluator.series(name: $0.name, kind: $0.kind, labels: $0.labels) }
        let samples = set.samples
        let interval = options.interval
        let first = options.since ?? samples.first?.ts ?? 0
        let last = options.until.map { $0 - 1 } ?? samples.last?.ts ?? 0
        var t = AlertEvaluator.evaluationTime(atOrAfter: first, interval: interval)
        var groups: [String: GroupResult] = [:]
        var order: [String] = []
        let enabled = evaluator.rules
        /// The key of a rule's group, made once when first seen.
        func slot(_ rule: String, _ severity: AlertRule.Severity, _ labels: [Label]) -> String {
            let k = rule + "\u{1}" + labels.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{1}")
            if groups[k] == nil {
                groups[k] = GroupResult(rule: rule, severity: severity, group: labels)
                order.append(k)
            }
            return k
        }
        evaluator.observe = { r, groupValues, value, phase in
            let rule = enabled[r]
            let k = slot(rule.name, rule.severity, rule.labels(ofGroup: groupValues))
            // Time spent in a phase runs from the evaluation that found it to this one.
            if let p = groups[k]!.phases.last {
                if p.phase == .pending { groups[k]!.pendingTime += t - p.at }
                if p.phase == .firing { groups[k]!.firingTime += t - p.at }
            }
            groups[k]!.phases.append((t, phase))
            if phase == .firing, let value, var episode = groups[k]!.episodes.last, episode.end == nil {
                let lower: Bool
                if case .threshold(let op, _) = rule.condition { lower = op == .less || op == .lessOrEqual } else { lower = false }
                episode.peak = episode.peak.map { lower ? Swift.min($0, value) : Swift.max($0, value) } ?? value
                groups[k]!.episodes[groups[k]!.episodes.count - 1] = episode
            }
        }
        var i = 0
        var evaluations = 0
        while t <= last {
            while i < samples.count, samples[i].ts <= t {
                evaluator.add(series: ids[Int(samples[i].series)], ts: samples[i].ts, value: samples[i].value)
                i += 1
            }
            // Episodes open before the values are observed, so the firing evaluation's value counts.
            evaluator.evaluate(at: t) { transition in
                let k = slot(transition.rule, transition.severity, transition.group)
                groups[k]!.transitions.append(transition)
                switch transition.kind {
                case .firing: groups[k]!.episodes.append(Episode(start: transition.at, end: nil, peak: nil, notified: transition.notify))
                case .resolved:
                    if let n = groups[k]!.episodes.indices.last { groups[k]!.episodes[n].end = transition.at }
                default: break
                }
            }
            evaluations += 1
            t += interval
        }
        return Result(rules: enabled, groups: order.map { groups[$0]! }, start: first, end: last, evaluations: evaluations, samples: samples.count)
    }
}
