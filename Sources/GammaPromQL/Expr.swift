/// A PromQL expression of the subset Gamma evaluates (docs/PROMQL.md lists it). Anything else is
/// refused by the parser, with its place; nothing outside the subset is ever evaluated.
public indirect enum Expr: Sendable {
    case number(Double)
    case string(String)
    /// An instant vector selector.
    case selector(VectorSelector)
    /// A range vector selector: the samples of the last `range` milliseconds.
    case range(VectorSelector, range: Int64)
    case call(Function, [Expr])
    case aggregate(Aggregation)
    case binary(BinaryOperator, Expr, Expr, VectorMatching)
    case negate(Expr)
    case paren(Expr)

    /// What the expression evaluates to.
    public var type: ValueType {
        switch self {
        case .number: return .scalar
        case .string: return .string
        case .selector: return .vector
        case .range: return .matrix
        case .call(let f, _): return f.returns
        case .aggregate: return .vector
        case .binary(_, let a, let b, _): return a.type == .scalar && b.type == .scalar ? .scalar : .vector
        case .negate(let e), .paren(let e): return e.type
        }
    }
}

public enum ValueType: String, Sendable {
    case scalar, vector = "instant vector", matrix = "range vector", string
}

/// `name{label="value", …} offset 5m`.
public struct VectorSelector: Sendable {
    public var matchers: [Matcher]
    /// Milliseconds back from the evaluation time.
    public var offset: Int64 = 0
}

public struct Matcher: Sendable {
    public enum Op: String, Sendable { case equal = "=", notEqual = "!=", matches = "=~", notMatches = "!~" }
    public var name: String
    public var op: Op
    public var value: String
    /// The anchored regular expression of `=~` and `!~`.
    let regex: RegexBox?

    public init(_ name: String, _ op: Op, _ value: String) throws(PromQLError) {
        self.name = name
        self.op = op
        self.value = value
        if op == .matches || op == .notMatches {
            do {
                regex = RegexBox(try Regex("^(?:" + value + ")$"))
            } catch {
                throw PromQLError(offset: 0, "invalid regular expression '\(value)'")
            }
        } else {
            regex = nil
        }
    }

    /// Whether a label's value (`""` when absent) matches.
    public func matches(_ v: String) -> Bool {
        switch op {
        case .equal: return v == value
        case .notEqual: return v != value
        case .matches: return (try? regex!.regex.wholeMatch(in: v)) != nil
        case .notMatches: return (try? regex!.regex.wholeMatch(in: v)) == nil
        }
    }
}

/// A compiled regular expression, shared read-only between threads.
// @unchecked Sendable: Regex<AnyRegexOutput> is not Sendable, but a compiled one is only read.
final class RegexBox: @unchecked Sendable {
    let regex: Regex<AnyRegexOutput>
    init(_ regex: Regex<AnyRegexOutput>) { self.regex = regex }
}

public struct Aggregation: Sendable {
    public enum Op: String, Sendable, CaseIterable {
        case sum, avg, min, max, count, quantile, topk, bottomk
    }
    public var op: Op
    public var expr: Expr
    /// The parameter of `quantile`, `topk` and `bottomk`.
    public var parameter: Expr?
    /// `by (…)` (grouping on these) or `without (…)` (on all others).
    public var grouping: [String] = []
    public var without = false
}

public enum BinaryOperator: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^"
    case eq = "==", ne = "!=", gt = ">", lt = "<", ge = ">=", le = "<="
    case and, or, unless

    var isComparison: Bool { [.eq, .ne, .gt, .lt, .ge, .le].contains(self) }
    var isSet: Bool { [.and, .or, .unless].contains(self) }

    /// Binding strength: `^` tightest, then `* / %`, `+ -`, comparisons, `and unless`, `or`.
    var precedence: Int {
        switch self {
        case .or: return 1
        case .and, .unless: return 2
        case .eq, .ne, .gt, .lt, .ge, .le: return 3
        case .add, .sub: return 4
        case .mul, .div, .mod: return 5
        case .pow: return 6
        }
    }
}

/// How the two sides of a binary operation between vectors are matched.
public struct VectorMatching: Sendable {
    public enum Card: Sendable { case oneToOne, manyToOne, oneToMany }
    public var card = Card.oneToOne
    /// `on (…)` when true, `ignoring (…)` when false.
    public var on = false
    public var labels: [String] = []
    /// `group_left (…)`/`group_right (…)`: labels taken from the "one" side.
    public var include: [String] = []
    /// `bool`: comparisons give 0 or 1 instead of filtering.
    public var returnBool = false
}

/// The functions of the subset, with their argument types.
public enum Function: String, Sendable, CaseIterable {
    case rate, irate, increase, delta, idelta, resets, changes
    case avg_over_time, min_over_time, max_over_time, sum_over_time, count_over_time, quantile_over_time
    case last_over_time, stddev_over_time
    case histogram_quantile, absent, absent_over_time, abs, clamp_min, clamp_max, round, time, vector, scalar

    var arguments: [ValueType] {
        switch self {
        case .rate, .irate, .increase, .delta, .idelta, .resets, .changes, .avg_over_time, .min_over_time,
            .max_over_time, .sum_over_time, .count_over_time, .last_over_time, .stddev_over_time, .absent_over_time:
            return [.matrix]
        case .quantile_over_time: return [.scalar, .matrix]
        case .histogram_quantile: return [.scalar, .vector]
        case .absent, .abs, .scalar: return [.vector]
        case .clamp_min, .clamp_max: return [.vector, .scalar]
        case .round: return [.vector, .scalar]
        case .time: return []
        case .vector: return [.scalar]
        }
    }

    /// Arguments that may be left out (from the end).
    var optional: Int { self == .round ? 1 : 0 }

    var returns: ValueType {
        switch self {
        case .time, .scalar: return .scalar
        default: return .vector
        }
    }
}

extension Expr {
    /// The vector selectors of the expression, but those under `absent` and `absent_over_time`.
    public var selectors: [VectorSelector] {
        switch self {
        case .number, .string: return []
        case .selector(let s), .range(let s, _): return [s]
        case .call(let f, let args): return f == .absent || f == .absent_over_time ? [] : args.flatMap(\.selectors)
        case .aggregate(let a): return a.expr.selectors + (a.parameter?.selectors ?? [])
        case .binary(_, let a, let b, _): return a.selectors + b.selectors
        case .negate(let e), .paren(let e): return e.selectors
        }
    }
}

extension VectorSelector: CustomStringConvertible {
    /// `name{label="value", …}` as written (matchers in order).
    public var description: String {
        let name = matchers.first { $0.name == "__name__" && $0.op == .equal }?.value ?? ""
        let rest = matchers.filter { !($0.name == "__name__" && $0.op == .equal) }.map {
            "\($0.name)\($0.op.rawValue)\"\(Labels.escape($0.value))\""
        }
        return name + (rest.isEmpty ? "" : "{" + rest.joined(separator: ", ") + "}")
    }
}
