public import GammaModel

/// What a metric report selects and computes.
public struct MetricQuery: Sendable {
    /// Names to keep (globs); empty keeps every name.
    public var metrics: [Glob] = []
    /// Names to leave out (globs), after `metrics`.
    public var excluded: [Glob] = []
    /// Conditions every kept series meets.
    public var matchers: [LabelMatcher] = []
    /// When set, series are merged over every label not named here.
    public var groupBy: [String]?
    /// When set (nanoseconds), figures are also computed per window of this length, aligned to
    /// multiples of it since the Unix epoch.
    public var step: Int64?
    /// A bounded-memory sketch (at most 1% relative error) instead of every observation.
    public var approximate = false
    /// The quantiles of histograms, each in 0...1.
    public var quantiles: [Double] = [0.5, 0.9, 0.95, 0.99, 0.999]
    /// Upper bounds for histogram bucket counts (`--buckets`), in the recorded unit, ascending.
    public var buckets: [Double]?

    public init() {}

    func selects(_ name: String) -> Bool {
        (metrics.isEmpty || metrics.contains { $0.matches(name) }) && !excluded.contains { $0.matches(name) }
    }
}

/// A series: a metric's kind and name and its labels, sorted by name.
public struct SeriesKey: Hashable, Sendable, Comparable {
    public var kind: MetricKind
    public var name: String
    public var labels: [Label]

    public init(kind: MetricKind, name: String, labels: [Label]) {
        self.kind = kind
        self.name = name
        self.labels = labels.sorted()
    }

    /// By name, then kind, then labels: the order of every report.
    public static func < (a: SeriesKey, b: SeriesKey) -> Bool {
        if a.name != b.name { return JSONWriter.byteOrder(a.name, b.name) }
        if a.kind != b.kind { return a.kind.rawValue < b.kind.rawValue }
        return a.labels.lexicographicallyPrecedes(b.labels)
    }

    /// `{a="x",b="y"}`, or the empty string without labels.
    public var labelText: String {
        labels.isEmpty ? "" : "{" + labels.map { "\($0.name)=\"\($0.value)\"" }.joined(separator: ",") + "}"
    }
}
