import GammaRules
import Dispatch
import GammaModel
import Synchronization

/// A backtest's stores split between the cores. Each worker owns some of the evaluator's stores
/// (a store's work, from its samples to its leaves' values, never depends on another's) and
/// sweeps a chunk's samples through them for the chunk's evaluation times, keeping every leaf
/// value and the number of groups each store has seen at each time. The rules' part of each
/// evaluation then runs on the calling thread over what the workers kept, in order, as live
/// evaluation would (``AlertEvaluator/evaluateRules(at:values:onTransition:)``).
///
/// Series may arrive between sweeps: ``route(_:labels:kind:)`` gives each worker the groups and
/// routes that the evaluator gave the series, in the same order, so group numbers agree.
struct BacktestWorkers {
    /// Evaluation times per chunk: what the workers keep between hand-overs stays small however
    /// long the range, and the rules of one chunk run while the next is swept.
    static let chunk = 64

    private let workers: [Worker]
    /// Each store's worker and its index there.
    private let owner: [(worker: Int, store: Int)]
    /// Each leaf's worker and its index there.
    private let leafOwner: [(worker: Int, leaf: Int)]
    /// The evaluator's stores (for group numbers), as of the last sweep started.
    private var stores: [SampleStore]
    private let leaves: [AlertEvaluator.Leaf]
    /// What the workers kept in the last finished sweep.
    private var kept: [Worker.Kept] = []

    /// - Parameters:
    ///   - stores: the evaluator's stores, with the groups of the series routed so far and no sample.
    ///   - weights: the samples each store is expected to take, to balance the cores.
    init(stores: [SampleStore], leaves: [AlertEvaluator.Leaf], weights: [Int], cores: Int) {
        self.stores = stores
        self.leaves = leaves
        let n = max(1, min(cores, stores.count))
        var load = [Int](repeating: 0, count: n)
        var owner = [(worker: Int, store: Int)](repeating: (0, 0), count: stores.count)
        var states = (0..<n).map { _ in Worker.State() }
        // Stores that sort their windows cost more per sample.
        let cost = stores.indices.map { weights[$0] * (1 + 3 * stores[$0].views.count { $0.sorted }) }
        for s in stores.indices.sorted(by: { cost[$0] > cost[$1] }) {
            let w = load.indices.min { load[$0] < load[$1] }!
            load[w] += cost[s]
            owner[s] = (w, states[w].stores.count)
            states[w].stores.append(stores[s])
        }
        var leafOwner: [(worker: Int, leaf: Int)] = []
        for leaf in leaves {
            let (w, local) = owner[leaf.store]
            leafOwner.append((w, states[w].leaves.count))
            states[w].leaves.append(.init(store: local, view: leaf.view, aggregation: leaf.aggregation))
        }
        self.owner = owner
        self.leafOwner = leafOwner
        workers = states.map { Worker(state: $0) }
    }

    /// Hands the workers a new series (numbered in the order series arrive) and its routes, as
    /// ``AlertEvaluator/series(name:kind:labels:)`` made them; `known` when the evaluator knew
    /// them already (the same name and labels as another kind). Only between sweeps.
    func route(_ routes: [AlertEvaluator.Route], labels: [String: String], kind: MetricKind, known: Bool) {
        for (w, worker) in workers.enumerated() {
            worker.state.withLock { state in
                for r in routes where owner[r.store].worker == w {
                    let local = owner[r.store].store
                    if !known {
                        let g = state.stores[local].group(for: labels, kind: kind)
                        precondition(g == r.group, "a worker's groups follow the evaluator's")
                    }
                    state.routes.append(.init(store: local, group: r.group))
                }
                state.routeEnds.append(state.routes.count)
            }
        }
    }

    /// Starts moving every store through `times` with `samples` (in time order, those up to the
    /// last time that no earlier sweep took), each worker on its own thread; meanwhile the
    /// calling thread may read what the last finished sweep kept (``values(at:)``).
    mutating func startSweep(_ times: [Int64], samples: [Backtest.Samples.Sample], stores: [SampleStore])
        -> DispatchGroup
    {
        self.stores = stores
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
            let (w, local) = workers.leafOwner[leaf]
            guard let g = workers.stores[workers.leaves[leaf].store].group(group) else { return nil }
            let kept = workers.kept[w]
            // A group that came after this sweep (with a series read since) had no sample yet.
            guard g < kept.groups[local] else { return nil }
            return kept.values[j * kept.slots + kept.offsets[local] + g]
        }
    }

    /// One core's share. The lock is held by that core's thread for a whole sweep, and by the
    /// calling thread between sweeps.
    final class Worker: Sendable {
        let state: Mutex<State>

        init(state: consuming sending State) { self.state = Mutex(state) }

        /// What a sweep leaves for the rules.
        struct Kept: Sendable {
            /// Per time, each leaf's value for each of its store's groups, from the leaf's
            /// offset on.
            var values: [Double?] = []
            var offsets: [Int] = []
            /// Each leaf's number of groups in this sweep.
            var groups: [Int] = []
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
            /// The leaves that read this worker's stores, with their stores numbered here.
            var leaves: [AlertEvaluator.Leaf] = []
            var kept = Kept()

            mutating func sweep(_ times: [Int64], samples: [Backtest.Samples.Sample]) {
                kept.values.removeAll(keepingCapacity: true)
                kept.seenCounts.removeAll(keepingCapacity: true)
                kept.offsets.removeAll(keepingCapacity: true)
                kept.groups.removeAll(keepingCapacity: true)
                kept.slots = 0
                for leaf in leaves {
                    kept.offsets.append(kept.slots)
                    kept.groups.append(stores[leaf.store].groups.count)
                    kept.slots += stores[leaf.store].groups.count
                }
                add(samples)
                for t in times {
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

            /// Adds a chunk's samples (in time order; those after an evaluation time wait in
            /// their groups for it) to every group they are routed to: counted by group, laid out
            /// group by group, then appended a group at a time.
            private mutating func add(_ samples: [Backtest.Samples.Sample]) {
                // A slot is a store's group, numbered across the stores.
                var first: [Int] = []
                var slots = 0
                for s in stores {
                    first.append(slots)
                    slots += s.groups.count
                }
                let slotOfRoute = routes.map { first[$0.store] + $0.group }
                let ends = routeEnds
                func forEachSlot(_ body: (Backtest.Samples.Sample, Int) -> Void) {
                    for s in samples where !s.value.isNaN {  // NaN is in no figure
                        let series = Int(s.series)
                        for r in (series == 0 ? 0 : ends[series - 1])..<ends[series] { body(s, slotOfRoute[r]) }
                    }
                }
                // Where each slot's samples start: counted, then summed.
                let starts = UnsafeMutableBufferPointer<Int>.allocate(capacity: slots + 1)
                defer { starts.deallocate() }
                starts.initialize(repeating: 0)
                forEachSlot { _, slot in starts[slot + 1] += 1 }
                for i in 0..<slots { starts[i + 1] += starts[i] }
                let total = starts[slots]
                let ts = UnsafeMutableBufferPointer<Int64>.allocate(capacity: total)
                let values = UnsafeMutableBufferPointer<Double>.allocate(capacity: total)
                let next = UnsafeMutableBufferPointer<Int>.allocate(capacity: slots)
                defer {
                    ts.deallocate()
                    values.deallocate()
                    next.deallocate()
                }
                _ = next.initialize(from: starts.prefix(slots))
                forEachSlot { s, slot in
                    ts[next[slot]] = s.ts
                    values[next[slot]] = s.value
                    next[slot] += 1
                }
                for store in stores.indices {
                    for g in stores[store].groups.indices {
                        let range = starts[first[store] + g]..<starts[first[store] + g + 1]
                        if !range.isEmpty {
                            stores[store].add(
                                group: g, ts: UnsafeBufferPointer(rebasing: ts[range]),
                                values: UnsafeBufferPointer(rebasing: values[range]))
                        }
                    }
                }
            }
        }
    }
}
