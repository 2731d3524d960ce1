import GammaModel
import GammaReplay

/// The samples of one selector (a metric and its matchers) split by one `group_by`, shared by
/// every rule leaf that reads them: a sample is stored once however many rules read it, and
/// each leaf's window is a view over its group's samples.
///
/// A group keeps its samples' times and values in time order, with prefix sums, so that any
/// window's sum and count are two subtractions. `tail` marks the samples the last evaluation saw
/// (`ts <= t`); each view (a window length) has its own `head`. Views that need a minimum or a
/// maximum keep a monotonic queue of indices; views that need quantiles keep their window's
/// values sorted (``SortedWindow``).
struct SampleStore: Sendable {
    let groupBy: [String]
    /// The window lengths leaves read, and what each needs besides sums and counts.
    private(set) var views: [ViewSpec] = []
    private(set) var keys: [[String]] = []
    private var index: [[String]: Int] = [:]
    /// The groups that have had a sample, in the order they had their first.
    private(set) var seen: [[String]] = []
    private(set) var groups: [Group] = []

    struct ViewSpec: Equatable, Sendable {
        var window: Int64
        var min = false, max = false, sorted = false
    }

    init(groupBy: [String]) { self.groupBy = groupBy }

    /// The view of a window length for an aggregation (made before any sample is added).
    mutating func view(window: Int64, for aggregation: AlertAggregation) -> Int {
        let v = views.firstIndex { $0.window == window } ?? {
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
    mutating func group(for labels: [String: String], kind: MetricKind) -> Int {
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

    func group(_ key: [String]) -> Int? { index[key] }

    @inline(__always)
    mutating func add(group g: Int, ts: Int64, value: Double) {
        groups[g].add(ts, value)
    }

    /// Moves every group's windows to end at `t`.
    mutating func advance(to t: Int64) {
        for g in groups.indices {
            let had = groups[g].hadSamples
            groups[g].advance(to: t, views)
            if !had && groups[g].hadSamples { seen.append(keys[g]) }
        }
    }

    /// The aggregation of a group's window in view `v` at the last evaluation; `nil` for a group
    /// without samples so far, or an empty window where the aggregation needs a sample.
    func value(_ aggregation: AlertAggregation, view v: Int, group g: Int) -> Double? {
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
        case .min: return n == 0 ? nil : group.values[w.minQueue[w.minHead]]
        case .max: return n == 0 ? nil : group.values[w.maxQueue[w.maxHead]]
        case .quantile(let q): return w.sorted.quantile(q)
        }
    }

    /// One group's samples, oldest first; those before the heads are dropped now and then.
    struct Group: Sendable {
        var ts: [Int64] = []
        var values: [Double] = []
        /// prefix[i] = values[0] + … + values[i-1], up to `tail`.
        var prefix: [Double] = [0]
        /// The samples up to `tail` have `ts <= t` of the last evaluation.
        var tail = 0
        /// For the views that sort: the samples that came in at each evaluation, sorted, from
        /// `firstBatch` on; what comes in once is what leaves later, so each is sorted once.
        var batches: [Batch] = []
        var firstBatch = 0
        /// Everything a counter ever added up to `tail` (for `value`).
        var total = 0.0
        /// Whether an evaluation has seen a sample of the group (a group exists from then on).
        var hadSamples = false
        var kind: MetricKind
        var views: [GroupView]

        init(kind: MetricKind, views: Int) {
            self.kind = kind
            self.views = Array(repeating: GroupView(), count: views)
        }

        /// Samples come in time order. One older than the newest stays in time order among those
        /// the next evaluation will see; one older than what an evaluation already saw counts
        /// from the next evaluation on, at the time of the newest sample already seen.
        @inline(__always)
        mutating func add(_ time: Int64, _ v: Double) {
            if let last = ts.last, time < last {
                insert(time, v)
                return
            }
            ts.append(time)
            values.append(v)
        }

        private mutating func insert(_ time: Int64, _ v: Double) {
            var i = ts.count
            while i > tail, ts[i - 1] > time { i -= 1 }
            ts.insert(tail > 0 && i == tail ? Swift.max(time, ts[tail - 1]) : time, at: i)
            values.insert(v, at: i)
        }

        mutating func advance(to t: Int64, _ specs: [ViewSpec]) {
            let oldTail = tail
            while tail < ts.count, ts[tail] <= t {
                total += values[tail]
                prefix.append(prefix[tail] + values[tail])
                tail += 1
                hadSamples = true
            }
            let sorts = specs.contains(where: \.sorted)
            var incoming: [Double] = []
            if tail > oldTail, sorts {
                incoming = Array(values[oldTail..<tail])
                RadixSort.sort(&incoming)
                batches.append(Batch(range: oldTail..<tail, sorted: incoming))
            }
            for v in specs.indices {
                views[v].advance(to: t, spec: specs[v], ts: ts, values: values, incoming: incoming, batches: batches[firstBatch...],
                                 oldTail: oldTail, tail: tail)
            }
            if sorts {
                let low = low
                while firstBatch < batches.count, batches[firstBatch].range.upperBound <= low { firstBatch += 1 }
                if firstBatch > 64, firstBatch * 2 > batches.count {
                    batches.removeFirst(firstBatch)
                    firstBatch = 0
                }
            }
            // Compaction depends only on what evaluations have seen, so it happens at the same
            // evaluations live and in a backtest, and their sums round alike.
            let low = low
            if low > 4096, low * 2 > tail { compact(dropping: low) }
        }

        /// The first sample any view still reads.
        var low: Int { views.reduce(tail) { Swift.min($0, $1.head) } }

        /// Drops the samples before every view's head, and rebases the prefix sums on what is
        /// left (which keeps their magnitude, and so their rounding, to the windows').
        private mutating func compact(dropping n: Int) {
            ts.removeFirst(n)
            values.removeFirst(n)
            tail -= n
            var p = [0.0]
            p.reserveCapacity(tail + 1)
            for v in values[..<tail] { p.append(p[p.count - 1] + v) }
            prefix = p
            for v in views.indices { views[v].rebase(by: n) }
            for b in batches.indices[firstBatch...] {
                batches[b].range = (batches[b].range.lowerBound - n)..<(batches[b].range.upperBound - n)
            }
        }
    }

    /// The samples `range` of a group (which came in at one evaluation), sorted.
    struct Batch: Sendable {
        var range: Range<Int>
        var sorted: [Double]
    }

    /// One window length's place in one group.
    struct GroupView: Sendable {
        var head = 0
        /// Indices of candidates for the window's minimum (maximum), values increasing
        /// (decreasing) from the queue's head.
        var minQueue: [Int] = [], minHead = 0
        var maxQueue: [Int] = [], maxHead = 0
        /// The window's values in order, for quantiles.
        var sorted = SortedWindow()

        mutating func advance(to t: Int64, spec: ViewSpec, ts: [Int64], values: [Double], incoming: [Double], batches: ArraySlice<Batch>,
                              oldTail: Int, tail: Int) {
            let oldHead = head
            while head < tail, ts[head] <= t - spec.window { head += 1 }
            if spec.min { Self.push(&minQueue, &minHead, values, oldTail..<tail, head: head, dropping: >=) }
            if spec.max { Self.push(&maxQueue, &maxHead, values, oldTail..<tail, head: head, dropping: <=) }
            if spec.sorted {
                // What leaves is usually what came in at one earlier evaluation, sorted then.
                let leaving = oldHead..<head
                let batch = leaving.isEmpty ? nil : batches.first { $0.range.lowerBound >= leaving.lowerBound }
                sorted.move(values, from: oldHead..<oldTail, to: head..<tail, incoming: incoming,
                            leaving: batch?.range == leaving ? batch?.sorted : nil)
            }
        }

        /// Adds the samples `new` to a monotonic queue, each dropping the candidates it makes
        /// useless (`dropping(candidate, sample)`), and drops those before `head` from its front.
        private static func push(_ queue: inout [Int], _ front: inout Int, _ values: [Double], _ new: Range<Int>, head: Int,
                                 dropping: (Double, Double) -> Bool) {
            var q = queue  // a local copy is uniquely referenced: no check at each step
            queue = []
            for i in new {
                while q.count > front, dropping(values[q[q.count - 1]], values[i]) { q.removeLast() }
                q.append(i)
            }
            while front < q.count, q[front] < head { front += 1 }
            queue = q
        }

        mutating func rebase(by n: Int) {
            head -= n
            minQueue = minQueue[minHead...].map { $0 - n }
            maxQueue = maxQueue[maxHead...].map { $0 - n }
            minHead = 0
            maxHead = 0
        }
    }
}

/// A window's values, sorted, for its quantiles: a sorted base, plus the values that came in
/// and the values that left since the base was last rebuilt, each kept sorted. The window is the
/// base with the arrivals and without the departures (which may include arrivals that have
/// already left); its k-th value is found by rank search across the three. Once the arrivals and
/// departures grow to a quarter of the base, one pass merges them into it: a large window is
/// copied every few evaluations instead of at each. The values that leave are usually the batch
/// that came in at an earlier evaluation (sorted then), and the arrivals are radix-sorted once
/// per group.
struct SortedWindow: Sendable {
    private(set) var values: [Double] = []
    private var added: [Double] = []
    private var removed: [Double] = []
    private var spare: [Double] = []
    private var leaving: [Double] = []

    /// How many values the window holds.
    var count: Int { values.count + added.count - removed.count }

    /// Keeps the window `samples[new]`, where it held `samples[old]` before; both ranges only
    /// move forward. `incoming` is `samples[old.upperBound..<new.upperBound]` sorted, and
    /// `leaving`, if given, `samples[old.lowerBound..<new.lowerBound]` sorted.
    mutating func move(_ samples: [Double], from old: Range<Int>, to new: Range<Int>, incoming: [Double], leaving known: [Double]?) {
        if new.lowerBound == old.lowerBound && new.upperBound == old.upperBound { return }
        if new.lowerBound >= old.upperBound || count == 0 {
            // Nothing stays: the window is sorted afresh.
            values.removeAll(keepingCapacity: true)
            values.append(contentsOf: samples[new])
            RadixSort.sort(&values)
            added.removeAll(keepingCapacity: true)
            removed.removeAll(keepingCapacity: true)
            return
        }
        if new.upperBound > old.upperBound { Self.merge(&added, adding: incoming, spare: &spare) }
        if new.lowerBound > old.lowerBound {
            if let known {
                leaving = known
            } else {
                leaving.removeAll(keepingCapacity: true)
                leaving.append(contentsOf: samples[old.lowerBound..<new.lowerBound])
                RadixSort.sort(&leaving)
            }
            Self.merge(&removed, adding: leaving, spare: &spare)
        }
        if Self.large(added.count + removed.count, values.count) { rebuild() }
    }

    /// Whether that many changes are worth a pass over a base of `n` values.
    private static func large(_ changes: Int, _ n: Int) -> Bool { changes * 4 > Swift.max(4096, n) }

    /// Merges the arrivals into the base and takes the departures out of it.
    private mutating func rebuild() {
        // Departures that were arrivals since the last rebuild cancel out first.
        var a = 0, r = 0, keptA = 0, keptR = 0
        while a < added.count || r < removed.count {
            if r == removed.count || (a < added.count && added[a] < removed[r]) {
                added[keptA] = added[a]; keptA += 1; a += 1
            } else if a == added.count || removed[r] < added[a] {
                removed[keptR] = removed[r]; keptR += 1; r += 1
            } else {
                a += 1
                r += 1
            }
        }
        added.removeLast(added.count - keptA)
        removed.removeLast(removed.count - keptR)
        let capacity = values.count - removed.count + added.count
        if spare.count < capacity { spare.append(contentsOf: repeatElement(0, count: capacity - spare.count)) }
        let written = spare.withUnsafeMutableBufferPointer { out in
            values.withUnsafeBufferPointer { old in
                removed.withUnsafeBufferPointer { leaving in
                    added.withUnsafeBufferPointer { coming in
                        Self.merge(old, removing: leaving, adding: coming, into: out)
                    }
                }
            }
        }
        spare.removeLast(spare.count - written)
        swap(&values, &spare)
        added.removeAll(keepingCapacity: true)
        removed.removeAll(keepingCapacity: true)
    }

    /// `target` with `more` merged in (both sorted).
    private static func merge(_ target: inout [Double], adding more: [Double], spare: inout [Double]) {
        guard !more.isEmpty else { return }
        if target.isEmpty {
            target.append(contentsOf: more)
            return
        }
        let capacity = target.count + more.count
        if spare.count < capacity { spare.append(contentsOf: repeatElement(0, count: capacity - spare.count)) }
        let written = spare.withUnsafeMutableBufferPointer { out in
            target.withUnsafeBufferPointer { old in
                more.withUnsafeBufferPointer { coming in
                    merge(old, removing: UnsafeBufferPointer(start: nil, count: 0), adding: coming, into: out)
                }
            }
        }
        spare.removeLast(spare.count - written)
        swap(&target, &spare)
    }

    /// How many values of the window are at most `v`.
    private func rank(_ v: Double) -> Int {
        Self.upperBound(v, values) + Self.upperBound(v, added) - Self.upperBound(v, removed)
    }

    private static func upperBound(_ v: Double, _ a: [Double]) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] <= v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The `k`th smallest value (from 0) of the window: the least value of the base or the
    /// arrivals that has more than `k` values at most it.
    func kth(_ k: Int) -> Double {
        func least(_ a: [Double]) -> Double? {
            var lo = 0, hi = a.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if rank(a[mid]) > k { hi = mid } else { lo = mid + 1 }
            }
            return lo < a.count ? a[lo] : nil
        }
        switch (least(values), added.isEmpty ? nil : least(added)) {
        case (let a?, let b?): return Swift.min(a, b)
        case (let a?, nil): return a
        case (nil, let b?): return b
        case (nil, nil): return .nan  // k out of range: not asked
        }
    }

    /// The quantile `q` of the window (`nil` when it is empty), as ``Quantiles/linear(_:_:)``
    /// gives it for the window sorted.
    func quantile(_ q: Double) -> Double? {
        let n = count
        guard n > 0 else { return nil }
        if added.isEmpty && removed.isEmpty { return values.withUnsafeBufferPointer { Quantiles.linear($0, q) } }
        let (lo, hi, _) = Quantiles.position(n, q)
        let a = kth(lo)
        return Quantiles.interpolate(a, hi == lo ? a : kth(hi), n: n, q: q)
    }

    /// Writes `old` without `leaving` (each of which is in it) and with `coming` into `out`, all
    /// sorted, and returns how many values it wrote.
    private static func merge(_ old: UnsafeBufferPointer<Double>, removing leaving: UnsafeBufferPointer<Double>,
                              adding coming: UnsafeBufferPointer<Double>, into out: UnsafeMutableBufferPointer<Double>) -> Int {
        var i = 0, o = 0, c = 0, k = 0
        precondition(out.count >= old.count - leaving.count + coming.count)
        func copy(upTo j: Int) {
            let n = j - i
            if n > 16 {
                (out.baseAddress! + k).update(from: old.baseAddress! + i, count: n)
            } else {
                for d in 0..<n { out[k + d] = old[i + d] }
            }
            k += n
            i = j
        }
        // Values that move close together are found by stepping, far apart by galloping.
        let dense = (leaving.count + coming.count) * 32 > old.count
        while o < leaving.count || c < coming.count {
            let removing = c == coming.count || (o < leaving.count && leaving[o] <= coming[c])
            let bound = removing ? leaving[o] : coming[c]
            if dense {
                while i < old.count, old[i] < bound {
                    out[k] = old[i]
                    k += 1
                    i += 1
                }
            } else {
                copy(upTo: firstNotBelow(bound, in: old, from: i))
            }
            if removing {
                if i < old.count { i += 1 }  // old[i] == bound: the leaving value itself
                o += 1
            } else {
                out[k] = bound
                k += 1
                c += 1
            }
        }
        copy(upTo: old.count)
        return k
    }

    /// The first index at or after `from` whose value is not below `x`: a galloping search, as
    /// the values that move are usually far apart.
    private static func firstNotBelow(_ x: Double, in v: UnsafeBufferPointer<Double>, from: Int) -> Int {
        var lo = from, step = 1
        var hi = from
        while hi < v.count, v[hi] < x {
            lo = hi + 1
            hi = from + step
            step *= 2
        }
        hi = min(hi, v.count)
        while lo < hi {
            let mid = (lo + hi) / 2
            if v[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
