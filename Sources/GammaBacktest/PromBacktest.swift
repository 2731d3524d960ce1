public import GammaLog
import GammaModel
public import GammaPromQL
public import GammaReplay

/// A Prometheus rule file backtested over a log: the log scraped as a Prometheus server would
/// have scraped each recording process (``Scraper``), then every group evaluated at the
/// multiples of its interval over the log's range (``RuleEvaluator``): what Prometheus would
/// have fired.
public enum PromBacktest {
    public struct Episode: Sendable {
        public var rule: String
        public var labels: Labels
        public var activeAt: Int64
        public var firedAt: Int64
        /// `nil` when still firing at the end.
        public var resolvedAt: Int64?
        public var annotations: [String: String]
    }

    /// The groups' intervals over the range call for more evaluations than allowed.
    public struct TooManyEvaluations: Error, CustomStringConvertible {
        public var count: Int
        public var limit: Int
        public var description: String {
            "the groups' intervals over the input's range make \(count) evaluations, more than \(limit)"
        }
    }

    public struct Result: Sendable {
        public var file: PromRuleFile
        public var series: MemorySeries
        /// Evaluation times (milliseconds), all groups together, in order.
        public var evaluations: [Int64] = []
        public var transitions: [RuleEvaluator.Transition] = []
        public var episodes: [Episode] = []
        /// The alerts firing after each evaluation time where that set changed (and at the first).
        public var firing: [(at: Int64, alerts: [RuleEvaluator.Alert])] = []
        public var records = 0
        /// Selectors that matched no series at all (scraped or recorded), with their rule: a
        /// misspelled name, or a metric the log does not hold. The selectors under `absent` and
        /// `absent_over_time`, which ask for exactly that, are not counted.
        public var selectorsWithoutData: [(rule: String, selector: String)] = []
    }

    /// Reads `reader`'s metric records in time order and scrapes them.
    public static func scrape(_ reader: LogReader, options: Scraper.Options, onIssue: (ReplayIssue) -> Void) throws
        -> (series: MemorySeries, records: Int, first: Int64, last: Int64)
    {
        var scraper = Scraper(options: options)
        var records = 0
        var first = Int64.max, last = Int64.min
        // Line numbers within each member, for the place of an invalid line.
        var lineNumbers: [String: Int] = [:]
        _ = try reader.forEachLineMerged(onDamage: { onIssue(.damage($0)) }) { line in
            let member = "\(line.stream)/\(line.segment)/\(line.memberOffset)"
            lineNumbers[member, default: 0] += 1
            let decoded: DecodedLine
            do {
                decoded = try line.withBytes { bytes throws(RecordDecodingError) in try RecordDecoder.decode(bytes) }
            } catch let error as RecordDecodingError {
                onIssue(
                    .invalidLine(
                        path: reader.streams[line.stream].segments[line.segment].path, memberOffset: line.memberOffset,
                        line: lineNumbers[member]!, error: error))
                return
            } catch {
                return
            }
            guard case .record(let r) = decoded else { return }
            records += 1
            switch r {
            case .meta(let m): scraper.meta(m)
            case .resource(let r): scraper.resource(r.attributes, stream: reader.streams[line.stream].id)
            case .metric(let m):
                first = min(first, m.ts)
                last = max(last, m.ts)
                scraper.add(m, stream: reader.streams[line.stream].id)
            default: break
            }
        }
        return (scraper.finish(), records, first, last)
    }

    /// Evaluates `file` over the scraped series from the last multiple of the groups' intervals
    /// at or before `start` to the last evaluation at or before `end` (milliseconds).
    /// - Parameter maxEvaluations: refused beyond this many group evaluations (an error that says
    ///   so, not a result cut short); `nil`: no limit.
    public static func evaluate(
        _ file: PromRuleFile, series: MemorySeries, start: Int64, end: Int64,
        compatibility: Engine.Compatibility = .prometheus3, maxEvaluations: Int? = 1_000_000
    ) throws -> Result {
        var store = series
        var evaluator = RuleEvaluator(file)
        evaluator.engine.compatibility = compatibility
        var result = Result(file: file, series: series)
        // Every group's evaluation times, merged: (time, group).
        // Every group starts at one time, a multiple of all their intervals at or before the first
        // record, as a rule manager started before the processes would (and as promtool starts
        // its groups at its time 0).
        func gcd(_ a: Int64, _ b: Int64) -> Int64 { b == 0 ? a : gcd(b, a % b) }
        var lcm: Int64 = 1
        for g in file.groups { lcm = lcm / gcd(lcm, g.interval) * g.interval }
        let base = start >= 0 ? start / lcm * lcm : (start - lcm + 1) / lcm * lcm
        let count = file.groups.reduce(0) { n, g in end < base ? n : n + Int((end - base) / g.interval) + 1 }
        if let maxEvaluations, count > maxEvaluations {
            throw TooManyEvaluations(count: count, limit: maxEvaluations)
        }
        var schedule: [(Int64, Int)] = []
        schedule.reserveCapacity(count)
        for (g, group) in file.groups.enumerated() {
            var t = base
            while t <= end {
                schedule.append((t, g))
                t += group.interval
            }
        }
        schedule.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var open: [String: Episode] = [:]
        func key(_ a: RuleEvaluator.Alert) -> String { a.rule + "\u{0}" + a.labels.description }
        var lastFiring: [RuleEvaluator.Alert]? = nil
        func snapshot(_ t: Int64) {
            let firing = evaluator.firing
            func same(_ a: [RuleEvaluator.Alert], _ b: [RuleEvaluator.Alert]) -> Bool {
                a.count == b.count
                    && zip(a, b).allSatisfy { $0.labels == $1.labels && $0.annotations == $1.annotations }
            }
            if lastFiring == nil || !same(firing, lastFiring!) {
                result.firing.append((t, firing))
                lastFiring = firing
            }
        }
        for (k, (t, g)) in schedule.enumerated() {
            if result.evaluations.last != t { result.evaluations.append(t) }
            let transitions = try evaluator.evaluate(group: g, at: t, store: &store)
            result.transitions += transitions
            for tr in transitions {
                switch tr.state {
                case .firing:
                    open[key(tr.alert)] = Episode(
                        rule: tr.alert.rule, labels: tr.alert.labels, activeAt: tr.alert.activeAt, firedAt: t,
                        resolvedAt: nil, annotations: tr.alert.annotations)
                case .inactive:
                    if var e = open.removeValue(forKey: key(tr.alert)) {
                        e.resolvedAt = t
                        result.episodes.append(e)
                    }
                case .pending: break
                }
            }
            // What fires at a time is known once every group has been evaluated at it.
            if k == schedule.count - 1 || schedule[k + 1].0 != t { snapshot(t) }
        }
        for group in file.groups {
            for rule in group.rules {
                let (name, expr): (String, Expr)
                switch rule {
                case .alert(let a): (name, expr) = (a.name, a.expr)
                case .record(let r): (name, expr) = (r.name, r.expr)
                }
                for s in expr.selectors where store.series(matching: s.matchers).isEmpty {
                    result.selectorsWithoutData.append((name, s.description))
                }
            }
        }
        result.episodes += open.values.sorted { $0.firedAt < $1.firedAt }
        result.episodes.sort { ($0.firedAt, $0.rule) < ($1.firedAt, $1.rule) }
        return result
    }
}
