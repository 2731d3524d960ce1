#if canImport(Glibc)
import Glibc
#endif

/// An alert's label or annotation template, in the subset of Go's text/template that alerting
/// rules commonly use: `{{ $labels.name }}` (or `.Labels.name`), `{{ $value }}` (or `.Value`),
/// the functions `humanize`, `humanizeDuration`, `humanizePercentage` and `printf`, as a call
/// (`humanize $value`) or in a pipeline (`$value | printf "%.2f"`), and `{{-`/`-}}` trimming.
/// Anything else is refused at load. Numbers print as Go prints them, so that promtool, which
/// renders the same templates, writes the same text.
public struct Template: Sendable {
    enum Operand: Sendable { case value, label(String), string(String) }
    struct Call: Sendable {
        var function: String
        var arguments: [Operand]
    }
    enum Part: Sendable {
        case text(String)
        /// An operand piped through calls; the first call may take the operand as its last argument.
        case action(Operand?, [Call])
    }

    /// A number as Go's `%v` prints it (as `{{ $value }}` does).
    public static func goNumber(_ v: Double) -> String { GoFormat.shortest(v) }

    /// The template as written.
    public let text: String
    let parts: [Part]

    static let functions: Set<String> = ["humanize", "humanizeDuration", "humanizePercentage", "printf"]

    public init(_ text: String) throws(PromQLError) {
        self.text = text
        var parts: [Part] = []
        var rest = Substring(text)
        var pendingText = ""
        while let open = rest.firstRange(of: "{{") {
            pendingText += rest[..<open.lowerBound]
            var inner = rest[open.upperBound...]
            guard let close = inner.firstRange(of: "}}") else {
                throw PromQLError(offset: 0, "unclosed '{{' in template")
            }
            var body = inner[..<close.lowerBound]
            inner = inner[close.upperBound...]
            if body.hasPrefix("-") {
                body = body.dropFirst()
                while pendingText.last?.isWhitespace == true { pendingText.removeLast() }
            }
            var trimAfter = false
            if body.hasSuffix("-") {
                body = body.dropLast()
                trimAfter = true
            }
            if !pendingText.isEmpty { parts.append(.text(pendingText)) }
            pendingText = ""
            parts.append(try Self.action(String(body).trimmingSpaces))
            rest = inner
            if trimAfter { rest = rest.drop { $0.isWhitespace } }
        }
        pendingText += rest
        if !pendingText.isEmpty { parts.append(.text(pendingText)) }
        self.parts = parts
    }

    private static func operand(_ token: String) -> Operand? {
        if token == "$value" || token == ".Value" { return .value }
        for prefix in ["$labels.", ".Labels."] where token.hasPrefix(prefix) {
            return .label(String(token.dropFirst(prefix.count)))
        }
        if token.count >= 2, token.first == "\"", token.last == "\"" {
            return .string(String(token.dropFirst().dropLast()).replacing("\\\"", with: "\""))
        }
        return nil
    }

    /// Splits on spaces outside quotes.
    private static func tokens(_ s: String) -> [String] {
        var out: [String] = []
        var current = ""
        var quoted = false
        var previous: Character = " "
        for c in s {
            if c == "\"" && previous != "\\" { quoted.toggle() }
            if c == " " && !quoted {
                if !current.isEmpty { out.append(current) }
                current = ""
            } else {
                current.append(c)
            }
            previous = c
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    private static func action(_ body: String) throws(PromQLError) -> Part {
        let refuse = PromQLError(offset: 0, "the template action '{{ \(body) }}' is not in the subset Gamma renders")
        var stages = body.split(separator: "|").map { String($0).trimmingSpaces }
        guard !stages.isEmpty else { throw refuse }
        var first: Operand?
        var calls: [Call] = []
        let head = tokens(stages.removeFirst())
        if head.count == 1, let o = operand(head[0]) {
            first = o
        } else if let f = head.first, functions.contains(f) {
            var args: [Operand] = []
            for t in head.dropFirst() {
                guard let o = operand(t) else { throw refuse }
                args.append(o)
            }
            calls.append(Call(function: f, arguments: args))
        } else {
            throw refuse
        }
        for stage in stages {
            let t = tokens(stage)
            guard let f = t.first, functions.contains(f) else { throw refuse }
            var args: [Operand] = []
            for a in t.dropFirst() {
                guard let o = operand(a) else { throw refuse }
                args.append(o)
            }
            calls.append(Call(function: f, arguments: args))
        }
        return .action(first, calls)
    }

    /// The text for an alert with these labels and value.
    public func render(labels: [String: String], value: Double) -> String {
        func resolve(_ o: Operand) -> Datum {
            switch o {
            case .value: return .number(value)
            case .label(let l): return .text(labels[l] ?? "")
            case .string(let s): return .text(s)
            }
        }
        func print(_ d: Datum) -> String {
            switch d {
            case .number(let v): return GoFormat.shortest(v)
            case .text(let s): return s
            }
        }
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .action(let first, let calls):
                var current: Datum? = first.map(resolve)
                for call in calls {
                    var args = call.arguments.map(resolve)
                    if let c = current { args.append(c) }
                    current = .text(Self.apply(call.function, args, print))
                }
                out += current.map(print) ?? ""
            }
        }
        return out
    }

    private static func apply(_ f: String, _ args: [Datum], _ print: (Datum) -> String) -> String {
        func number(_ d: Datum?) -> Double {
            switch d {
            case .number(let v)?: return v
            case .text(let s)?: return Double(s) ?? .nan
            case nil: return .nan
            }
        }
        switch f {
        case "humanize": return GoFormat.humanize(number(args.last))
        case "humanizeDuration": return GoFormat.humanizeDuration(number(args.last))
        case "humanizePercentage": return GoFormat.g(number(args.last) * 100, precision: 4) + "%"
        default:  // printf
            guard case .text(let format)? = args.first else { return "" }
            return GoFormat.printf(format, Array(args.dropFirst()), print)
        }
    }

    enum Datum {
        case number(Double), text(String)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}
