public import GammaModel

/// The series a Prometheus server would have held had it scraped each recording process (each
/// stream of a log) every `interval`: names and units as `gamma-report --format prometheus`
/// exposes them (``ExposedName``), `job="gamma"` and `instance="<stream>"` added; counters
/// cumulative per stream (a new stream starts again from 0, a counter reset); gauges their last
/// value; histograms as classic histograms (`_bucket{le}`, `_sum`, `_count`) over the given
/// bounds. Scrapes happen at `offset + k·interval` (milliseconds since the epoch), offset from
/// the evaluation times as a real server's are; a stream goes stale at its first scrape after
/// its last record.
public struct Scraper: Sendable {
    public struct Options: Sendable {
        public var interval: Int64 = 15_000
        /// Where scrapes fall within an interval (default: half way).
        public var offset: Int64?
        /// Histogram bucket bounds in each metric's recorded unit (ms for `_ms` metrics).
        public var buckets: [Double] = Scraper.defaultBuckets
        public var job = "gamma"
        /// The `instance` label: each stream's id, or its service (`service.name@host.name` from
        /// its resource record), so that a restarted process continues the series of the one
        /// before it, its counters reset to 0, as a server scraping one address sees. Streams of
        /// one service that overlap in time keep their ids.
        public var instance = Instance.stream
        public init() {}
    }

    public enum Instance: String, Sendable, CaseIterable { case stream, service }

    /// Prometheus' default buckets (.005 … 10 seconds), in milliseconds: the unit Gamma's
    /// latency metrics record.
    public static let defaultBuckets: [Double] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000]

    private struct Histogram {
        /// The bounds as `le` values, in the exposed unit.
        var le: [String]
        var counts: [Double]
        var sum = 0.0, count = 0.0
    }
    private struct Stream {
        var counters: [Labels: Double] = [:]
        var gauges: [Labels: Double] = [:]
        var histograms: [Labels: Histogram] = [:]
        var lastRecord: Int64 = .min
        var firstRecord: Int64 = .max
        var service: String?
        /// Scraped samples, per series in order of first appearance.
        var samples: [Labels: [(Int64, Double)]] = [:]
        var order: [Labels] = []
    }

    public let options: Options
    private var streams: [String: Stream] = [:]
    private var streamOrder: [String] = []
    private var units: [String: String] = [:]
    /// Each metric's exposed name, worked out once (records repeat their names).
    private var exposed: [ExposedKey: ExposedName] = [:]
    private struct ExposedKey: Hashable {
        var name: String
        var kind: MetricKind
    }
    private var nextScrape: Int64?

    public init(options: Options = Options()) { self.options = options }

    private var offset: Int64 { options.offset ?? options.interval / 2 }

    /// The first scrape time at or after `t`.
    func scrapeTime(atOrAfter t: Int64) -> Int64 {
        let i = options.interval
        var k = (t - offset) / i
        if k * i + offset < t { k += 1 }
        return k * i + offset
    }

    /// Takes a stream's resource record: its service, for ``Options/instance``.
    public mutating func resource(_ attributes: [String: AttributeValue], stream: String) {
        if streams[stream] == nil {
            streams[stream] = Stream()
            streamOrder.append(stream)
        }
        if case .string(let name)? = attributes["service.name"] {
            var service = name
            if case .string(let host)? = attributes["host.name"] { service += "@" + host }
            streams[stream]!.service = service
        }
    }

    /// Takes a metric's unit from its meta record.
    public mutating func meta(_ m: MetaRecord) {
        if let u = m.unit { declare(unit: u, for: m.name) }
    }

    /// Takes a metric's unit (a live recording's declarations).
    public mutating func declare(unit: String, for name: String) {
        units[name] = unit
        exposed = exposed.filter { $0.key.name != name }
    }

    /// Adds a record of `stream`, in time order across streams (nanoseconds in `ts`).
    public mutating func add(_ r: MetricRecord, stream: String) {
        let t = r.ts / 1_000_000
        if nextScrape == nil { nextScrape = scrapeTime(atOrAfter: t) }
        while let next = nextScrape, next < t {
            scrape(at: next)
            nextScrape = next + options.interval
        }
        if streams[stream] == nil {
            streams[stream] = Stream()
            streamOrder.append(stream)
        }
        let key = ExposedKey(name: r.name, kind: r.kind)
        let exposed = self.exposed[key] ?? ExposedName(name: r.name, kind: r.kind, unit: units[r.name])
        self.exposed[key] = exposed
        let v = r.value
        var labels: [(String, String)] = r.labels.map {
            (
                ExposedName.labelName(
                    $0.key, reserved: r.kind == .histogram ? ["le", "job", "instance"] : ["job", "instance"]), $0.value
            )
        }
        labels += [("job", options.job)]
        switch r.kind {
        case .counter:
            guard v.isFinite else { break }
            streams[stream]!.counters[Labels(labels + [("__name__", exposed.family + "_total")]), default: 0] +=
                exposed.value(v)
        case .gauge:
            streams[stream]!.gauges[Labels(labels + [("__name__", exposed.family)])] = exposed.value(v)
        case .histogram:
            guard !v.isNaN else { break }
            let key = Labels(labels + [("__name__", exposed.family)])
            var h =
                streams[stream]!.histograms[key]
                ?? Histogram(
                    le: options.buckets.map { GoFormat.shortest(exposed.value($0)) },
                    counts: Array(repeating: 0, count: options.buckets.count))
            for (i, b) in options.buckets.enumerated() where v <= b { h.counts[i] += 1 }
            h.sum += exposed.value(v)
            h.count += 1
            streams[stream]!.histograms[key] = h
        }
        streams[stream]!.lastRecord = max(streams[stream]!.lastRecord, t)
        streams[stream]!.firstRecord = min(streams[stream]!.firstRecord, t)
    }

    private mutating func scrape(at t: Int64) {
        for name in streamOrder {
            var s = streams[name]!
            func put(_ l: Labels, _ v: Double) {
                if s.samples[l] == nil { s.order.append(l) }
                s.samples[l, default: []].append((t, v))
            }
            for (l, v) in s.counters { put(l, v) }
            for (l, v) in s.gauges { put(l, v) }
            for (l, h) in s.histograms {
                let family = l.metricName
                for (i, le) in h.le.enumerated() {
                    var bl = l
                    bl["__name__"] = family + "_bucket"
                    bl["le"] = le
                    put(bl, h.counts[i])
                }
                var inf = l
                inf["__name__"] = family + "_bucket"
                inf["le"] = "+Inf"
                put(inf, h.count)
                var sum = l
                sum["__name__"] = family + "_sum"
                put(sum, h.sum)
                var count = l
                count["__name__"] = family + "_count"
                put(count, h.count)
            }
            streams[name] = s
        }
    }

    /// Live scraping: runs the scrapes due at or before `t` (milliseconds) and moves every
    /// scraped sample into `store` (each stream's id as its instance), so that rules evaluated at
    /// `t` see what a server would have by then.
    public mutating func scrape(through t: Int64, into store: inout MemorySeries) {
        while let next = nextScrape, next <= t {
            scrape(at: next)
            nextScrape = next + options.interval
        }
        for name in streamOrder {
            guard var s = streams[name] else { continue }
            for var l in s.order {
                guard let samples = s.samples[l], !samples.isEmpty else { continue }
                s.samples[l] = []
                l["instance"] = name
                for (at, v) in samples { store.append(l, at, v) }
            }
            streams[name] = s
        }
    }

    /// Live scraping at the end (the process exits): each stream's series get a staleness
    /// marker at the scrape that would have come next.
    public mutating func finish(into store: inout MemorySeries) {
        scrape(through: .min, into: &store)
        for name in streamOrder {
            guard let s = streams[name], s.firstRecord <= s.lastRecord else { continue }
            let stale = nextScrape ?? scrapeTime(atOrAfter: s.lastRecord + 1)
            for var l in s.order {
                l["instance"] = name
                store.append(l, stale, staleMarker)
            }
        }
    }

    /// The scraped series, each stream ended by a staleness marker at its first scrape after its
    /// last record; and the time of the last scrape.
    public mutating func finish() -> MemorySeries {
        // Each stream's instance: its service when no other stream of that service overlaps it.
        var instance: [String: String] = [:]
        let active = streamOrder.filter { streams[$0]!.firstRecord <= streams[$0]!.lastRecord }
        for name in active {
            let s = streams[name]!
            guard options.instance == .service, let service = s.service else {
                instance[name] = name
                continue
            }
            let overlaps = active.contains { other in
                let o = streams[other]!
                return other != name && o.service == service && o.firstRecord <= scrapeTime(atOrAfter: s.lastRecord + 1)
                    && s.firstRecord <= scrapeTime(atOrAfter: o.lastRecord + 1)
            }
            instance[name] = overlaps ? name : service
        }
        var store = MemorySeries()
        for name in active.sorted(by: { streams[$0]!.firstRecord < streams[$1]!.firstRecord }) {
            let s = streams[name]!
            let stale = scrapeTime(atOrAfter: s.lastRecord + 1)
            for var l in s.order {
                let samples = s.samples[l]!
                l["instance"] = instance[name]!
                for (t, v) in samples where t < stale { store.append(l, t, v) }
                store.append(l, stale, staleMarker)
            }
        }
        return store
    }
}
