/// A place in a configuration file: 1-based line and column (columns count Unicode scalars).
public struct ConfigPosition: Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }
    public var description: String { "\(line):\(column)" }
}

/// Why a configuration file was refused: the file, the line and column, the field's path
/// (`incidents[1].duration`), and what is wrong. Loading stops at the first error, and nothing of
/// a refused file is used.
public struct ConfigError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var position: ConfigPosition?
    /// The field's path from the document's root; empty for the document itself.
    public var path: String
    public var message: String

    public init(file: String, position: ConfigPosition?, path: String, message: String) {
        self.file = file
        self.position = position
        self.path = path
        self.message = message
    }

    public var description: String {
        var s = file
        if let position { s += ":\(position)" }
        s += ": "
        if !path.isEmpty { s += "\(path): " }
        return s + message
    }
}

/// One node of a YAML (or JSON, which YAML reads as well) configuration document, with where it
/// is in its file and its path from the root, so every error can name the place.
///
/// Readers ask for what they expect and get a ``ConfigError`` that names the place otherwise:
/// ``object(keys:)`` refuses unknown and repeated keys, ``string()``, ``double()``, ``int()``,
/// ``bool()``, ``duration()`` and ``list()`` refuse the wrong type.
public struct ConfigNode: Sendable {
    public enum Content: Sendable {
        /// A scalar's text; `quoted` when it was written in quotes (so `"1"` is a string, not a number).
        case scalar(String, quoted: Bool)
        case sequence([ConfigNode])
        /// Keys in the order written.
        case mapping([(key: String, value: ConfigNode)])
        /// `null`, `~`, or nothing.
        case null
    }

    public var content: Content
    public var position: ConfigPosition?
    public var path: String
    public var file: String

    public init(content: Content, position: ConfigPosition?, path: String, file: String) {
        self.content = content
        self.position = position
        self.path = path
        self.file = file
    }

    /// An error about this node.
    public func error(_ message: String) -> ConfigError {
        ConfigError(file: file, position: position, path: path, message: message)
    }

    var kindName: String {
        switch content {
        case .scalar(let s, let quoted): return quoted ? "the string \"\(s)\"" : "'\(s)'"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .null: return "nothing (null)"
        }
    }

    public var isNull: Bool { if case .null = content { return true } else { return false } }

    /// The node as a mapping whose keys are all among `keys`.
    public func object(keys: [String]) throws(ConfigError) -> ConfigObject {
        guard case .mapping(let pairs) = content else {
            throw error("expected a mapping (key: value), found \(kindName)")
        }
        var fields: [String: ConfigNode] = [:]
        for (key, value) in pairs {
            guard keys.contains(key) else {
                let hint = ConfigObject.closest(to: key, in: keys).map { "; did you mean '\($0)'?" } ?? ""
                throw ConfigError(
                    file: file, position: value.keyPosition ?? value.position, path: value.path,
                    message: "unknown field '\(key)'\(hint) (known: \(keys.joined(separator: ", ")))")
            }
            guard fields[key] == nil else {
                throw ConfigError(
                    file: file, position: value.keyPosition ?? value.position, path: value.path,
                    message: "'\(key)' is given twice")
            }
            fields[key] = value
        }
        return ConfigObject(node: self, fields: fields)
    }

    /// The node as a list.
    public func list() throws(ConfigError) -> [ConfigNode] {
        guard case .sequence(let items) = content else { throw error("expected a list, found \(kindName)") }
        return items
    }

    public func string() throws(ConfigError) -> String {
        guard case .scalar(let s, _) = content else { throw error("expected a string, found \(kindName)") }
        return s
    }

    public func double() throws(ConfigError) -> Double {
        guard case .scalar(let s, false) = content, let d = Double(s.replacing("_", with: "")), d.isFinite else {
            throw error("expected a number, found \(kindName)")
        }
        return d
    }

    public func int() throws(ConfigError) -> Int {
        guard case .scalar(let s, false) = content, let i = Int(s.replacing("_", with: "")) else {
            throw error("expected a whole number, found \(kindName)")
        }
        return i
    }

    public func bool() throws(ConfigError) -> Bool {
        guard case .scalar(let s, false) = content else { throw error("expected true or false, found \(kindName)") }
        switch s {
        case "true", "True", "TRUE": return true
        case "false", "False", "FALSE": return false
        default: throw error("expected true or false, found '\(s)'")
        }
    }

    /// A duration (`90s`, `15m`, `1h30m`, `500ms`) in nanoseconds.
    public func duration() throws(ConfigError) -> Int64 {
        let s = try string()
        guard let d = DurationParser.parse(s) else {
            throw error("'\(s)' is not a duration (like 90s, 15m, 1h30m, 500ms)")
        }
        return d
    }

    /// A number within `range`.
    public func double(in range: ClosedRange<Double>) throws(ConfigError) -> Double {
        let d = try double()
        guard range.contains(d) else { throw error("\(d) is outside \(range.lowerBound)...\(range.upperBound)") }
        return d
    }

    /// Where the key of this (mapping value) node was written, when known.
    public internal(set) var keyPosition: ConfigPosition?
}

/// A mapping whose keys were checked: fields by name.
public struct ConfigObject: Sendable {
    public let node: ConfigNode
    let fields: [String: ConfigNode]

    public func optional(_ key: String) -> ConfigNode? {
        guard let n = fields[key], !n.isNull else { return nil }
        return n
    }

    public func required(_ key: String) throws(ConfigError) -> ConfigNode {
        guard let n = optional(key) else { throw node.error("'\(key)' is required") }
        return n
    }

    public func has(_ key: String) -> Bool { optional(key) != nil }

    /// The known key nearest to a mistyped one (at most two edits away).
    static func closest(to key: String, in keys: [String]) -> String? {
        let best = keys.map { ($0, editDistance(key, $0)) }.min { $0.1 < $1.1 }
        guard let best, best.1 <= 2 else { return nil }
        return best.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(1, a.count) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let saved = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = saved
            }
        }
        return a.isEmpty ? b.count : row[b.count]
    }
}
