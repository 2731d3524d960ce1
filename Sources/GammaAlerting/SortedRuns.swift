/// Order statistics of values held as sorted runs, without merging them: a window's values are
/// the batches that came in at each evaluation, each sorted once when it came in, so a quantile
/// is found by selection across the runs instead of by keeping the whole window sorted.
///
/// Each step takes a pivot from the largest run still in play, counts the values below and at it
/// in every run by binary search, and keeps only the side that holds the ranks asked for. The
/// pivot is where the rank asked for would be if every run were alike (the runs of a window
/// usually come from one distribution), so a step usually leaves a small part of what was in
/// play; when a step does not halve what is in play, the next takes the largest run's middle,
/// which at least halves that run, so a selection never takes more than about log(n) steps per
/// run.
enum SortedRuns {
    /// A sorted run's values `base[lo..<hi]` that are still in play.
    struct Run {
        var base: UnsafePointer<Double>
        var lo: Int
        var hi: Int
        /// Scratch: where the pivot's values begin and end in the run.
        fileprivate var below = 0, through = 0

        init(_ base: UnsafePointer<Double>, _ range: Range<Int>) {
            self.base = base
            lo = range.lowerBound
            hi = range.upperBound
        }
    }

    /// The `k`th smallest (from 0) of the runs' values, and the `k + 1`th when `next` is true (the
    /// `k`th again when it is not). The runs are narrowed in the process. The runs must hold more
    /// than `k` (`k + 1` with `next`) values, none of them NaN.
    static func select(_ k: Int, next: Bool, in runs: inout [Run]) -> (Double, Double) {
        var k = k
        var before = Int.max
        while true {
            var total = 0, largest = 0, largestCount = -1
            for i in runs.indices {
                let n = runs[i].hi - runs[i].lo
                total += n
                if n > largestCount { largestCount = n; largest = i }
            }
            precondition(k + (next ? 1 : 0) < total, "selection beyond the runs")
            if total <= 64 {
                var few: [Double] = []
                few.reserveCapacity(total)
                for r in runs { for j in r.lo..<r.hi { few.append(r.base[j]) } }
                few.sort()
                return (few[k], few[next ? k + 1 : k])
            }
            let r = runs[largest]
            let halved = total * 2 <= before
            before = total
            let pivot = r.base[r.lo + (halved ? largestCount * k / total : largestCount / 2)]
            var below = 0, through = 0
            for i in runs.indices {
                let r = runs[i]
                let a = firstIndex(r.base, r.lo, r.hi) { $0 >= pivot }
                let b = firstAfter(pivot, r.base, a, r.hi)
                runs[i].below = a
                runs[i].through = b
                below += a - r.lo
                through += b - r.lo
            }
            let last = next ? k + 1 : k
            if last < below {
                for i in runs.indices { runs[i].hi = runs[i].below }
            } else if k >= through {
                k -= through
                for i in runs.indices { runs[i].lo = runs[i].through }
            } else if k >= below {
                // The `k`th is the pivot; so is the next unless the pivot's values end at `k`.
                guard last >= through else { return (pivot, pivot) }
                var after = Double.infinity
                for r in runs where r.through < r.hi { after = Swift.min(after, r.base[r.through]) }
                return (pivot, after)
            } else {
                // k == below - 1 and the next is the pivot: the `k`th is the largest value below it.
                var before = -Double.infinity
                for r in runs where r.below > r.lo { before = Swift.max(before, r.base[r.below - 1]) }
                return (before, pivot)
            }
        }
    }

    /// The first index in `from..<hi` of `base` (whose values are sorted and not below `x` from
    /// `from` on) whose value is above `x`: a galloping search, as few values equal the pivot.
    @inline(__always)
    private static func firstAfter(_ x: Double, _ base: UnsafePointer<Double>, _ from: Int, _ hi: Int) -> Int {
        var lo = from, step = 1, end = from
        while end < hi, base[end] <= x {
            lo = end + 1
            end = from + step
            step *= 2
        }
        return firstIndex(base, lo, Swift.min(end, hi)) { $0 > x }
    }

    /// The first index in `lo..<hi` of `base` (whose values are sorted) whose value meets
    /// `isAtOrAfter`, which is false then true along the run; `hi` if none does.
    @inline(__always)
    private static func firstIndex(_ base: UnsafePointer<Double>, _ lo: Int, _ hi: Int, _ isAtOrAfter: (Double) -> Bool) -> Int {
        var lo = lo, hi = hi
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAtOrAfter(base[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
