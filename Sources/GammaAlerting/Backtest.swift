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

    struct Prepared: Sendable {
        var samples: [AlertSample]
        var invalid: [RecordLines.Invalid]
    }

    /// Reads the metric samples the rules need from `reader`, in time order.
    /// - Parameter onIssue: damage and invalid lines, each with its place.
    public static func samples(for names: Set<String>, from reader: LogReader, options: Options,
                               onIssue: (ReplayIssue) -> Void) throws -> [AlertSample] {
        var all: [AlertSample] = []
        let since = options.since, until = options.until
        let summary = try reader.forEachMember(preparing: { bytes in
            var found: [AlertSample] = []
            var invalid: [RecordLines.Invalid] = []
            RecordLines.forEach(in: bytes, invalid: &invalid) { line, _, view in
                guard view.kind == .counter || view.kind == .gauge || view.kind == .histogram, let nameRange = view.name else { return }
                if let since, view.ts < since { return }
                if let until, view.ts >= until { return }  // half-open, as the reader's range
                if !view.nameEscaped {
                    let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[nameRange]), as: UTF8.self)
                    guard names.contains(name) else { return }
                }
                guard case .record(.metric(let m))? = try? RecordDecoder.decode(line), names.contains(m.name) else { return }
                let kind: MetricSampleKind = m.kind == .counter ? .counter : m.kind == .gauge ? .gauge : .histogram
                found.append(AlertSample(ts: m.ts, name: m.name, kind: kind, labels: m.labels, value: m.value))
            }
            return Prepared(samples: found, invalid: invalid)
        }, onDamage: { onIssue(.damage($0)) }) { (member, prepared: Prepared) in
            all.append(contentsOf: prepared.samples)
            RecordLines.report(prepared.invalid, reader, member, onIssue)
        }
        _ = summary
        all.sort { $0.ts < $1.ts }  // stable: equal times keep the order read
        return all
    }

    /// Evaluates `rules` over `samples` (in time order) every `options.interval`, from the
    /// first evaluation time at or after the start to the last at or before the end.
    public static func run(_ rules: [AlertRule], samples: [AlertSample], options: Options) throws(ReplayError) -> Result {
        let evaluator = try AlertEvaluator(rules: rules)
        let interval = options.interval
        let first = options.since ?? samples.first?.ts ?? 0
        let last = options.until.map { $0 - 1 } ?? samples.last?.ts ?? 0
        func ceilDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? (a + b - 1) / b : -((-a) / b) }
        var t = ceilDiv(first, interval) * interval
        var groups: [String: GroupResult] = [:]
        var order: [String] = []
        var previous: [String: (at: Int64, phase: AlertGroupState.Phase)] = [:]
        let enabled = evaluator.rules
        func key(_ rule: String, _ group: [Label]) -> String { rule + "\u{1}" + group.map { "\($0.name)=\($0.value)" }.joined(separator: "\u{1}") }
        evaluator.observe = { r, groupValues, value, phase in
            let rule = enabled[r]
            let labels = zip(rule.groupBy, groupValues).map { Label($0, $1) } + rule.labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }
            let k = key(rule.name, labels)
            if groups[k] == nil {
                groups[k] = GroupResult(rule: rule.name, severity: rule.severity, group: labels)
                order.append(k)
            }
            if let p = previous[k] {
                if p.phase == .pending { groups[k]!.pendingTime += t - p.at }
                if p.phase == .firing { groups[k]!.firingTime += t - p.at }
            }
            previous[k] = (t, phase)
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
                evaluator.add(samples[i])
                i += 1
            }
            // Episodes open before the values are observed, so the firing evaluation's value counts.
            evaluator.evaluate(at: t) { transition in
                let k = key(transition.rule, transition.group)
                if groups[k] == nil {
                    groups[k] = GroupResult(rule: transition.rule, severity: transition.severity, group: transition.group)
                    order.append(k)
                }
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
