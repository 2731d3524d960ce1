/// Prometheus' staleness marker: a NaN with its own bit pattern, written when a series ends.
public let staleMarker = Double(bitPattern: 0x7ff0_0000_0000_0002)

extension Double {
    /// Whether this is ``staleMarker`` (not any NaN).
    public var isStaleMarker: Bool { bitPattern == staleMarker.bitPattern }
}

/// One stored series: its labels and its samples in time order (milliseconds since the epoch),
/// staleness markers among them.
public struct StoredSeries: Sendable {
    public var labels: Labels
    public var times: [Int64] = []
    public var values: [Double] = []

    public init(labels: Labels, times: [Int64] = [], values: [Double] = []) {
        self.labels = labels
        self.times = times
        self.values = values
    }

    /// The index of the last sample at or before `t`, if any.
    func lastIndex(atOrBefore t: Int64) -> Int? {
        var lo = 0, hi = times.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if times[mid] <= t { lo = mid + 1 } else { hi = mid }
        }
        return lo == 0 ? nil : lo - 1
    }
}

/// Where the engine finds series: a TSDB as far as PromQL can tell.
public protocol SeriesSource {
    /// Every series whose labels satisfy all `matchers` (a missing label is `""`).
    func series(matching matchers: [Matcher]) -> [StoredSeries]
}

/// Series in memory, indexed by metric name: the scraped log, and what recording rules add.
public struct MemorySeries: SeriesSource, Sendable {
    private var byName: [String: [Labels: Int]] = [:]
    public private(set) var all: [StoredSeries] = []

    public init() {}

    /// Appends a sample (times must not go back within a series; an equal time replaces).
    public mutating func append(_ labels: Labels, _ t: Int64, _ v: Double) {
        let name = labels.metricName
        if let i = byName[name]?[labels] {
            if let last = all[i].times.last, last == t {
                all[i].values[all[i].values.count - 1] = v
            } else {
                all[i].times.append(t)
                all[i].values.append(v)
            }
        } else {
            byName[name, default: [:]][labels] = all.count
            all.append(StoredSeries(labels: labels, times: [t], values: [v]))
        }
    }

    public func series(matching matchers: [Matcher]) -> [StoredSeries] {
        let candidates: [Int]
        if let m = matchers.first(where: { $0.name == "__name__" && $0.op == .equal }) {
            candidates = byName[m.value].map { Array($0.values) } ?? []
        } else {
            candidates = Array(all.indices)
        }
        return candidates.sorted().map { all[$0] }.filter { s in matchers.allSatisfy { $0.matches(s.labels[$0.name]) } }
    }
}
