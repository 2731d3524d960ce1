public import GammaRules
import Foundation
public import GammaLog
public import GammaModel
public import GammaReplay

/// Evaluates rules over recorded metrics as live evaluation would have, every `interval` of
/// recorded time: the transitions, each rule's firing episodes, the notifications that would
/// have been sent, and the time spent pending and firing.
public struct Backtest {
    public struct Options: Sendable {
        public var interval: Int64 = 15_000_000_000
        public var since: Int64?
        public var until: Int64?
        /// Evaluations to make at most: past it the backtest stops and says so
        /// (``Result/tooManyEvaluations``) instead of running for hours on a log whose range the
        /// interval cuts too finely (foreign files carry no headers to tell the range beforehand).
        public var maxEvaluations: Int?
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
        /// The phase and the rule's value (`nil`: none) at each evaluation, for timelines.
        public var phases: [(at: Int64, phase: AlertGroupState.Phase, value: Double?)] = []

        public static func == (a: GroupResult, b: GroupResult) -> Bool {
            a.rule == b.rule && a.group == b.group && a.episodes == b.episodes && a.transitions == b.transitions
        }
    }

    public struct Result: Sendable {
        public var rules: [AlertRule]
        public var groups: [GroupResult]
        /// The time range evaluated: the log's first and last record, or `--since`/`--until`;
        /// `nil` when there was nothing to evaluate (no records).
        public var start: Int64?
        public var end: Int64?
        public var evaluations: Int
        public var samples: Int
        /// The rules none of whose metrics had a sample in the range.
        public var rulesWithoutData: [String] = []
        /// The records read in the range, of any type (0: the log held none there).
        public var records = 0
        /// The range and interval called for more than ``Options/maxEvaluations`` evaluations:
        /// the backtest stopped there, and its result covers only the start of the range.
        public var tooManyEvaluations = false
        public var transitions: [AlertTransition] {
            groups.flatMap(\.transitions).sorted { ($0.at, $0.rule) < ($1.at, $1.rule) }
        }
    }

    /// A rule (its index) and a group's values.
    struct RuleGroup: Hashable {
        var rule: Int
        var group: [String]
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
        private var ids: [Series: Int32] = [:]

        public init() {}

        /// Samples given one by one (tests, small inputs), sorted by time.
        public init(_ list: [AlertSample]) {
            for s in list {
                samples.append(
                    Sample(
                        ts: s.ts, series: id(of: Series(name: s.name, kind: s.kind, labels: s.labels)), value: s.value))
            }
            samples.sort { $0.ts < $1.ts }
        }

        /// The number of a series, given when first met.
        mutating func id(of s: Series) -> Int32 {
            if let id = ids[s] { return id }
            series.append(s)
            ids[s] = Int32(series.count - 1)
            return Int32(series.count - 1)
        }
    }

    /// Reads the metric samples named in `names` from `reader`, in time order.
    ///
    /// The reader's workers read each member's lines in place and hash each metric line's raw
    /// series key (as gamma-report does); here a key is looked up in a ``RawSeriesTable``, and a
    /// line is decoded only when its key is new.
    /// - Parameter onIssue: damage and invalid lines, each with its place.
    public static func samples(
        for names: Set<String>, from reader: LogReader, options: Options,
        onIssue: (ReplayIssue) -> Void
    ) throws -> Samples {
        var collector = SampleCollector(names: names, since: options.since ?? .min, until: options.until ?? .max)
        _ = try reader.forEachMember(preparing: MetricReplay.ParsedMember.init, onDamage: { onIssue(.damage($0)) }) {
            member, parsed in
            collector.add(parsed, member.bytes)
            RecordLines.report(parsed.errors, reader, member, onIssue)
        }
        collector.out.samples.sort { $0.ts < $1.ts }  // stable: equal times keep the order read; members are mostly in order already
        return collector.out
    }

    /// What ``samples(for:from:options:onIssue:)`` has read so far.
    struct SampleCollector {
        let names: Set<String>
        let since: Int64, until: Int64
        var table = RawSeriesTable()
        var out = Samples()

        init(names: Set<String>, since: Int64, until: Int64) {
            self.names = names
            self.since = since
            self.until = until
        }

        /// Adds the samples of one member's metric lines (`bytes` are the member's lines).
        mutating func add(_ parsed: MetricReplay.ParsedMember, _ bytes: UnsafeRawBufferPointer) {
            for m in parsed.metrics where m.ts >= since && m.ts < until {  // half-open, as the reader's range
                let name = m.name(in: bytes), labels = m.labels(in: bytes)
                var id = table.find(hash: m.hash, kind: m.kind, name, labels)
                if id == nil {
                    // A raw key met for the first time: decode the line. Other spellings of a
                    // series' labels get keys of their own that lead to the same series.
                    var found: Int32 = -1
                    if case .record(.metric(let metric))? = try? RecordDecoder.decode(m.line(in: bytes)),
                        names.contains(metric.name)
                    {
                        found = out.id(of: Samples.Series(name: metric.name, kind: metric.kind, labels: metric.labels))
                    }
                    table.insert(hash: m.hash, kind: m.kind, name, labels, id: found)
                    id = found
                }
                guard let id, id >= 0 else { continue }
                out.samples.append(Samples.Sample(ts: m.ts, series: id, value: m.value))
            }
        }
    }

    /// ``run(_:samples:options:)`` over samples given one by one.
    public static func run(_ rules: [AlertRule], samples: [AlertSample], options: Options) throws(ReplayError) -> Result
    {
        try run(rules, samples: Samples(samples), options: options)
    }

    /// Evaluates `rules` over `samples` (in time order) every `options.interval`, from the
    /// first evaluation time at or after the start to the last at or before the end.
    public static func run(_ rules: [AlertRule], samples set: Samples, options: Options) throws(ReplayError) -> Result {
        var driver = try BacktestDriver(rules: rules, options: options)
        driver.feed(
            set.series[...], samples: set.samples[...], complete: .max,
            records: (set.samples.first?.ts ?? .max, set.samples.last?.ts ?? .min))
        return driver.finish()
    }

    /// Evaluates each set of rules over the metric samples they name in `reader`, as
    /// ``run(_:samples:options:)`` does, while reading: an evaluation time is swept once the
    /// members' headers show that every sample up to it has been read, so that evaluation and
    /// reading share the cores.
    /// - Parameters:
    ///   - progress: called after each member with the fraction of the input read (evaluation
    ///     keeps pace with reading), and with 1 before the evaluations after the last member.
    ///   - onIssue: damage and invalid lines, each with its place.
    public static func run(
        _ ruleSets: [[AlertRule]], reader: LogReader, options: Options, progress: ((Double) -> Void)? = nil,
        onIssue: (ReplayIssue) -> Void
    ) throws -> [Result] {
        var read = ReadProgress(reader)
        var pass = try Pass(ruleSets, options: options)
        _ = try reader.forEachMember(preparing: MetricReplay.ParsedMember.init, onDamage: { onIssue(.damage($0)) }) {
            member, parsed in
            pass.add(parsed, member)
            RecordLines.report(parsed.errors, reader, member, onIssue)
            if let progress { progress(read.advance(member)) }
        }
        progress?(1)
        return pass.finish()
    }

    /// A backtest fed member by member as a log is read (by ``run(_:reader:options:progress:onIssue:)``,
    /// or by a pass that shares its reading with other figures): an evaluation time is swept once
    /// the members' headers show that every sample up to it has been read.
    package struct Pass {
        private var drivers: [BacktestDriver]
        private var collector: SampleCollector
        private var fed = 0
        private var complete = Int64.min
        // The time range of every record read, of any type: the log's range.
        private var recordsFirst = Int64.max, recordsLast = Int64.min
        private var records = 0

        package init(_ ruleSets: [[AlertRule]], options: Options) throws {
            drivers = try ruleSets.map { try BacktestDriver(rules: $0, options: options) }
            collector = SampleCollector(
                names: AlertRule.metricNames(ruleSets.flatMap { $0 }), since: options.since ?? .min,
                until: options.until ?? .max)
        }

        /// Takes what a worker read from one member.
        package mutating func add(_ parsed: MetricReplay.ParsedMember, _ member: LogMember) {
            collector.add(parsed, member.bytes)
            records += parsed.records
            recordsFirst = min(recordsFirst, parsed.first)
            recordsLast = max(recordsLast, parsed.last)
            if member.earliestLater > complete {
                complete = member.earliestLater
                feed(upTo: complete)
            }
        }

        /// Everything before `bound` has been read: those samples go, in time order (stable:
        /// equal times keep the order read), and the rest wait.
        private mutating func feed(upTo bound: Int64) {
            collector.out.samples.sort { $0.ts < $1.ts }
            var n = 0
            while n < collector.out.samples.count, collector.out.samples[n].ts < bound { n += 1 }
            for d in drivers.indices {
                drivers[d].feed(
                    collector.out.series[fed...], samples: collector.out.samples[..<n], complete: bound,
                    records: (recordsFirst, recordsLast))
            }
            fed = collector.out.series.count
            collector.out.samples.removeFirst(n)
        }

        /// The result of each set of rules, once every member has been added.
        package mutating func finish() -> [Result] {
            if complete < .max { feed(upTo: .max) }
            return drivers.indices.map { d in
                var result = drivers[d].finish()
                result.records = records
                return result
            }
        }
    }
}
