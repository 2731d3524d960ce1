/// A series' labels, sorted by name, `__name__` among them: the identity of a series as
/// Prometheus keys it.
public struct Labels: Hashable, Sendable, Comparable, CustomStringConvertible {
    public private(set) var pairs: [(name: String, value: String)]

    public init(_ pairs: [(String, String)]) {
        self.pairs = pairs.filter { !$0.1.isEmpty }.sorted { $0.0 < $1.0 }.map { (name: $0.0, value: $0.1) }
    }

    public init(_ dictionary: [String: String]) { self.init(dictionary.map { ($0.key, $0.value) }) }

    public subscript(name: String) -> String {
        get { pairs.first { $0.name == name }?.value ?? "" }
        set {
            pairs.removeAll { $0.name == name }
            if !newValue.isEmpty {
                let i = pairs.firstIndex { $0.name > name } ?? pairs.count
                pairs.insert((name, newValue), at: i)
            }
        }
    }

    public var metricName: String { self["__name__"] }

    /// The labels without `__name__`.
    public var withoutName: Labels {
        var l = self
        l["__name__"] = ""
        return l
    }

    /// Only the labels named (`on`, `by`), or all but them (`ignoring`, `without`); never the name
    /// when `keepName` is false.
    public func keeping(_ names: Set<String>, include: Bool, keepName: Bool = false) -> Labels {
        var l = self
        l.pairs = pairs.filter { p in
            if p.name == "__name__" && !keepName { return false }
            return names.contains(p.name) == include
        }
        return l
    }

    public var dictionary: [String: String] { Dictionary(uniqueKeysWithValues: pairs.map { ($0.name, $0.value) }) }

    public static func == (a: Labels, b: Labels) -> Bool {
        a.pairs.count == b.pairs.count
            && zip(a.pairs, b.pairs).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into h: inout Hasher) {
        for p in pairs {
            h.combine(p.name)
            h.combine(p.value)
        }
    }

    public static func < (a: Labels, b: Labels) -> Bool {
        for (x, y) in zip(a.pairs, b.pairs) {
            if x.name != y.name { return x.name < y.name }
            if x.value != y.value { return x.value < y.value }
        }
        return a.pairs.count < b.pairs.count
    }

    /// `name{a="x", b="y"}` as Prometheus prints a series.
    public var description: String {
        let rest = pairs.filter { $0.name != "__name__" }.map { "\($0.name)=\"\(Self.escape($0.value))\"" }
        return metricName + "{" + rest.joined(separator: ", ") + "}"
    }

    /// A label value in PromQL's double-quoted syntax.
    public static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}
