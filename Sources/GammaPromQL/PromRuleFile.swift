public import GammaConfig

/// A Prometheus rule file (`groups:`), as Prometheus reads it, limited to what Gamma evaluates:
/// groups with `name` and `interval`; alerting rules with `alert`, `expr`, `for`,
/// `keep_firing_for`, `labels` and `annotations`; recording rules with `record`, `expr` and
/// `labels`. A file that is valid for Prometheus but uses something else (a group's `limit` or
/// `query_offset`, a PromQL construct outside the subset, a template action outside the common
/// ones) is refused with its file, line and column, and the construct named.
public struct PromRuleFile: Sendable {
    public struct Group: Sendable {
        public var name: String
        /// Milliseconds between evaluations.
        public var interval: Int64
        public var rules: [Rule]
    }

    public enum Rule: Sendable {
        case alert(AlertingRule)
        case record(RecordingRule)
    }

    public struct AlertingRule: Sendable {
        public var name: String
        public var expr: Expr
        public var exprText: String
        /// Milliseconds.
        public var holdFor: Int64
        public var keepFiringFor: Int64
        public var labels: [(name: String, value: Template)]
        public var annotations: [(name: String, value: Template)]
        public var severity: String? { labels.first { $0.name == "severity" }?.value.text }
    }

    public struct RecordingRule: Sendable {
        public var name: String
        public var expr: Expr
        public var exprText: String
        public var labels: [(name: String, value: String)]
    }

    public var file: String
    public var groups: [Group]

    /// Whether a parsed YAML document is a Prometheus rule file (its top level has `groups`).
    public static func isPrometheus(_ root: ConfigNode) -> Bool {
        if case .mapping(let pairs) = root.content { return pairs.contains { $0.key == "groups" } }
        return false
    }

    public static func load(path: String, defaultInterval: Int64 = 60_000) throws(ConfigError) -> PromRuleFile {
        try parse(ConfigDocument.load(path: path), defaultInterval: defaultInterval)
    }

    public static func parse(_ text: String, file: String, defaultInterval: Int64 = 60_000) throws(ConfigError)
        -> PromRuleFile
    {
        try parse(ConfigDocument.parse(text, file: file), defaultInterval: defaultInterval)
    }

    public static func parse(_ root: ConfigNode, defaultInterval: Int64 = 60_000) throws(ConfigError) -> PromRuleFile {
        let top = try root.object(keys: ["groups"])
        var groups: [Group] = []
        var names: Set<String> = []
        for g in try top.required("groups").list() {
            let o = try object(g, ["name", "interval", "rules"], outside: ["limit", "query_offset", "labels"])
            let nameNode = try o.required("name")
            let name = try nameNode.string()
            guard names.insert(name).inserted else { throw nameNode.error("the group '\(name)' is given twice") }
            var interval = defaultInterval
            if let i = o.optional("interval") { interval = try duration(i) }
            guard interval > 0 else { throw try o.required("interval").error("the interval must be more than 0") }
            var rules: [Rule] = []
            for r in try o.optional("rules")?.list() ?? [] {
                rules.append(try rule(r))
            }
            groups.append(Group(name: name, interval: interval, rules: rules))
        }
        return PromRuleFile(file: root.file, groups: groups)
    }

    /// A mapping with `keys`; a key Prometheus knows but Gamma does not evaluate is named as such.
    static func object(_ node: ConfigNode, _ keys: [String], outside: [String]) throws(ConfigError) -> ConfigObject {
        if case .mapping(let pairs) = node.content, let known = pairs.first(where: { outside.contains($0.key) }) {
            throw ConfigError(
                file: node.file, position: known.value.keyPosition ?? known.value.position, path: known.value.path,
                message: "'\(known.key)' is valid for Prometheus but not in the subset Gamma evaluates")
        }
        return try node.object(keys: keys)
    }

    static func duration(_ node: ConfigNode) throws(ConfigError) -> Int64 {
        let s = try node.string()
        guard let d = Parser.duration(s) else { throw node.error("'\(s)' is not a duration (like 30s, 5m, 1h30m)") }
        return d
    }

    static func expression(_ node: ConfigNode) throws(ConfigError) -> (Expr, String) {
        let text = try node.string()
        do {
            return (try Parser.parse(text), text)
        } catch {
            // The place in the file: the expression's own line and column when it is on one line.
            var position = node.position
            if var p = position, !text.contains("\n") {
                p.column += error.offset
                position = p
            }
            throw ConfigError(file: node.file, position: position, path: node.path, message: error.message)
        }
    }

    static func rule(_ node: ConfigNode) throws(ConfigError) -> Rule {
        guard case .mapping(let pairs) = node.content else { throw node.error("expected a rule (a mapping)") }
        if pairs.contains(where: { $0.key == "record" }) {
            let o = try node.object(keys: ["record", "expr", "labels"])
            let nameNode = try o.required("record")
            let name = try nameNode.string()
            guard Self.isMetricName(name) else { throw nameNode.error("'\(name)' is not a valid metric name") }
            let (expr, text) = try expression(try o.required("expr"))
            guard expr.type == .vector || expr.type == .scalar else {
                throw try o.required("expr").error("a rule's expression must give an instant vector or a scalar")
            }
            var labels: [(String, String)] = []
            if let l = o.optional("labels") {
                for (k, v) in try labelPairs(l) { labels.append((k, try v.string())) }
            }
            return .record(RecordingRule(name: name, expr: expr, exprText: text, labels: labels))
        }
        let o = try node.object(keys: ["alert", "expr", "for", "keep_firing_for", "labels", "annotations"])
        let name = try o.required("alert").string()
        let (expr, text) = try expression(try o.required("expr"))
        guard expr.type == .vector || expr.type == .scalar else {
            throw try o.required("expr").error("a rule's expression must give an instant vector or a scalar")
        }
        var labels: [(String, Template)] = []
        for (k, v) in try o.optional("labels").map(labelPairs) ?? [] { labels.append((k, try template(v))) }
        var annotations: [(String, Template)] = []
        for (k, v) in try o.optional("annotations").map(labelPairs) ?? [] { annotations.append((k, try template(v))) }
        return .alert(
            AlertingRule(
                name: name, expr: expr, exprText: text, holdFor: try o.optional("for").map(duration) ?? 0,
                keepFiringFor: try o.optional("keep_firing_for").map(duration) ?? 0, labels: labels,
                annotations: annotations))
    }

    static func labelPairs(_ node: ConfigNode) throws(ConfigError) -> [(String, ConfigNode)] {
        guard case .mapping(let pairs) = node.content else { throw node.error("expected a mapping of names to values") }
        return pairs.map { ($0.key, $0.value) }
    }

    static func template(_ node: ConfigNode) throws(ConfigError) -> Template {
        let text = try node.string()
        do {
            return try Template(text)
        } catch {
            throw node.error(error.message)
        }
    }

    static func isMetricName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || f == ":" || (f.isASCII && f.properties.isAlphabetic) else {
            return false
        }
        return s.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == ":" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }
}

extension Parser {
    /// A Prometheus duration (`1h30m`, `5m`, `15s`, `500ms`, `1d`, `1w`, `1y`) in milliseconds.
    public static func duration(_ text: String) -> Int64? {
        guard !text.isEmpty else { return nil }
        guard let e = try? Parser.parse("x[\(text)]"), case .range(_, let r) = e else { return nil }
        return r
    }
}
