#if canImport(Glibc)
import Glibc
#endif

/// The arithmetic of PromQL's functions, as Prometheus computes it (promql/functions.go and
/// quantile.go), so that the same samples give the same numbers.
enum Functions {
    /// `rate`, `increase` and `delta`: the change over the samples in the range, corrected for
    /// counter resets and extrapolated towards the range's ends: to an end when the first or last
    /// sample is within 1.1 average intervals of it, else by half an interval; a counter not
    /// below zero.
    static func extrapolated(
        _ points: [(t: Int64, v: Double)], rangeStart: Int64, rangeEnd: Int64, isCounter: Bool, isRate: Bool,
        zeroFirst: Bool = false
    ) -> Double? {
        guard points.count >= 2 else { return nil }
        let first = points[0], last = points[points.count - 1]
        var result = last.v - first.v
        if isCounter {
            var previous = first.v
            for p in points.dropFirst() {
                if p.v < previous { result += previous }
                previous = p.v
            }
        }
        let sampled = Double(last.t - first.t) / 1000
        let average = sampled / Double(points.count - 1)
        var toStart = Double(first.t - rangeStart) / 1000
        var toEnd = Double(rangeEnd - last.t) / 1000
        let threshold = average * 1.1
        var interval = sampled
        let zero = isCounter && result > 0 && first.v >= 0
        if zeroFirst {
            // Prometheus 2: the zero point first, then the threshold.
            if zero { toStart = min(toStart, sampled * (first.v / result)) }
            if toStart >= threshold { toStart = average / 2 }
        } else {
            if toStart >= threshold { toStart = average / 2 }
            // A counter does not go below zero: extrapolate at most to where it would be zero.
            if zero { toStart = min(toStart, sampled * (first.v / result)) }
        }
        interval += toStart
        if toEnd >= threshold { toEnd = average / 2 }
        interval += toEnd
        var factor = interval / sampled
        if isRate { factor /= Double(rangeEnd - rangeStart) / 1000 }
        return result * factor
    }

    /// Kahan-compensated sum, as Prometheus sums.
    static func kahanSum(_ values: [Double]) -> Double {
        var sum = 0.0, c = 0.0
        for v in values { (sum, c) = kahanInc(v, sum, c) }
        return sum + c
    }

    static func kahanInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        var c = c
        if t.isInfinite {
            c = 0
        } else if Swift.abs(sum) >= Swift.abs(inc) {
            c += (sum - t) + inc
        } else {
            c += (inc - t) + sum
        }
        return (t, c)
    }

    /// The mean, as Prometheus' `avg` and `avg_over_time`: a compensated sum divided by the count,
    /// or an incremental mean where the sum would overflow.
    static func mean(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return .nan }
        var sum = values[0], c = 0.0, mean = 0.0, incremental = false
        for (i, v) in values.enumerated().dropFirst() {
            let count = Double(i + 1)
            if !incremental {
                let (s, cc) = kahanInc(v, sum, c)
                if !s.isInfinite {
                    (sum, c) = (s, cc)
                    continue
                }
                incremental = true
                mean = sum / Double(i)
                c = c / Double(i)
            }
            if mean.isInfinite {
                if v.isInfinite && (mean > 0) == (v > 0) { continue }
                if !v.isInfinite && !v.isNaN { continue }
            }
            let (m, cc) = kahanInc(v / count - (mean + c) / count, mean, c)
            (mean, c) = (m, cc)
        }
        if incremental { return mean + c }
        return (sum + c) / Double(values.count)
    }

    /// Population standard deviation, with compensated sums as Prometheus'.
    static func stddev(_ values: [Double]) -> Double {
        var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
        for v in values {
            count += 1
            let delta = v - (mean + cMean)
            (mean, cMean) = kahanInc(delta / count, mean, cMean)
            (aux, cAux) = kahanInc(delta * (v - (mean + cMean)), aux, cAux)
        }
        return ((aux + cAux) / count).squareRoot()
    }

    /// The φ-quantile of values, interpolating between ranks as Prometheus' `quantile`: rank
    /// φ·(n−1); −Inf below 0, +Inf above 1.
    static func quantile(_ q: Double, _ values: [Double]) -> Double {
        guard !values.isEmpty, !q.isNaN else { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        let sorted = values.sorted { a, b in a.isNaN ? false : (b.isNaN ? true : a < b) }
        let n = Double(sorted.count)
        let rank = q * (n - 1)
        let lower = Swift.max(0, floor(rank)), upper = Swift.min(n - 1, lower + 1)
        let weight = rank - floor(rank)
        return sorted[Int(lower)] * (1 - weight) + sorted[Int(upper)] * weight
    }

    static func clamp(_ v: Double, min: Double? = nil, max: Double? = nil) -> Double {
        if let min { return v.isNaN ? v : Swift.max(min, v) }
        if let max { return v.isNaN ? v : Swift.min(max, v) }
        return v
    }

    /// `histogram_quantile` over classic buckets: per series without `le`, the buckets sorted by
    /// bound and made monotonic, the rank φ·count found and interpolated linearly within its
    /// bucket (from 0 for the first bucket with a positive bound); the +Inf bucket answers with
    /// the highest finite bound.
    static func histogramQuantile(_ q: Double, _ samples: [Sample]) -> [Sample] {
        var groups: [Labels: [(le: Double, count: Double)]] = [:]
        var order: [Labels] = []
        for s in samples {
            let text = s.labels["le"]
            guard let le = ["+Inf", "Inf", "+inf", "inf"].contains(text) ? .infinity : Double(text) else { continue }
            let key = s.labels.keeping(["le", "__name__"], include: false)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append((le, s.value))
        }
        return order.map { key in Sample(key, bucketQuantile(q, groups[key]!)) }
    }

    static func bucketQuantile(_ q: Double, _ unsorted: [(le: Double, count: Double)]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        var buckets: [(le: Double, count: Double)] = []
        for b in unsorted.sorted(by: { $0.le < $1.le }) {  // buckets of one bound are one bucket
            if let last = buckets.last, last.le == b.le {
                buckets[buckets.count - 1].count += b.count
            } else {
                buckets.append(b)
            }
        }
        guard let last = buckets.last, last.le == .infinity, buckets.count >= 2 else { return .nan }
        // Monotonic: a bucket below its predecessor takes its count.
        for i in 1..<buckets.count where buckets[i].count < buckets[i - 1].count {
            buckets[i].count = buckets[i - 1].count
        }
        let total = buckets[buckets.count - 1].count
        guard total > 0 else { return .nan }
        let rank = q * total
        let b = buckets.firstIndex { $0.count >= rank } ?? buckets.count - 1
        if b == buckets.count - 1 { return buckets[buckets.count - 2].le }
        if b == 0 && buckets[0].le <= 0 { return buckets[0].le }
        var start = 0.0, below = 0.0
        let end = buckets[b].le
        var count = buckets[b].count
        if b > 0 {
            start = buckets[b - 1].le
            below = buckets[b - 1].count
            count -= below
        }
        return start + (end - start) * ((rank - below) / count)
    }

    /// The labels `absent` gives: the equality matchers of its selector (not the name).
    static func absentLabels(_ e: Expr) -> Labels {
        let matchers: [Matcher]
        switch e.unparenthesized {
        case .selector(let s): matchers = s.matchers
        case .range(let s, _): matchers = s.matchers
        default: matchers = []
        }
        var pairs: [String: String] = [:]
        var repeated: Set<String> = []
        for m in matchers where m.op == .equal && m.name != "__name__" {
            if pairs[m.name] != nil { repeated.insert(m.name) }
            pairs[m.name] = m.value
        }
        for r in repeated { pairs[r] = nil }
        return Labels(pairs)
    }

    static func compare(_ op: BinaryOperator, _ x: Double, _ y: Double) -> Bool {
        switch op {
        case .eq: return x == y
        case .ne: return x != y
        case .gt: return x > y
        case .lt: return x < y
        case .ge: return x >= y
        case .le: return x <= y
        default: return false
        }
    }

    /// Arithmetic, or for a comparison its 0 or 1.
    static func arithmeticOrBool(_ op: BinaryOperator, _ x: Double, _ y: Double) -> Double {
        switch op {
        case .add: return x + y
        case .sub: return x - y
        case .mul: return x * y
        case .div: return x / y
        case .mod: return fmod(x, y)
        case .pow: return pow(x, y)
        default: return compare(op, x, y) ? 1 : 0
        }
    }
}
