import GammaModel

/// What one series (or one window of it) has seen so far.
///
/// Exact histograms keep every observation (8 bytes each, in an array that at most doubles:
/// at most 16 bytes an observation); approximate ones keep a ``DDSketch`` of bounded size.
struct Accumulator {
    var firstTS = Int64.max
    var lastTS = Int64.min
    var records = 0
    var nanCount = 0
    // Counters and gauges (and approximate histograms): running figures.
    var sum = CompensatedSum()
    var min = Double.infinity
    var max = -Double.infinity
    var lastValue = Double.nan
    var lastValueTS = Int64.min
    // Histograms.
    var values: [Double] = []
    var sketch: DDSketch?
    var mean = 0.0, m2 = 0.0  // Welford, for approximate histograms

    init(approximate: Bool, kind: MetricKind) {
        if approximate && kind == .histogram { sketch = DDSketch() }
    }

    @inline(__always)
    mutating func add(_ value: Double, ts: Int64, kind: MetricKind) {
        records += 1
        if ts < firstTS { firstTS = ts }
        if ts > lastTS { lastTS = ts }
        if kind == .gauge && Self.later(ts, value, than: lastValueTS, lastValue) {
            lastValue = value
            lastValueTS = ts
        }
        if value.isNaN { nanCount += 1; return }
        switch kind {
        case .histogram:
            if sketch == nil {
                values.append(value)
                return
            }
            sketch!.add(value)
            let n = Double(records - nanCount)
            let delta = value - mean
            mean += delta / n
            m2 += delta * (value - mean)
            fallthrough
        case .counter, .gauge:
            sum.add(value)
            if value < min { min = value }
            if value > max { max = value }
        }
    }

    /// Whether a gauge value at `ts` replaces the one at `lastTS`: later wins; at the same time the
    /// larger (NaN the smallest), so that the result does not depend on the order records come in.
    @inline(__always)
    static func later(_ ts: Int64, _ value: Double, than lastTS: Int64, _ last: Double) -> Bool {
        if ts != lastTS { return ts > lastTS }
        return last.isNaN ? !value.isNaN || lastTS == .min : value > last
    }

    /// Adds everything `other` saw (for merging windows into the whole).
    mutating func merge(_ other: Accumulator) {
        firstTS = Swift.min(firstTS, other.firstTS)
        lastTS = Swift.max(lastTS, other.lastTS)
        if other.records > 0 && Self.later(other.lastValueTS, other.lastValue, than: lastValueTS, lastValue) {
            lastValue = other.lastValue
            lastValueTS = other.lastValueTS
        }
        let n1 = Double(records - nanCount), n2 = Double(other.records - other.nanCount)
        records += other.records
        nanCount += other.nanCount
        sum.add(other.sum.value)
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
        values.append(contentsOf: other.values)
        if let s = other.sketch {
            sketch?.merge(s)
            // Chan et al.'s parallel variance.
            let n = n1 + n2
            if n > 0 {
                let delta = other.mean - mean
                m2 += other.m2 + delta * delta * n1 * n2 / n
                mean += delta * n2 / n
            }
        }
    }

    /// The figures of this accumulator. `seconds` is the covered time, for counter rates.
    mutating func figures(kind: MetricKind, query: MetricQuery, seconds: Double?) -> Figures {
        var f = Figures(firstTS: firstTS, lastTS: lastTS, count: records - nanCount, nanCount: nanCount)
        switch kind {
        case .counter:
            f.total = sum.value
            if let seconds, seconds > 0 { f.rate = sum.value / seconds }
        case .gauge:
            f.last = lastValue
            if f.count > 0 {
                f.min = min
                f.max = max
                f.mean = sum.value / Double(f.count)
            }
        case .histogram:
            if let sketch {
                if f.count > 0 {
                    f.sum = sum.value
                    f.mean = sum.value / Double(f.count)
                    f.min = min
                    f.max = max
                    f.stddev = (m2 / Double(f.count)).squareRoot()
                    f.quantiles = query.quantiles.map { q in
                        sketch.quantile(q).map { Swift.min(Swift.max($0, min), max) }
                    }
                } else {
                    f.quantiles = query.quantiles.map { _ in nil }
                }
                f.buckets = query.buckets.map { bounds in bounds.map { sketch.count(atMost: $0) } }
            } else {
                values.withUnsafeMutableBufferPointer { v in
                    guard v.count > 0 else { return }
                    // Only the ranks the quantiles read are put in place; no full sort.
                    OrderStatistics.select(v, ranks: Quantiles.ranks(v.count, query.quantiles))
                    f.quantiles = query.quantiles.map { Quantiles.linear(UnsafeBufferPointer(v), $0) }
                    var s = CompensatedSum()
                    var lo = Double.infinity, hi = -Double.infinity
                    for x in v {
                        s.add(x)
                        if x < lo { lo = x }
                        if x > hi { hi = x }
                    }
                    let mean = s.value / Double(v.count)
                    var squares = CompensatedSum()
                    for x in v { squares.add((x - mean) * (x - mean)) }
                    f.sum = s.value
                    f.mean = mean
                    f.min = lo
                    f.max = hi
                    f.stddev = (squares.value / Double(v.count)).squareRoot()
                    f.buckets = query.buckets.map { bounds in
                        var counts = [Int](repeating: 0, count: bounds.count)
                        for x in v {
                            // The first bound at or above x, by binary search; counts are made cumulative below.
                            var a = 0, b = bounds.count
                            while a < b { let m = (a + b) / 2; if bounds[m] >= x { b = m } else { a = m + 1 } }
                            if a < bounds.count { counts[a] += 1 }
                        }
                        for k in counts.indices.dropFirst() { counts[k] += counts[k - 1] }
                        return counts
                    }
                }
                if values.isEmpty { f.quantiles = query.quantiles.map { _ in nil } }
            }
        }
        return f
    }
}

/// The figures of one series over a time range.
///
/// `count` is the observations (histograms), increments (counters) or samples (gauges) that are
/// numbers; NaN values are counted in `nanCount` and left out of every other figure. A figure
/// that has no value (the quantiles of no observations, a rate over no time) is `nil`.
public struct Figures: Equatable, Sendable {
    public var firstTS: Int64
    public var lastTS: Int64
    public var count: Int
    public var nanCount: Int
    /// Histograms: the sum of the observations; the mean, min, max and population standard deviation.
    public var sum: Double?
    public var mean: Double?
    public var min: Double?
    public var max: Double?
    public var stddev: Double?
    /// Histograms: one per ``MetricQuery/quantiles``.
    public var quantiles: [Double?] = []
    /// Histograms with `--buckets`: how many observations are at most each bound.
    public var buckets: [Int]?
    /// Counters: the sum of the increments, and that per second of covered time.
    public var total: Double?
    public var rate: Double?
    /// Gauges: the value with the latest time (gauges also fill `min`, `max` and `mean`).
    public var last: Double?

    public init(firstTS: Int64, lastTS: Int64, count: Int, nanCount: Int) {
        self.firstTS = firstTS
        self.lastTS = lastTS
        self.count = count
        self.nanCount = nanCount
    }
}
