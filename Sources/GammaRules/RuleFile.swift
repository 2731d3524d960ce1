public import GammaConfig
import GammaModel

/// Reads alert rule files: YAML (JSON accepted), a `rules:` list. docs/ALERTING.md gives the
/// format. A file is loaded whole or not at all: the first problem is thrown as a
/// ``ConfigError`` with the file, line, column and the field's path.
public enum RuleFile {
    public static func load(path: String) throws(ConfigError) -> [AlertRule] {
        try parse(ConfigDocument.load(path: path))
    }

    public static func parse(_ text: String, file: String) throws(ConfigError) -> [AlertRule] {
        try parse(ConfigDocument.parse(text, file: file))
    }

    static let ruleFields = [
        "name", "type", "metric", "match", "aggregate", "quantile", "window", "ratio", "group_by",
        "op", "threshold", "k", "baseline", "warmup", "min_samples", "direction",
        "for", "keep_firing_for", "cooldown", "severity", "labels", "annotations", "enabled"
    ]
    static let sideFields = ["metric", "match", "aggregate", "quantile"]

    public static func parse(_ root: ConfigNode) throws(ConfigError) -> [AlertRule] {
        let top = try root.object(keys: ["rules"])
        var rules: [AlertRule] = []
        var names: Set<String> = []
        for node in try top.required("rules").list() {
            let rule = try parseRule(node)
            guard names.insert(rule.name).inserted else { throw node.error("a second rule named '\(rule.name)'") }
            rules.append(rule)
        }
        return rules
    }

    static func parseRule(_ node: ConfigNode) throws(ConfigError) -> AlertRule {
        let o = try node.object(keys: ruleFields)
        let nameNode = try o.required("name")
        let name = try nameNode.string()
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "_-.:".contains($0)) })
        else {
            throw nameNode.error("a rule name is letters, digits and _ - . :")
        }
        let type = try o.optional("type")?.string() ?? "threshold"
        guard type == "threshold" || type == "anomaly" else {
            throw try o.required("type").error("unknown rule type '\(type)' (types: threshold, anomaly)")
        }
        let window = try positiveDuration(o, "window") ?? 300_000_000_000
        let expression: AlertExpression
        if let ratio = o.optional("ratio") {
            for key in sideFields where o.has(key) {
                throw node.error("'\(key)' goes inside ratio.numerator and ratio.denominator")
            }
            let sides = try ratio.object(keys: ["numerator", "denominator"])
            expression = .ratio(
                try side(try sides.required("numerator"), window: window),
                try side(try sides.required("denominator"), window: window))
        } else {
            guard o.has("metric") else { throw node.error("'metric' or 'ratio' is required") }
            expression = try side(node, fields: o, window: window)
        }
        let condition: AlertCondition
        if type == "threshold" {
            for key in ["k", "baseline", "warmup", "min_samples", "direction"] where o.has(key) {
                throw node.error("'\(key)' is for anomaly rules (type: anomaly)")
            }
            let opNode = try o.required("op")
            let opText = try opNode.string()
            guard let op = AlertComparison(rawValue: opText) else {
                throw opNode.error("unknown operator '\(opText)' (operators: > < >= <= == !=)")
            }
            condition = .threshold(op, try o.required("threshold").double())
        } else {
            for key in ["op", "threshold"] where o.has(key) { throw node.error("'\(key)' is for threshold rules") }
            let kNode = try o.required("k")
            let k = try kNode.double()
            guard k > 0 else { throw kNode.error("must be more than 0") }
            let baseline = try positiveDuration(o, "baseline") ?? 3_600_000_000_000
            let warmup = try o.optional("warmup")?.duration() ?? baseline
            let minSamples = try o.optional("min_samples")?.int() ?? 10
            guard minSamples >= 2 else { throw try o.required("min_samples").error("must be at least 2") }
            var direction = AnomalyDirection.both
            if let d = o.optional("direction") {
                let text = try d.string()
                guard let parsed = AnomalyDirection(rawValue: text) else {
                    throw d.error("unknown direction '\(text)' (above, below, both)")
                }
                direction = parsed
            }
            condition = .anomaly(k: k, baseline: baseline, warmup: warmup, minSamples: minSamples, direction: direction)
        }
        var severity = AlertRule.Severity.warning
        if let s = o.optional("severity") {
            let text = try s.string()
            guard let parsed = AlertRule.Severity(rawValue: text) else {
                throw s.error("unknown severity '\(text)' (info, warning, error, critical)")
            }
            severity = parsed
        }
        var groupBy: [String] = []
        for g in try o.optional("group_by")?.list() ?? [] { groupBy.append(try g.string()) }
        return AlertRule(
            name: name, expression: expression, groupBy: groupBy, condition: condition,
            forDuration: try o.optional("for")?.duration() ?? 0,
            keepFiringFor: try o.optional("keep_firing_for")?.duration() ?? 0,
            cooldown: try o.optional("cooldown")?.duration() ?? 0,
            severity: severity,
            labels: try stringMap(o.optional("labels")), annotations: try stringMap(o.optional("annotations")),
            enabled: try o.optional("enabled")?.bool() ?? true)
    }

    static func positiveDuration(_ o: ConfigObject, _ key: String) throws(ConfigError) -> Int64? {
        guard let n = o.optional(key) else { return nil }
        let d = try n.duration()
        guard d > 0 else { throw n.error("must be more than 0") }
        return d
    }

    /// One side of a rule: metric, match, aggregate, quantile.
    static func side(_ node: ConfigNode, window: Int64) throws(ConfigError) -> AlertExpression {
        try side(node, fields: try node.object(keys: sideFields), window: window)
    }

    static func side(_ node: ConfigNode, fields o: ConfigObject, window: Int64) throws(ConfigError) -> AlertExpression {
        let metric = try o.required("metric").string()
        var matchers: [AlertSelector.Matcher] = []
        if let match = o.optional("match") {
            if case .mapping(let pairs) = match.content {
                for (label, value) in pairs {
                    matchers.append(.init(label: label, operation: .equal, value: try value.string()))
                }
            } else {
                for m in try match.list() {
                    let text = try m.string()
                    do throws(LabelMatcherError) {
                        let parsed = try LabelMatcher(parsing: text)
                        matchers.append(.init(label: parsed.label, operation: parsed.operation, value: parsed.value))
                    } catch {
                        throw m.error("\(error)")
                    }
                }
            }
        }
        var aggregation = AlertAggregation.value
        if let a = o.optional("aggregate") {
            let text = try a.string()
            switch text {
            case "value": aggregation = .value
            case "increase": aggregation = .increase
            case "rate": aggregation = .rate
            case "avg": aggregation = .avg
            case "min": aggregation = .min
            case "max": aggregation = .max
            case "sum": aggregation = .sum
            case "count": aggregation = .count
            case "quantile":
                let q = try o.required("quantile")
                aggregation = .quantile(try q.double(in: 0...1))
            case "p50", "p90", "p95", "p99", "p999":
                aggregation = .quantile(text == "p999" ? 0.999 : Double(text.dropFirst())! / 100)
            default:
                throw a.error(
                    "unknown aggregation '\(text)' (value, increase, rate, avg, min, max, sum, count, quantile, p50, p90, p95, p99, p999)"
                )
            }
            if text != "quantile", o.has("quantile") { throw node.error("'quantile' goes with aggregate: quantile") }
        } else if o.has("quantile") {
            aggregation = .quantile(try o.required("quantile").double(in: 0...1))
        }
        return .aggregate(AlertSelector(metric: metric, matchers: matchers), aggregation, window: window)
    }

    static func stringMap(_ node: ConfigNode?) throws(ConfigError) -> [String: String] {
        guard let node else { return [:] }
        guard case .mapping(let pairs) = node.content else {
            throw node.error("expected a mapping of names to strings")
        }
        var out: [String: String] = [:]
        for (k, v) in pairs { out[k] = try v.string() }
        return out
    }
}
