import GammaRules
import GammaModel
import Dispatch
import Foundation
import GammaReplay

/// Runs a backtest as its samples arrive: samples come in time order up to a time before which
/// every sample has arrived (``feed(_:samples:complete:)``), and the evaluation times whose
/// samples are all there are swept by ``BacktestWorkers`` a chunk at a time while more samples
/// are read; the rules of a chunk run here once its sweep is done, while the next is swept.
struct BacktestDriver {
    let evaluator: AlertEvaluator
    let options: Backtest.Options
    private var workers: BacktestWorkers?
    /// Evaluator series ids of the series fed so far, by their number in the feed.
    private var ids: [Int] = []
    /// New series not yet handed to the workers.
    private var unrouted: [(id: Int, series: Backtest.Samples.Series, known: Bool)] = []
    /// Samples fed and not yet swept, in time order, from `pendingFrom` on.
    private var pending: [Backtest.Samples.Sample] = []
    private var pendingFrom = 0
    private var samples = 0
    /// The first evaluation time not yet swept (set by the log's first record, or `since`).
    private var next: Int64?
    /// The log's first record (or `since`), once known.
    private var first: Int64?
    /// The newest sample fed, and the newest record of any type read.
    private var newest = Int64.min
    private var newestRecord = Int64.min
    /// The sweep under way, and its times.
    private var sweep: (done: DispatchGroup, times: [Int64])?
    private var evaluations = 0
    /// Set once the evaluation times reach the last multiple of the interval that `Int64` holds,
    /// or ``Backtest/Options/maxEvaluations``.
    private var exhausted = false
    private var dispatched = 0
    private var tooMany = false
    private let results = Results()

    init(rules: [AlertRule], options: Backtest.Options) throws(ReplayError) {
        do { evaluator = try AlertEvaluator(rules: rules) } catch { throw .usage(error.description) }
        self.options = options
        let results = self.results, enabled = evaluator.rules
        evaluator.observe = { results.observe(enabled, $0, $1, $2, $3) }
        if let since = options.since {
            first = since
            next = AlertEvaluator.evaluationTime(atOrAfter: since, interval: options.interval)
        }
    }

    /// Takes the series numbered from the count fed so far on, and samples in time order, all
    /// of them with `ts` below `complete`, and every sample with `ts` below `complete` that
    /// was not fed before.
    ///
    /// `records` is the time range of every record read so far, of any type: the evaluations
    /// cover the log's range, not only the range of the samples the rules read, so that a rule's
    /// episodes never depend on which other rules are evaluated with it.
    mutating func feed(
        _ series: ArraySlice<Backtest.Samples.Series>, samples new: ArraySlice<Backtest.Samples.Sample>,
        complete: Int64,
        records: (first: Int64, last: Int64)
    ) {
        for s in series {
            let known = evaluator.routes.count
            let id = evaluator.series(name: s.name, kind: s.kind, labels: s.labels)
            ids.append(id)
            unrouted.append((id, s, id < known))
        }
        // Everything before `complete` has been read, so the earliest record, once before it,
        // is the log's first.
        let earliest = min(records.first, new.first?.ts ?? .max)
        if first == nil, earliest < complete {
            first = earliest
            next = AlertEvaluator.evaluationTime(atOrAfter: earliest, interval: options.interval)
        }
        samples += new.count
        pending.append(contentsOf: new)
        if let last = new.last { newest = max(newest, last.ts) }
        newestRecord = max(newestRecord, records.last, newest)
        // Times whose samples are all here: before `complete`, and not after the newest record
        // (the range may end there).
        guard complete > .min else { return }
        dispatch(upTo: min(complete - 1, newestRecord, options.until.map { $0 - 1 } ?? .max), waiting: false)
    }

    /// Sweeps what is left, up to the end of the range, and gives the result.
    ///
    /// The evaluations run from the first multiple of the interval at or after the log's first
    /// record (or `since`) to the first at or after its last record, so that a sample after the
    /// last multiple is seen, as live evaluation sees it at the end of a run; with `until`, to
    /// the last before it. A log without records gives no evaluation (`start` and `end` nil).
    mutating func finish() -> Backtest.Result {
        let end = options.until.map { $0 - 1 } ?? (newestRecord == .min ? nil : newestRecord)
        guard let start = first ?? (newestRecord == .min ? nil : newestRecord), let end, start <= end else {
            return Backtest.Result(
                rules: evaluator.rules, groups: results.groups, start: nil, end: nil, evaluations: 0, samples: samples,
                rulesWithoutData: evaluator.rulesWithoutData)
        }
        if next == nil { next = AlertEvaluator.evaluationTime(atOrAfter: start, interval: options.interval) }
        let last =
            options.until != nil ? end : AlertEvaluator.evaluationTime(atOrAfter: end, interval: options.interval)
        dispatch(upTo: last, waiting: true)
        return Backtest.Result(
            rules: evaluator.rules, groups: results.groups, start: start, end: end,
            evaluations: evaluations, samples: samples, rulesWithoutData: evaluator.rulesWithoutData,
            tooManyEvaluations: tooMany)
    }

    /// Starts sweeps of the times up to `end` whose chunk is full (every one of them, if
    /// `waiting`), running the rules of each sweep that is done; without `waiting`, a sweep
    /// under way is left to finish while reading goes on.
    private mutating func dispatch(upTo end: Int64, waiting: Bool) {
        guard var t = next else { return }
        while t <= end && !exhausted {
            if let sweep {
                if !waiting && sweep.done.wait(timeout: .now()) == .timedOut { return }
                workers!.finishSweep(sweep.done)
            }
            let finished = sweep
            sweep = nil
            var times: [Int64] = []
            var u = t
            var last = false
            while u <= end, times.count < BacktestWorkers.chunk {
                times.append(u)
                let (after, overflow) = u.addingReportingOverflow(options.interval)
                if overflow {  // the last evaluation time that Int64 holds
                    last = true
                    break
                }
                u = after
            }
            if times.count < BacktestWorkers.chunk && !waiting {
                if let finished { rules(finishing: finished) }
                return
            }
            if let limit = options.maxEvaluations, dispatched + times.count > limit {
                tooMany = true
                exhausted = true
                if let finished { rules(finishing: finished) }
                return
            }
            dispatched += times.count
            start(times)
            exhausted = last
            t = u
            next = u
            // The finished chunk's rules run while the cores sweep this one.
            if let finished { rules(finishing: finished) }
        }
        if waiting, let sweep {
            workers!.finishSweep(sweep.done)
            self.sweep = nil
            rules(finishing: sweep)
        }
    }

    private mutating func start(_ times: [Int64]) {
        if workers == nil {
            var weights = [Int](repeating: 0, count: evaluator.stores.count)
            var perSeries = [Int](repeating: 0, count: ids.count)
            for s in pending[pendingFrom...] { perSeries[Int(s.series)] += 1 }
            for (series, id) in ids.enumerated() {
                for r in evaluator.routes[id] { weights[r.store] += perSeries[series] }
            }
            workers = BacktestWorkers(
                stores: evaluator.stores, leaves: evaluator.leaves, weights: weights,
                cores: ProcessInfo.processInfo.activeProcessorCount)
        }
        for s in unrouted {
            workers!.route(evaluator.routes[s.id], labels: s.series.labels, kind: s.series.kind, known: s.known)
        }
        unrouted = []
        let last = times[times.count - 1]
        var n = pendingFrom
        while n < pending.count, pending[n].ts <= last { n += 1 }
        let chunk = Array(pending[pendingFrom..<n])
        pendingFrom = n
        if pendingFrom > 65536, pendingFrom * 2 > pending.count {
            pending.removeFirst(pendingFrom)
            pendingFrom = 0
        }
        sweep = (workers!.startSweep(times, samples: chunk, stores: evaluator.stores), times)
    }

    /// The rules at each time of a finished sweep.
    private mutating func rules(finishing sweep: (done: DispatchGroup, times: [Int64])) {
        let results = self.results
        for (j, at) in sweep.times.enumerated() {
            results.now = at
            evaluator.evaluateRules(at: at, values: workers!.values(at: j)) { results.transitions.append($0) }
            evaluations += 1
        }
    }

    /// What the rules did, group by group; ``AlertEvaluator/observe`` feeds it.
    final class Results {
        var groups: [Backtest.GroupResult] = []
        /// A rule's group → its place in `groups`, made when first seen.
        var slots: [Backtest.RuleGroup: Int] = [:]
        var now: Int64 = 0
        /// The transitions of the group about to be observed.
        var transitions: [AlertTransition] = []

        func observe(
            _ rules: [AlertRule], _ r: Int, _ groupValues: [String], _ value: Double?, _ phase: AlertGroupState.Phase
        ) {
            let key = Backtest.RuleGroup(rule: r, group: groupValues)
            let k =
                slots[key]
                ?? {
                    let rule = rules[r]
                    groups.append(
                        Backtest.GroupResult(
                            rule: rule.name, severity: rule.severity, group: rule.labels(ofGroup: groupValues)))
                    slots[key] = groups.count - 1
                    return groups.count - 1
                }()
            // Episodes open before the value is followed, so the firing evaluation's value counts.
            for transition in transitions {
                groups[k].transitions.append(transition)
                switch transition.kind {
                case .firing:
                    groups[k].episodes.append(
                        Backtest.Episode(start: transition.at, end: nil, peak: nil, notified: transition.notify))
                case .resolved:
                    if let n = groups[k].episodes.indices.last { groups[k].episodes[n].end = transition.at }
                default: break
                }
            }
            transitions.removeAll(keepingCapacity: true)
            // Time spent in a phase runs from the evaluation that found it to this one.
            if let p = groups[k].phases.last {
                if p.phase == .pending { groups[k].pendingTime += now - p.at }
                if p.phase == .firing { groups[k].firingTime += now - p.at }
            }
            groups[k].phases.append((now, phase, value))
            if phase == .firing, let value, var episode = groups[k].episodes.last, episode.end == nil {
                var lower = false
                if case .threshold(let op, _) = rules[r].condition { lower = op == .less || op == .lessOrEqual }
                episode.peak = episode.peak.map { lower ? Swift.min($0, value) : Swift.max($0, value) } ?? value
                groups[k].episodes[groups[k].episodes.count - 1] = episode
            }
        }
    }
}
