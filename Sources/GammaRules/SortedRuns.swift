/// Order statistics of values held as sorted runs, without merging them: a window's values are
/// the batches that came in at each evaluation, each sorted once when it came in, so a quantile
/// is found by selection across the runs instead of by keeping the whole window sorted.
///
/// Each step takes a pivot, counts the values below and at it in every run by binary search, and
/// keeps only the side that holds the ranks asked for. The pivot is first a guess: where the rank
/// asked for would sit in the largest run if every run were alike (the runs of a window usually
/// come from one distribution), which usually leaves a small part of what was in play. A guess
/// that leaves more than half is followed by the median of the runs' middles weighted by their
/// lengths, which leaves at most three quarters whatever the runs hold (many one-value runs of
/// a rising gauge, say), so a selection takes O(log n) steps, each a binary search in every run
/// still in play.
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
        var before = Int.max, guessed = false
        var middles: [(value: Double, weight: Int)] = []
        while true {
            // Runs left empty are dropped, so that a step costs what is still in play.
            var total = 0, largest = 0, largestCount = -1, kept = 0
            for i in runs.indices where runs[i].hi > runs[i].lo {
                let n = runs[i].hi - runs[i].lo
                runs[kept] = runs[i]
                total += n
                if n > largestCount { largestCount = n; largest = kept }
                kept += 1
            }
            runs.removeLast(runs.count - kept)
            precondition(k + (next ? 1 : 0) < total, "selection beyond the runs")
            precondition(total < before, "runs not sorted")  // every step takes out its pivot
            if total <= 64 {
                var few: [Double] = []
                few.reserveCapacity(total)
                for r in runs { for j in r.lo..<r.hi { few.append(r.base[j]) } }
                few.sort()
                return (few[k], few[next ? k + 1 : k])
            }
            // A guess that left more than half calls for a pivot that leaves at most three
            // quarters: the median of the runs' middles, weighted by their lengths (at least a
            // quarter of the values are at most it, and a quarter at least it).
            let pivot: Double
            if guessed && total * 2 > before {
                middles.removeAll(keepingCapacity: true)
                for r in runs { middles.append((r.base[(r.lo + r.hi) / 2], r.hi - r.lo)) }
                middles.sort { $0.value < $1.value }
                var weight = 0, i = 0
                while weight + middles[i].weight < total / 2 {
                    weight += middles[i].weight
                    i += 1
                }
                pivot = middles[i].value
                guessed = false
            } else {
                let r = runs[largest]
                pivot = r.base[r.lo + largestCount * k / total]
                guessed = true
            }
            before = total
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
    private static func firstIndex(_ base: UnsafePointer<Double>, _ lo: Int, _ hi: Int, _ isAtOrAfter: (Double) -> Bool)
        -> Int
    {
        var lo = lo, hi = hi
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAtOrAfter(base[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
