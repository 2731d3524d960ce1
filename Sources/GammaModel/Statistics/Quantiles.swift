/// Exact quantiles of sorted observations, as `numpy.percentile(x, 100*q, method='linear')`
/// computes them (Hyndman and Fan's type 7): the value at the virtual index `q·(n−1)`,
/// interpolated linearly between its two neighbours, with numpy's own interpolation formula
/// so that results agree to the last bit or two. Where an infinity is one of the two neighbours,
/// the quantile is that infinity (numpy gives NaN as soon as an infinity is involved).
public enum Quantiles {
    /// The quantile `q` (0...1) of `sorted`, which holds no NaN; `nil` when it is empty.
    public static func linear(_ sorted: UnsafeBufferPointer<Double>, _ q: Double) -> Double? {
        let n = sorted.count
        guard n > 0 else { return nil }
        if n == 1 { return sorted[0] }
        let (lo, hi, _) = position(n, q)
        return interpolate(sorted[lo], sorted[hi], n: n, q: q)
    }

    /// The two ranks the quantile `q` of `n` values reads, and the weight of the upper one.
    package static func position(_ n: Int, _ q: Double) -> (lo: Int, hi: Int, t: Double) {
        let h = Double(n - 1) * q
        let below = h.rounded(.down)
        let lo = min(max(Int(below), 0), n - 1)
        return (lo, min(lo + 1, n - 1), h - below)
    }

    /// The quantile `q` of `n` values whose ranks ``position(_:_:)`` gives hold `a` and `b`.
    package static func interpolate(_ a: Double, _ b: Double, n: Int, q: Double) -> Double {
        let t = position(n, q).t
        if a == b || t == 0 { return a }
        // Next to an infinity the interpolation is that infinity (numpy gives NaN there).
        if a.isInfinite || b.isInfinite { return a.isInfinite && b.isInfinite ? .nan : (a.isInfinite ? a : b) }
        // numpy's _lerp: a + (b-a)·t, or b - (b-a)·(1-t) from t = 0.5 on.
        let d = b - a
        return t >= 0.5 ? b - d * (1 - t) : a + d * t
    }

    public static func linear(_ sorted: [Double], _ q: Double) -> Double? {
        sorted.withUnsafeBufferPointer { linear($0, q) }
    }
}

/// A sum that keeps the low-order bits plain addition loses (Neumaier's variant of Kahan's).
public struct CompensatedSum: Sendable {
    public private(set) var sum = 0.0
    private var compensation = 0.0

    public init() {}

    public mutating func add(_ x: Double) {
        let t = sum + x
        if abs(sum) >= abs(x) { compensation += (sum - t) + x } else { compensation += (x - t) + sum }
        sum = t
    }

    public var value: Double {
        let v = sum + compensation
        return v.isNaN && !sum.isNaN ? sum : v  // infinities: the compensation turns to NaN
    }
}

/// Order statistics without sorting: `select` puts the value of each requested rank where a sort
/// would put it (introselect: quickselect, falling back to sorting a range that partitions badly),
/// in expected linear time and in place. Quantiles need only a few ranks of a series, so this
/// is much cheaper than sorting all of its observations.
package enum OrderStatistics {
    /// Rearranges `v` so that `v[r]` is the value of rank `r` for every `r` in `ranks` (ascending,
    /// each in `v.indices`); values left of a rank are at most its value, right ones at least.
    package static func select(_ v: UnsafeMutableBufferPointer<Double>, ranks: [Int]) {
        var lo = 0
        for r in ranks where r >= lo {
            selectOne(v, r, lo, v.count - 1)
            lo = r + 1
        }
    }

    /// Quickselect of rank `k` in `v[lo...hi]`, with a median-of-three pivot.
    package static func selectOne(_ v: UnsafeMutableBufferPointer<Double>, _ k: Int, _ lo: Int, _ hi: Int) {
        var lo = lo, hi = hi
        var budget = 2 * (Int.bitWidth - (hi - lo + 1).leadingZeroBitCount) + 4
        while hi > lo {
            if hi - lo < 16 || budget == 0 {
                insertionOrSort(v, lo, hi)
                return
            }
            budget -= 1
            let mid = lo + (hi - lo) / 2
            if v[mid] < v[lo] { v.swapAt(mid, lo) }
            if v[hi] < v[lo] { v.swapAt(hi, lo) }
            if v[hi] < v[mid] { v.swapAt(hi, mid) }
            let pivot = v[mid]
            // Hoare partition: [lo, j] <= pivot <= [j+1, hi].
            var i = lo - 1, j = hi + 1
            while true {
                repeat { i += 1 } while v[i] < pivot
                repeat { j -= 1 } while v[j] > pivot
                if i >= j { break }
                v.swapAt(i, j)
            }
            if k <= j { hi = j } else { lo = j + 1 }
        }
    }

    /// Sorts `v[lo...hi]`: insertion sort when short, the standard library's sort otherwise.
    package static func insertionOrSort(_ v: UnsafeMutableBufferPointer<Double>, _ lo: Int, _ hi: Int) {
        if hi - lo < 32 {
            var i = lo + 1
            while i <= hi {
                let x = v[i]
                var j = i - 1
                while j >= lo && v[j] > x { v[j + 1] = v[j]; j -= 1 }
                v[j + 1] = x
                i += 1
            }
        } else {
            var range = UnsafeMutableBufferPointer(rebasing: v[lo...hi])
            range.sort()
        }
    }
}

extension Quantiles {
    /// The quantile `q` of `values` (no NaN), in expected linear time: only the two ranks it
    /// reads are put in place, and `values` is left rearranged. `nil` when empty.
    package static func select(_ values: UnsafeMutableBufferPointer<Double>, _ q: Double) -> Double? {
        let n = values.count
        guard n > 0 else { return nil }
        let (lo, hi, _) = position(n, q)
        OrderStatistics.select(values, ranks: hi > lo ? [lo, hi] : [lo])
        return linear(UnsafeBufferPointer(values), q)
    }

    /// The ranks that ``linear(_:_:)`` reads for each quantile of `n` values.
    package static func ranks(_ n: Int, _ quantiles: [Double]) -> [Int] {
        guard n > 0 else { return [] }
        var ranks: Set<Int> = [0, n - 1]
        for q in quantiles {
            let lo = min(max(Int((Double(n - 1) * q).rounded(.down)), 0), n - 1)
            ranks.insert(lo)
            ranks.insert(min(lo + 1, n - 1))
        }
        return ranks.sorted()
    }
}
