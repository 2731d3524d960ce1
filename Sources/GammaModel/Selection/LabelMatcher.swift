/// A condition on one label, as in PromQL: `name=value`, `name!=value`, `name=~regex`,
/// `name!~regex`. A series without the label has it as the empty string, so `tool=""` selects
/// series without `tool`. Regular expressions match the whole value.
///
/// `@unchecked Sendable`: `Regex` is not `Sendable`, but the one inside a matcher is built in
/// `init` and only read afterwards (`wholeMatch` does not mutate it), so sharing a matcher between
/// threads shares an immutable value.
public struct LabelMatcher: CustomStringConvertible, @unchecked Sendable {
    public enum Operation: String, Sendable { case equal = "=", notEqual = "!=", matches = "=~", notMatches = "!~" }

    public let label: String
    public let operation: Operation
    public let value: String
    private let regex: Regex<AnyRegexOutput>?

    public init(label: String, operation: Operation, value: String) throws(LabelMatcherError) {
        self.label = label
        self.operation = operation
        self.value = value
        if operation == .matches || operation == .notMatches {
            do { regex = try Regex("^(?:" + value + ")$") } catch {
                throw LabelMatcherError(
                    text: "\(label)\(operation.rawValue)\(value)", reason: "not a regular expression (\(error))")
            }
        } else {
            regex = nil
        }
    }

    /// Parses `name=value`, `name!=value`, `name=~regex` or `name!~regex`.
    public init(parsing text: String) throws(LabelMatcherError) {
        let chars = Array(text)
        guard let at = chars.firstIndex(where: { $0 == "=" || $0 == "!" }), at > 0 else {
            throw LabelMatcherError(
                text: text, reason: "expected label=value, label!=value, label=~regex or label!~regex")
        }
        let label = String(chars[..<at])
        let rest = String(chars[at...])
        let operation: Operation
        if rest.hasPrefix("=~") {
            operation = .matches
        } else if rest.hasPrefix("!~") {
            operation = .notMatches
        } else if rest.hasPrefix("!=") {
            operation = .notEqual
        } else if rest.hasPrefix("=") {
            operation = .equal
        } else {
            throw LabelMatcherError(
                text: text, reason: "expected label=value, label!=value, label=~regex or label!~regex")
        }
        var value = String(rest.dropFirst(operation.rawValue.count))
        if value.count >= 2, value.first == "\"", value.last == "\"" { value = String(value.dropFirst().dropLast()) }
        try self.init(label: label, operation: operation, value: value)
    }

    public var description: String { "\(label)\(operation.rawValue)\"\(value)\"" }

    public func matches(_ labels: [String: String]) -> Bool {
        let v = labels[label] ?? ""
        switch operation {
        case .equal: return v == value
        case .notEqual: return v != value
        case .matches: return (try? regex!.wholeMatch(in: v)) != nil
        case .notMatches: return (try? regex!.wholeMatch(in: v)) == nil
        }
    }
}

/// A label matcher that could not be built: its text, and why.
public struct LabelMatcherError: Error, Equatable, CustomStringConvertible {
    /// The matcher as written.
    public var text: String
    public var reason: String

    public init(text: String, reason: String) {
        self.text = text
        self.reason = reason
    }

    /// `label matcher 'tool=~(': not a regular expression (…)`.
    public var description: String { "label matcher '\(text)': \(reason)" }
}
