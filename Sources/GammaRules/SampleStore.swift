package import GammaModel

/// The samples of one selector (a metric and its matchers) split by one `group_by`, shared by
/// every rule leaf that reads them: a sample is stored once however many rules read it, and
/// each leaf's window is a view over its group's samples.
///
/// A group keeps its samples' times and values in time order, with prefix sums, so that any
/// window's sum and count are two subtractions. `tail` marks the samples the last evaluation saw
/// (`ts <= t`); each view (a window length) has its own `head`. For views that need more, the
/// samples that came in at each evaluation form a run (a short run takes in the next
/// evaluation's too): its minimum and maximum are kept, and for quantiles it is kept sorted. A
/// window is the part of a run at its head and the whole runs after it, so its minimum is the
/// least of a few run minimums and a scan of that part, and its quantile is selected across its
/// sorted runs (``SortedRuns``).
package struct SampleStore: Sendable {
    package let groupBy: [String]
    /// The window lengths leaves read, and what each needs besides sums and counts.
    package private(set) var views: [ViewSpec] = []
    package private(set) var keys: [[String]] = []
    private var index: [[String]: Int] = [:]
    /// The groups that have had a sample, in the order they had their first.
    package private(set) var seen: [[String]] = []
    package private(set) var groups: [Group] = []

    package struct ViewSpec: Equatable, Sendable {
        package var window: Int64
        package var min = false, max = false, sorted = false
    }

    package init(groupBy: [String]) { self.groupBy = groupBy }

    /// The view of a window length for an aggregation (made before any sample is added).
    package mutating func view(window: Int64, for aggregation: AlertAggregation) -> Int {
        let v =
            views.firstIndex { $0.window == window }
            ?? {
                views.append(ViewSpec(window: window))
                return views.count - 1
            }()
        switch aggregation {
        case .min: views[v].min = true
        case .max: views[v].max = true
        case .quantile: views[v].sorted = true
        default: break
        }
        return v
    }

    /// The group of a series with these labels; the series' kind becomes the group's.
    package mutating func group(for labels: [String: String], kind: MetricKind) -> Int {
        let key = groupBy.map { labels[$0] ?? "" }
        if let g = index[key] {
            groups[g].kind = kind
            return g
        }
        keys.append(key)
        groups.append(Group(kind: kind, views: views.count))
        index[key] = keys.count - 1
        return keys.count - 1
    }

    package func group(_ key: [String]) -> Int? { index[key] }

    @inline(__always)
    package mutating func add(group g: Int, ts: Int64, value: Double) {
        groups[g].add(ts, value)
    }

    /// Adds samples to a group, in time order.
    package mutating func add(group g: Int, ts: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>) {
        groups[g].add(ts, values)
    }

    /// Moves every group's windows to end at `t`.
    package mutating func advance(to t: Int64) {
        for g in groups.indices {
            let had = groups[g].hadSamples
            groups[g].advance(to: t, views)
            if !had && groups[g].hadSamples { seen.append(keys[g]) }
        }
    }

    /// The aggregation of a group's window in view `v` at the last evaluation; `nil` for a group
    /// without samples so far, or an empty window where the aggregation needs a sample.
    package func value(_ aggregation: AlertAggregation, view v: Int, group g: Int) -> Double? {
        guard groups[g].hadSamples else { return nil }
        let group = groups[g]
        let w = group.views[v]
        let n = group.tail - w.head
        let sum = group.prefix[group.tail] - group.prefix[w.head]
        switch aggregation {
        case .value:
            if group.kind == .counter { return group.total }
            return n > 0 ? group.values[group.tail - 1] : nil
        case .increase, .sum: return sum
        case .rate: return sum / (Double(views[v].window) / 1e9)
        case .count: return Double(n)
        case .avg: return n == 0 ? nil : sum / Double(n)
        case .min: return n == 0 ? nil : group.extreme(view: v, smallest: true)
        case .max: return n == 0 ? nil : group.extreme(view: v, smallest: false)
        case .quantile(let q): return group.quantile(q, view: v)
        }
    }

    /// One group's samples, oldest first; those before the heads are dropped now and then.
    package struct Group: Sendable {
        package var ts: [Int64] = []
        package var values: [Double] = []
        /// prefix[i] = values[0] + … + values[i-1], up to `tail`.
        package var prefix: [Double] = [0]
        /// The samples up to `tail` have `ts <= t` of the last evaluation.
        package var tail = 0
        /// For views that need more than sums: the samples that came in at an evaluation, or at
        /// a few when they bring few (a run, from one start to the next or to `tail`). A window
        /// is the part of a run at its head and whole runs after it.
        package var runStarts: [Int] = []
        /// For views that sort: each run sorted once (`sortedRuns[r]` holds `values[r]` sorted).
        package var sortedRuns: [Double] = []
        /// For views that need a minimum or a maximum: each run's.
        package var runMin: [Double] = [], runMax: [Double] = []
        /// The runs before this one are behind every view's head.
        package var firstRun = 0
        /// Everything a counter ever added up to `tail` (for `value`).
        package var total = 0.0
        /// Whether an evaluation has seen a sample of the group (a group exists from then on).
        package var hadSamples = false
        package var kind: MetricKind
        package var views: [GroupView]

        package init(kind: MetricKind, views: Int) {
            self.kind = kind
            self.views = Array(repeating: GroupView(), count: views)
        }

        /// Samples come in time order. One older than the newest stays in time order among those
        /// the next evaluation will see; one older than what an evaluation already saw counts
        /// from the next evaluation on, at the time of the newest sample already seen.
        @inline(__always)
        package mutating func add(_ time: Int64, _ v: Double) {
            if let last = ts.last, time < last {
                insert(time, v)
                return
            }
            ts.append(time)
            values.append(v)
        }

        /// Adds samples in time order: appended whole when they come after the newest.
        package mutating func add(_ times: UnsafeBufferPointer<Int64>, _ vs: UnsafeBufferPointer<Double>) {
            guard let earliest = times.first else { return }
            if let last = ts.last, earliest < last {
                for i in times.indices { add(times[i], vs[i]) }
                return
            }
            ts.append(contentsOf: times)
            values.append(contentsOf: vs)
        }

        private mutating func insert(_ time: Int64, _ v: Double) {
            var i = ts.count
            while i > tail, ts[i - 1] > time { i -= 1 }
            ts.insert(tail > 0 && i == tail ? Swift.max(time, ts[tail - 1]) : time, at: i)
            values.insert(v, at: i)
        }

        package mutating func advance(to t: Int64, _ specs: [ViewSpec]) {
            let oldTail = tail
            while tail < ts.count, ts[tail] <= t { tail += 1 }
            if tail > oldTail {
                hadSamples = true
                prefix.append(contentsOf: repeatElement(0, count: tail - oldTail))
                prefix.withUnsafeMutableBufferPointer { prefix in
                    values.withUnsafeBufferPointer { values in
                        for i in oldTail..<tail {
                            total += values[i]
                            prefix[i + 1] = prefix[i] + values[i]
                        }
                    }
                }
            }
            let sorts = specs.contains(where: \.sorted), extremes = specs.contains { $0.min || $0.max }
            let runs = sorts || extremes
            if tail > oldTail, runs {
                // A short last run takes these samples in too, so that runs stay few when
                // evaluations bring few samples each, or when a window spans many evaluations: a
                // selection costs a search per run, a run at a view's head a sort of its part.
                let extending =
                    runStarts.count > firstRun
                    && oldTail - runStarts[runStarts.count - 1]
                        < Swift.max(Self.shortRun, (oldTail - runStarts[firstRun]) / Self.runsInPlay)
                let start = extending ? runStarts[runStarts.count - 1] : oldTail
                if !extending { runStarts.append(oldTail) }
                if sorts {
                    sortedRuns.append(contentsOf: values[oldTail..<tail])
                    sortedRuns.withUnsafeMutableBufferPointer { sorted in
                        RadixSort.sort(.init(rebasing: sorted[oldTail..<tail]))
                        if extending { Self.mergeLast(sorted, start, oldTail, tail) }
                    }
                }
                if extremes {
                    var (low, high) = values.withUnsafeBufferPointer {
                        Self.extremes(.init(rebasing: $0[oldTail..<tail]))
                    }
                    if extending {
                        low = Swift.min(low, runMin.removeLast())
                        high = Swift.max(high, runMax.removeLast())
                    }
                    runMin.append(low)
                    runMax.append(high)
                }
            }
            ts.withUnsafeBufferPointer { ts in
                values.withUnsafeBufferPointer { values in
                    for v in specs.indices {
                        views[v].advance(
                            to: t, spec: specs[v], ts: ts, values: values, runStarts: runStarts[firstRun...], tail: tail
                        )
                    }
                }
            }
            var low = low
            if runs {
                firstRun = run(containing: low)
                if firstRun > 64, firstRun * 2 > runStarts.count { dropRuns() }
                // A run is dropped whole or not at all: its sorted values and its extremes are
                // not those of a part of it.
                if firstRun < runStarts.count { low = Swift.min(low, runStarts[firstRun]) }
            }
            // Compaction depends only on what evaluations have seen, so it happens at the same
            // evaluations live and in a backtest, and their sums round alike.
            if low > 4096, low * 2 > tail { compact(dropping: low) }
        }

        /// A run shorter than this, or than the samples in play over `runsInPlay`, takes in
        /// the samples of the next evaluation.
        static let shortRun = 256, runsInPlay = 64

        /// The first sample any view still reads.
        package var low: Int { views.reduce(tail) { Swift.min($0, $1.head) } }

        /// Where run `r` ends: at the next run's start, or at `tail`.
        private func runEnd(_ r: Int) -> Int { r + 1 < runStarts.count ? runStarts[r + 1] : tail }

        /// The index in `runStarts` of the run that holds sample `i` (the last run when `i` is
        /// `tail`), from `firstRun` on.
        private func run(containing i: Int) -> Int {
            var lo = firstRun, hi = runStarts.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if runStarts[mid] <= i { lo = mid + 1 } else { hi = mid }
            }
            return Swift.max(firstRun, lo - 1)
        }

        /// Drops the samples before every view's head, and rebases the prefix sums on what is
        /// left (which keeps their magnitude, and so their rounding, to the windows').
        private mutating func compact(dropping n: Int) {
            ts.removeFirst(n)
            values.removeFirst(n)
            if !runStarts.isEmpty {
                if !sortedRuns.isEmpty { sortedRuns.removeFirst(n) }
                dropRuns()
                for r in runStarts.indices { runStarts[r] -= n }
            }
            tail -= n
            var p = [0.0]
            p.reserveCapacity(tail + 1)
            for v in values[..<tail] { p.append(p[p.count - 1] + v) }
            prefix = p
            for v in views.indices { views[v].rebase(by: n) }
        }

        /// Merges the sorted `values[middle..<end]` into the sorted `values[start..<middle]`, from
        /// the back, in place.
        private static func mergeLast(
            _ values: UnsafeMutableBufferPointer<Double>, _ start: Int, _ middle: Int, _ end: Int
        ) {
            let added = Array(values[middle..<end])
            var i = middle - 1, j = added.count - 1, k = end - 1
            while j >= 0 {
                if i >= start && values[i] > added[j] {
                    values[k] = values[i]
                    i -= 1
                } else {
                    values[k] = added[j]
                    j -= 1
                }
                k -= 1
            }
        }

        /// Forgets the runs before `firstRun`.
        private mutating func dropRuns() {
            runStarts.removeFirst(firstRun)
            if !runMin.isEmpty {
                runMin.removeFirst(firstRun)
                runMax.removeFirst(firstRun)
            }
            firstRun = 0
        }

        /// The least and the greatest of some values (not empty, no NaN).
        private static func extremes(_ values: UnsafeBufferPointer<Double>) -> (Double, Double) {
            var low = values[0], high = values[0]
            for v in values {
                low = v < low ? v : low
                high = v > high ? v : high
            }
            return (low, high)
        }

        /// The minimum (or maximum) of the window of view `v` (not empty): from the samples of
        /// the run at its head that are in it, and the extremes of the whole runs after them.
        package func extreme(view v: Int, smallest: Bool) -> Double {
            let head = views[v].head
            var r = run(containing: head)
            var (low, high) = (Double.infinity, -Double.infinity)
            if runStarts[r] < head {
                (low, high) = values.withUnsafeBufferPointer { Self.extremes(.init(rebasing: $0[head..<runEnd(r)])) }
                r += 1
            }
            while r < runStarts.count {
                low = runMin[r] < low ? runMin[r] : low
                high = runMax[r] > high ? runMax[r] : high
                r += 1
            }
            return smallest ? low : high
        }

        /// The quantile `q` of the window of view `v`, from its partial run and the whole runs
        /// after it; `nil` for an empty window.
        package func quantile(_ q: Double, view v: Int) -> Double? {
            let w = views[v]
            let n = tail - w.head
            guard n > 0 else { return nil }
            let (lo, hi, _) = Quantiles.position(n, q)
            let (a, b) = w.partial.withUnsafeBufferPointer { partial in
                sortedRuns.withUnsafeBufferPointer { sorted in
                    var runs: [SortedRuns.Run] = []
                    if !partial.isEmpty { runs.append(.init(partial.baseAddress!, 0..<partial.count)) }
                    var r = run(containing: w.partialEnd)
                    while r < runStarts.count {
                        if runStarts[r] >= w.partialEnd {
                            runs.append(.init(sorted.baseAddress!, runStarts[r]..<runEnd(r)))
                        }
                        r += 1
                    }
                    return SortedRuns.select(lo, next: hi > lo, in: &runs)
                }
            }
            return Quantiles.interpolate(a, b, n: n, q: q)
        }
    }

    /// One window length's place in one group.
    package struct GroupView: Sendable {
        package var head = 0
        /// For quantiles: the window's samples before its first whole run
        /// (`head..<partialEnd`), sorted.
        package var partial: [Double] = []
        package var partialEnd = 0

        package mutating func advance(
            to t: Int64, spec: ViewSpec, ts: UnsafeBufferPointer<Int64>, values: UnsafeBufferPointer<Double>,
            runStarts: ArraySlice<Int>, tail: Int
        ) {
            let oldHead = head
            let start = t - spec.window
            while head < tail, ts[head] <= start { head += 1 }
            if spec.sorted {
                // The first run that starts in the window. With a window a multiple of the
                // interval, the head is at a run's start and there is no partial run to sort.
                let end = runStarts.first { $0 >= head } ?? tail
                if end == partialEnd && head > oldHead && head - oldHead < partial.count / 2 {
                    // The head moved within the same run: the samples it passed leave the part.
                    var leaving = Array(values[oldHead..<head])
                    RadixSort.sort(&leaving)
                    Self.remove(leaving, from: &partial)
                } else if head != oldHead || end != partialEnd {
                    partial.removeAll(keepingCapacity: true)
                    partial.append(contentsOf: UnsafeBufferPointer(rebasing: values[head..<end]))
                    partial.withUnsafeMutableBufferPointer { RadixSort.sort($0) }
                    partialEnd = end
                }
            }
        }

        /// Takes `leaving` (sorted, each of them in `sorted`) out of `sorted`.
        private static func remove(_ leaving: [Double], from sorted: inout [Double]) {
            var kept = 0, j = 0
            sorted.withUnsafeMutableBufferPointer { sorted in
                for i in sorted.indices {
                    let v = sorted[i]
                    if j < leaving.count && leaving[j] == v {
                        j += 1
                    } else {
                        sorted[kept] = v
                        kept += 1
                    }
                }
            }
            sorted.removeLast(sorted.count - kept)
        }

        package mutating func rebase(by n: Int) {
            head -= n
            partialEnd -= n
        }
    }
}
