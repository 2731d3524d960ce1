import Dispatch
import Synchronization

/// A backtest's stores split between the cores. Each worker owns some of the evaluator's stores
/// (a store's work, from its samples to its leaves' values, never depends on another's) and
/// sweeps the samples through them for a chunk of evaluation times, keeping every leaf value and
/// the number of groups each store has seen at each time. The rules' part of each evaluation
/// then runs on the calling thread over what the workers kept, in order, as live evaluation
/// would (``AlertEvaluator/evaluateRules(at:values:onTransition:)``).
struct BacktestWorkers {
    /// Evaluation times per chunk: what the workers keep between hand-overs stays small however
    /// long the range.
    static let chunk = 256

    private let workers: [Worker]
    /// Each store's worker and its index there.
    private let owner: [(worker: Int, store: Int)]
    /// Each leaf's worker and the slot of its first group among that worker's values.
    private let slot: [(worker: Int, offset: Int)]
    private let stores: [SampleStore]
    private let leaves: [AlertEvaluator.Leaf]
    /// What the workers kept for the current chunk.
    private var kept: [Worker.Kept] = []

    /// - Parameters:
    ///   - stores: the evaluator's stores, with their groups routed but no sample yet.
    ///   - series: for each series of `samples`, its routes.
    init(stores: [SampleStore], leaves: [AlertEvaluator.Leaf], series: [[AlertEvaluator.Route]], samples: [Backtest.Samples.Sample],
         cores: Int) {
        self.stores = stores
        self.leaves = leaves
        // Balance the cores by the samples each store takes, and more for those that sort.
        var weight = [Int](repeating: 0, count: stores.count)
        var perSeries = [Int](repeating: 0, count: series.count)
        for s in samples { perSeries[Int(s.series)] += 1 }
        for (i, routes) in series.enumerated() {
            for r in routes { weight[r.store] += perSeries[i] * (1 + 3 * stores[r.store].views.count { $0.sorted }) }
        }
        let n = max(1, min(cores, stores.count))
        var load = [Int](repeating: 0, count: n)
        var owner = [(worker: Int, store: Int)](repeating: (0, 0), count: stores.count)
        var states = (0..<n).map { _ in Worker.State() }
        for s in stores.indices.sorted(by: { weight[$0] > weight[$1] }) {
            let w = load.indices.min { load[$0] < load[$1] }!
            load[w] += weight[s]
            owner[s] = (w, states[w].stores.count)
            states[w].stores.append(stores[s])
        }
        for w in states.indices {
            for routes in series {
                for r in routes where owner[r.store].worker == w { states[w].routes.append(.init(store: owner[r.store].store, group: r.group)) }
                states[w].routeEnds.append(states[w].routes.count)
            }
        }
        var slot: [(worker: Int, offset: Int)] = []
        for leaf in leaves {
            let (w, local) = owner[leaf.store]
            slot.append((w, states[w].slots))
            states[w].leaves.append(.init(store: local, view: leaf.view, aggregation: leaf.aggregation))
            states[w].slots += stores[leaf.store].groups.count
        }
        self.owner = owner
        self.slot = slot
        workers = states.map { Worker(state: $0) }
    }

    /// Moves every store through `times`, each worker on its own thread.
    /// Starts moving every store through `times`, each worker on its own thread; the calling
    /// thread meanwhile may read what the previous sweep kept (``values(at:)``).
    func startSweep(_ times: [Int64], samples: [Backtest.Samples.Sample]) -> DispatchGroup {
        let workers = self.workers
        let done = DispatchGroup()
        DispatchQueue.global().async(group: done) {
            DispatchQueue.concurrentPerform(iterations: workers.count) { w in
                workers[w].state.withLock { $0.sweep(times, samples: samples) }
            }
        }
        return done
    }

    /// Waits for the sweep `done` and takes what it kept.
    mutating func finishSweep(_ done: DispatchGroup) {
        done.wait()
        kept = workers.map { w in w.state.withLock { $0.kept } }
    }

    /// The leaves' values at the `j`th time of the last finished sweep.
    func values(at j: Int) -> some LeafValues { Snapshot(workers: self, j: j) }

    private struct Snapshot: LeafValues {
        let workers: BacktestWorkers
        let j: Int

        func seen(store: Int) -> ArraySlice<[String]> {
            let (w, local) = workers.owner[store]
            let kept = workers.kept[w]
            return kept.seen[local][..<kept.seenCounts[j * kept.seen.count + local]]
        }

        func value(leaf: Int, group: [String]) -> Double? {
            let (w, offset) = workers.slot[leaf]
            guard let g = workers.stores[workers.leaves[leaf].store].group(group) else { return nil }
            let kept = workers.kept[w]
            return kept.values[j * kept.slots + offset + g]
        }
    }

    /// One core's share. The lock is held by that core's thread for a whole sweep, and by the
    /// calling thread between sweeps.
    final class Worker: Sendable {
        let state: Mutex<State>

        init(state: consuming sending State) { self.state = Mutex(state) }

        struct Leaf: Sendable {
            var store: Int
            var view: Int
            var aggregation: AlertAggregation
        }

        /// What a sweep leaves for the rules.
        struct Kept: Sendable {
            /// Per time, each leaf's value for each of its store's groups, from the leaf's slot on.
            var values: [Double?] = []
            var slots = 0
            /// Per time, how many groups each store had seen.
            var seenCounts: [Int] = []
            var seen: [[[String]]] = []
        }

        struct State: Sendable {
            var stores: [SampleStore] = []
            /// Each series' routes to this worker's stores: `routes[routeEnds[s - 1]..<routeEnds[s]]`.
            var routes: [AlertEvaluator.Route] = []
            var routeEnds: [Int] = []
            var leaves: [Leaf] = []
            var slots = 0
            var cursor = 0
            var kept = Kept()

            mutating func sweep(_ times: [Int64], samples: [Backtest.Samples.Sample]) {
                kept.values.removeAll(keepingCapacity: true)
                kept.seenCounts.removeAll(keepingCapacity: true)
                kept.slots = slots
                for t in times {
                    while cursor < samples.count, samples[cursor].ts <= t {
                        let s = samples[cursor]
                        cursor += 1
                        guard !s.value.isNaN else { continue }  // NaN is in no figure
                        let series = Int(s.series)
                        for i in (series == 0 ? 0 : routeEnds[series - 1])..<routeEnds[series] {
                            stores[routes[i].store].add(group: routes[i].group, ts: s.ts, value: s.value)
                        }
                    }
                    for i in stores.indices {
                        stores[i].advance(to: t)
                        kept.seenCounts.append(stores[i].seen.count)
                    }
                    for leaf in leaves {
                        for g in stores[leaf.store].groups.indices {
                            kept.values.append(stores[leaf.store].value(leaf.aggregation, view: leaf.view, group: g))
                        }
                    }
                }
                kept.seen = stores.map(\.seen)
            }
        }
    }
}
