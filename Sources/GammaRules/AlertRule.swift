public import GammaModel

/// One alert rule: an expression evaluated per group of label values at each evaluation time,
/// a condition on its value, and when the answer turns into a notification.
/// docs/ALERTING.md is normative.
public struct AlertRule: Sendable, Equatable {
    public enum Severity: String, Sendable, CaseIterable, Comparable {
        case info, warning, error, critical
        public static func < (a: Severity, b: Severity) -> Bool {
            allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
        }
    }

    public var name: String
    public var expression: AlertExpression
    /// The labels whose values split the expression into groups, each alerting on its own.
    public var groupBy: [String]
    public var condition: AlertCondition
    /// How long the condition must hold before the alert fires (0: at once).
    public var forDuration: Int64
    /// How long a firing alert stays firing after its condition stops holding.
    public var keepFiringFor: Int64
    /// After a firing notification, further firing notifications of the same group are
    /// suppressed for this long.
    public var cooldown: Int64
    public var severity: Severity
    public var labels: [String: String]
    public var annotations: [String: String]
    public var enabled: Bool

    public init(
        name: String, expression: AlertExpression, groupBy: [String] = [], condition: AlertCondition,
        forDuration: Int64 = 0, keepFiringFor: Int64 = 0, cooldown: Int64 = 0, severity: Severity = .warning,
        labels: [String: String] = [:], annotations: [String: String] = [:], enabled: Bool = true
    ) {
        self.name = name
        self.expression = expression
        self.groupBy = groupBy
        self.condition = condition
        self.forDuration = forDuration
        self.keepFiringFor = keepFiringFor
        self.cooldown = cooldown
        self.severity = severity
        self.labels = labels
        self.annotations = annotations
        self.enabled = enabled
    }
}

extension AlertRule {
    /// The labels of a group's transitions: its `group_by` labels with the group's values, then
    /// the rule's own labels in name order.
    public func labels(ofGroup values: [String]) -> [Label] {
        zip(groupBy, values).map { Label($0, $1) } + labels.sorted { $0.key < $1.key }.map { Label($0.key, $0.value) }
    }

    /// The metric names rules read: a reader can leave every other line alone.
    public static func metricNames(_ rules: [AlertRule]) -> Set<String> {
        Set(rules.filter(\.enabled).flatMap { $0.expression.selectors.map(\.metric) })
    }
}

/// What a rule computes. Room is left for expression languages (a PromQL subset) as further cases.
public indirect enum AlertExpression: Sendable, Equatable {
    /// An aggregation of one metric's samples over a window.
    case aggregate(AlertSelector, AlertAggregation, window: Int64)
    /// One expression over another, per group: errors per call. A zero or missing denominator
    /// gives no value (never infinity).
    case ratio(AlertExpression, AlertExpression)

    /// Every selector the expression reads.
    public var selectors: [AlertSelector] {
        switch self {
        case .aggregate(let s, _, _): return [s]
        case .ratio(let a, let b): return a.selectors + b.selectors
        }
    }
}

/// A metric name and label matchers (`label=value`, `!=`, `=~`, `!~`, anchored regexes).
public struct AlertSelector: Sendable, Hashable {
    public var metric: String
    public var matchers: [Matcher]

    public struct Matcher: Sendable, Hashable, CustomStringConvertible {
        public typealias Operation = LabelMatcher.Operation
        public var label: String
        public var operation: Operation
        public var value: String
        public init(label: String, operation: Operation, value: String) {
            self.label = label
            self.operation = operation
            self.value = value
        }
        public var description: String { "\(label)\(operation.rawValue)\"\(value)\"" }
    }

    public init(metric: String, matchers: [Matcher] = []) {
        self.metric = metric
        self.matchers = matchers
    }
}

/// How a window of samples becomes one number.
public enum AlertAggregation: Sendable, Equatable, CustomStringConvertible {
    /// A counter's running total since the data began, or a gauge's latest value in the window.
    case value
    /// The sum of a counter's increments in the window.
    case increase
    /// `increase` per second of the window.
    case rate
    case avg, min, max, sum, count
    /// A quantile (0...1) of the observations in the window, numpy's linear method.
    case quantile(Double)

    public var description: String {
        switch self {
        case .value: return "value"
        case .increase: return "increase"
        case .rate: return "rate"
        case .avg: return "avg"
        case .min: return "min"
        case .max: return "max"
        case .sum: return "sum"
        case .count: return "count"
        case .quantile(let q): return "quantile(\(q))"
        }
    }
}

/// When a rule's value is "bad".
public enum AlertCondition: Sendable, Equatable {
    case threshold(AlertComparison, Double)
    /// The value is more than `k` standard deviations from the mean of the rule's own values at
    /// the evaluations of the last `baseline`, once `warmup` has passed since the group's first
    /// value and at least `minSamples` values are in the baseline.
    case anomaly(k: Double, baseline: Int64, warmup: Int64, minSamples: Int, direction: AnomalyDirection)
}

public enum AnomalyDirection: String, Sendable, CaseIterable { case above, below, both }

public enum AlertComparison: String, Sendable, CaseIterable {
    case greater = ">", less = "<", greaterOrEqual = ">=", lessOrEqual = "<=", equal = "==", notEqual = "!="

    public func holds(_ a: Double, _ b: Double) -> Bool {
        switch self {
        case .greater: return a > b
        case .less: return a < b
        case .greaterOrEqual: return a >= b
        case .lessOrEqual: return a <= b
        case .equal: return a == b
        case .notEqual: return a != b
        }
    }
}
