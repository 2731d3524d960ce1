/// The kinds of metric records.
public enum MetricKind: String, Hashable, Sendable, CaseIterable {
    /// `value` is an increment.
    case counter
    /// `value` is the new value.
    case gauge
    /// `value` is one observation.
    case histogram
}

/// Opens every segment; the other records of that segment inherit it.
public struct ResourceRecord: Hashable, Sendable {
    public var ts: Int64
    /// The schema version of the records that follow: 1.
    public var schema: Int64
    public var stream: String
    public var attributes: Attributes

    public init(ts: Int64, schema: Int64 = 1, stream: String, attributes: Attributes) {
        self.ts = ts
        self.schema = schema
        self.stream = stream
        self.attributes = attributes
    }
}

/// A counter increment, a gauge value or a histogram observation.
public struct MetricRecord: Hashable, Sendable {
    public var kind: MetricKind
    public var ts: Int64
    public var name: String
    public var labels: [String: String]
    /// May be NaN or infinite: written as the strings "NaN", "Infinity", "-Infinity".
    public var value: Double

    public init(kind: MetricKind, ts: Int64, name: String, labels: [String: String] = [:], value: Double) {
        self.kind = kind
        self.ts = ts
        self.name = name
        self.labels = labels
        self.value = value
    }
}

/// What a metric name means: its kind, unit and help text. Written when a name is first used, and
/// at the head of every later segment.
public struct MetaRecord: Hashable, Sendable {
    public var ts: Int64
    public var name: String
    public var kind: MetricKind
    public var unit: String?
    public var help: String?

    public init(ts: Int64, name: String, kind: MetricKind, unit: String? = nil, help: String? = nil) {
        self.ts = ts
        self.name = name
        self.kind = kind
        self.unit = unit
        self.help = help
    }
}

/// A finished (or, at shutdown, unfinished) span.
public struct SpanRecord: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable { case `internal`, server, client, producer, consumer }
    public enum Status: String, Hashable, Sendable, CaseIterable { case unset, ok, error }

    public struct Event: Hashable, Sendable {
        public var name: String
        public var ts: Int64
        public var attributes: Attributes
        public init(name: String, ts: Int64, attributes: Attributes = [:]) {
            self.name = name
            self.ts = ts
            self.attributes = attributes
        }
    }

    public struct Link: Hashable, Sendable {
        public var traceID: TraceID
        public var spanID: SpanID
        public var attributes: Attributes
        public init(traceID: TraceID, spanID: SpanID, attributes: Attributes = [:]) {
            self.traceID = traceID
            self.spanID = spanID
            self.attributes = attributes
        }
    }

    /// The span's end, as `end` (the record's time).
    public var ts: Int64 { end }
    public var traceID: TraceID
    public var spanID: SpanID
    /// `nil` for a root span.
    public var parentSpanID: SpanID?
    public var name: String
    public var kind: Kind
    public var start: Int64
    public var end: Int64
    public var status: Status
    public var statusMessage: String?
    public var attributes: Attributes
    public var events: [Event]
    public var links: [Link]
    /// The span was still open at shutdown; `end` is the shutdown time.
    public var unfinished: Bool

    public init(
        traceID: TraceID, spanID: SpanID, parentSpanID: SpanID? = nil, name: String, kind: Kind = .internal,
        start: Int64, end: Int64, status: Status = .unset, statusMessage: String? = nil,
        attributes: Attributes = [:], events: [Event] = [], links: [Link] = [], unfinished: Bool = false
    ) {
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.kind = kind
        self.start = start
        self.end = end
        self.status = status
        self.statusMessage = statusMessage
        self.attributes = attributes
        self.events = events
        self.links = links
        self.unfinished = unfinished
    }
}

/// A transition of an alert rule, as live evaluation writes it.
public struct AlertRecord: Hashable, Sendable {
    public enum State: String, Hashable, Sendable, CaseIterable { case inactive, pending, firing, resolved }

    public var ts: Int64
    public var rule: String
    public var state: State
    public var severity: String
    public var labels: [String: String]
    /// The evaluated value; `nil` when there was none (no data, a zero denominator).
    public var value: Double?
    public var threshold: Double?
    /// On the record of a notification that was not delivered: the notifier that gave it up.
    public var notifier: String?
    /// On the record of a notification that was not delivered: why.
    public var undelivered: String?

    public init(
        ts: Int64, rule: String, state: State, severity: String, labels: [String: String] = [:],
        value: Double? = nil, threshold: Double? = nil, notifier: String? = nil, undelivered: String? = nil
    ) {
        self.ts = ts
        self.rule = rule
        self.state = state
        self.severity = severity
        self.labels = labels
        self.value = value
        self.threshold = threshold
        self.notifier = notifier
        self.undelivered = undelivered
    }
}

/// One line of a Gamma log, schema v1.
public enum Record: Hashable, Sendable {
    case resource(ResourceRecord)
    case metric(MetricRecord)
    case meta(MetaRecord)
    case span(SpanRecord)
    case alert(AlertRecord)

    /// The record's time, nanoseconds since the Unix epoch.
    public var ts: Int64 {
        switch self {
        case .resource(let r): r.ts
        case .metric(let r): r.ts
        case .meta(let r): r.ts
        case .span(let r): r.ts
        case .alert(let r): r.ts
        }
    }
}
