/// Why an expression was refused: where (a character offset in the expression) and what.
public struct PromQLError: Error, Equatable, Sendable, CustomStringConvertible {
    public var offset: Int
    public var message: String
    public init(offset: Int, _ message: String) {
        self.offset = offset
        self.message = message
    }
    public var description: String { message }
}

/// Parses PromQL of the subset (``Expr``), refusing anything else with its place and the
/// construct named: a subquery, `@`, a function or aggregation outside the subset, a type error.
public struct Parser {
    private let chars: [Character]
    private var i = 0

    public static func parse(_ text: String) throws(PromQLError) -> Expr {
        var p = Parser(chars: Array(text))
        p.skipSpace()
        let e = try p.expression(0)
        p.skipSpace()
        guard p.i == p.chars.count else { throw p.error("unexpected '\(p.chars[p.i])'") }
        return e
    }

    private init(chars: [Character]) { self.chars = chars }

    private func error(_ message: String, at offset: Int? = nil) -> PromQLError {
        PromQLError(offset: offset ?? i, message)
    }

    // MARK: lexing

    private mutating func skipSpace() {
        while i < chars.count {
            if chars[i].isWhitespace {
                i += 1
            } else if chars[i] == "#" {
                while i < chars.count && chars[i] != "\n" { i += 1 }
            } else {
                break
            }
        }
    }

    private func peek(_ s: String) -> Bool {
        let c = Array(s)
        guard i + c.count <= chars.count else { return false }
        return Array(chars[i..<(i + c.count)]) == c
    }

    private mutating func eat(_ s: String) -> Bool {
        skipSpace()
        guard peek(s) else { return false }
        i += s.count
        return true
    }

    private mutating func expect(_ s: String, _ what: String) throws(PromQLError) {
        guard eat(s) else { throw error("expected \(what)") }
    }

    private static func isIdentStart(_ c: Character) -> Bool { c == "_" || c == ":" || (c.isASCII && c.isLetter) }
    private static func isIdent(_ c: Character) -> Bool { isIdentStart(c) || (c.isASCII && c.isNumber) }

    /// A metric or label name (label names have no `:`, which the caller checks).
    private mutating func identifier() -> String? {
        skipSpace()
        guard i < chars.count, Self.isIdentStart(chars[i]) else { return nil }
        let start = i
        while i < chars.count && Self.isIdent(chars[i]) { i += 1 }
        return String(chars[start..<i])
    }

    private mutating func keywordAhead(_ word: String) -> Bool {
        skipSpace()
        let save = i
        defer { i = save }
        guard let id = identifier() else { return false }
        return id.lowercased() == word
    }

    private mutating func stringLiteral() throws(PromQLError) -> String {
        skipSpace()
        guard i < chars.count, chars[i] == "\"" || chars[i] == "'" || chars[i] == "`" else {
            throw error("expected a string")
        }
        let quote = chars[i]
        let start = i
        i += 1
        var out = ""
        while i < chars.count && chars[i] != quote {
            if chars[i] == "\\" && quote != "`" {
                i += 1
                guard i < chars.count else { break }
                switch chars[i] {
                case "n": out += "\n"
                case "t": out += "\t"
                case "\\": out += "\\"
                case "\"": out += "\""
                case "'": out += "'"
                default: throw error("unknown escape '\\\(chars[i])'")
                }
            } else {
                out.append(chars[i])
            }
            i += 1
        }
        guard i < chars.count else { throw error("unterminated string", at: start) }
        i += 1
        return out
    }

    /// A duration: `1h30m`, `5m`, `15s`, `500ms`, `1d`, `1w`, `1y`, in milliseconds.
    private mutating func duration() throws(PromQLError) -> Int64 {
        skipSpace()
        let start = i
        var total: Int64 = 0
        var any = false
        while i < chars.count, chars[i].isASCII, chars[i].isNumber {
            var n: Int64 = 0
            while i < chars.count, let d = chars[i].wholeNumberValue, chars[i].isASCII {
                n = n &* 10 &+ Int64(d)
                i += 1
            }
            let unit: Int64
            if peek("ms") {
                unit = 1
                i += 2
            } else if i < chars.count,
                let u = [
                    "s": 1000, "m": 60_000, "h": 3_600_000, "d": 86_400_000, "w": 604_800_000, "y": 31_536_000_000
                ][String(chars[i])]
            {
                unit = Int64(u)
                i += 1
            } else {
                throw error("expected a duration unit (ms, s, m, h, d, w, y)")
            }
            total = total &+ n &* unit
            any = true
        }
        guard any else { throw error("expected a duration like 5m", at: start) }
        return total
    }

    private mutating func number() -> Double? {
        skipSpace()
        let start = i
        if keywordAhead("inf") {
            _ = identifier()
            return .infinity
        }
        if keywordAhead("nan") {
            _ = identifier()
            return .nan
        }
        if peek("0x") || peek("0X") {
            i += 2
            let h = i
            while i < chars.count, chars[i].isHexDigit { i += 1 }
            return UInt64(String(chars[h..<i]), radix: 16).map(Double.init)
        }
        while i < chars.count, chars[i].isASCII, chars[i].isNumber || chars[i] == "." { i += 1 }
        if i < chars.count, chars[i] == "e" || chars[i] == "E" {
            var j = i + 1
            if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
            if j < chars.count, chars[j].isNumber {
                i = j
                while i < chars.count, chars[i].isNumber { i += 1 }
            }
        }
        guard i > start, let v = Double(String(chars[start..<i])) else {
            i = start
            return nil
        }
        return v
    }

    // MARK: expressions

    private mutating func expression(_ minPrecedence: Int) throws(PromQLError) -> Expr {
        var lhs = try unary()
        while true {
            skipSpace()
            let at = i
            guard let op = try binaryOperator(),
                op.precedence > minPrecedence || (op == .pow && op.precedence >= minPrecedence)
            else {
                i = at
                return lhs
            }
            var matching = VectorMatching()
            if keywordAhead("bool") {
                _ = identifier()
                guard op.isComparison else { throw error("bool is only for comparison operators", at: at) }
                matching.returnBool = true
            }
            if keywordAhead("on") || keywordAhead("ignoring") {
                matching.on = identifier()!.lowercased() == "on"
                matching.labels = try labelList()
                if keywordAhead("group_left") || keywordAhead("group_right") {
                    matching.card = identifier()!.lowercased() == "group_left" ? .manyToOne : .oneToMany
                    skipSpace()
                    if peek("(") { matching.include = try labelList() }
                    if op.isSet { throw error("group modifiers are not for set operators", at: at) }
                }
            } else if keywordAhead("group_left") || keywordAhead("group_right") {
                throw error("group_left and group_right need on (…) or ignoring (…) first")
            }
            // ^ is right-associative; the others left.
            let rhs = try expression(op == .pow ? op.precedence - 1 : op.precedence)
            lhs = try binary(op, lhs, rhs, matching, at: at)
        }
    }

    private mutating func binaryOperator() throws(PromQLError) -> BinaryOperator? {
        skipSpace()
        for s in ["==", "!=", ">=", "<=", "+", "-", "*", "/", "%", "^", ">", "<"] where peek(s) {
            i += s.count
            return BinaryOperator(rawValue: s)
        }
        let save = i
        if let id = identifier() {
            switch id.lowercased() {
            case "and": return .and
            case "or": return .or
            case "unless": return .unless
            case "atan2": throw error("the operator atan2 is not in the subset Gamma evaluates", at: save)
            default: break
            }
        }
        i = save
        return nil
    }

    private func binary(_ op: BinaryOperator, _ a: Expr, _ b: Expr, _ m: VectorMatching, at: Int) throws(PromQLError)
        -> Expr
    {
        for side in [a, b] where side.type == .matrix || side.type == .string {
            throw error("binary \(op.rawValue) expects scalars or instant vectors, got a \(side.type.rawValue)", at: at)
        }
        if op.isSet && (a.type != .vector || b.type != .vector) {
            throw error("\(op.rawValue) is only between instant vectors", at: at)
        }
        if op.isComparison && a.type == .scalar && b.type == .scalar && !m.returnBool {
            throw error("comparisons between scalars must use bool", at: at)
        }
        if (!m.labels.isEmpty || m.on || m.card != .oneToOne) && (a.type != .vector || b.type != .vector) {
            throw error("vector matching is only between instant vectors", at: at)
        }
        return .binary(op, a, b, m)
    }

    private mutating func unary() throws(PromQLError) -> Expr {
        skipSpace()
        // Unary minus binds looser than ^ (-2 ^ 2 is -4) and tighter than the others.
        if eat("-") {
            let e = try expression(BinaryOperator.pow.precedence - 1)
            if case .number(let v) = e { return .number(-v) }
            return .negate(e)
        }
        if eat("+") { return try expression(BinaryOperator.pow.precedence - 1) }
        return try postfix(try primary())
    }

    /// A range `[5m]` and `offset 5m` after a selector; subqueries and `@` are refused.
    private mutating func postfix(_ e: Expr) throws(PromQLError) -> Expr {
        var e = e
        skipSpace()
        if peek("[") {
            let at = i
            i += 1
            let range = try duration()
            skipSpace()
            if peek(":") { throw error("subqueries ([range:step]) are not in the subset Gamma evaluates", at: at) }
            try expect("]", "']'")
            guard case .selector(let s) = e, s.offset == 0 else {
                throw error("a range [..] applies to a vector selector only", at: at)
            }
            e = .range(s, range: range)
        }
        skipSpace()
        if peek("@") { throw error("the @ modifier is not in the subset Gamma evaluates") }
        if keywordAhead("offset") {
            let at = i
            _ = identifier()
            skipSpace()
            let negative = eat("-")
            let d = try duration()
            switch e {
            case .selector(var s):
                s.offset = negative ? -d : d
                e = .selector(s)
            case .range(var s, let r):
                s.offset = negative ? -d : d
                e = .range(s, range: r)
            default: throw error("offset applies to a vector selector only", at: at)
            }
            skipSpace()
            if peek("@") { throw error("the @ modifier is not in the subset Gamma evaluates") }
        }
        return e
    }

    private mutating func primary() throws(PromQLError) -> Expr {
        skipSpace()
        guard i < chars.count else { throw error("unexpected end of expression") }
        let at = i
        if chars[i] == "(" {
            i += 1
            let e = try expression(0)
            try expect(")", "')'")
            return .paren(e)
        }
        if chars[i] == "\"" || chars[i] == "'" || chars[i] == "`" { return .string(try stringLiteral()) }
        if chars[i] == "{" { return .selector(try selector(name: nil, at: at)) }
        if chars[i].isNumber || chars[i] == "." || keywordAhead("inf") || keywordAhead("nan") {
            if let v = number() { return .number(v) }
        }
        guard let name = identifier() else { throw error("unexpected '\(chars[i])'") }
        skipSpace()
        let lower = name.lowercased()
        if let op = Aggregation.Op(rawValue: lower), peek("(") || keywordAhead("by") || keywordAhead("without") {
            return try aggregation(op, at: at)
        }
        if ["stddev", "stdvar", "count_values", "group", "limitk", "limit_ratio"].contains(lower),
            peek("(") || keywordAhead("by") || keywordAhead("without")
        {
            throw error("the aggregation '\(name)' is not in the subset Gamma evaluates", at: at)
        }
        if peek("(") {
            guard let f = Function(rawValue: name) else {
                throw error("the function '\(name)' is not in the subset Gamma evaluates", at: at)
            }
            return try call(f, at: at)
        }
        return .selector(try selector(name: name, at: at))
    }

    private mutating func call(_ f: Function, at: Int) throws(PromQLError) -> Expr {
        try expect("(", "'('")
        var args: [Expr] = []
        skipSpace()
        if !peek(")") {
            repeat { args.append(try expression(0)) } while eat(",")
        }
        try expect(")", "')' after the arguments of \(f.rawValue)")
        let want = f.arguments
        guard args.count <= want.count, args.count >= want.count - f.optional else {
            throw error(
                "\(f.rawValue) takes \(want.count) argument\(want.count == 1 ? "" : "s"), got \(args.count)", at: at)
        }
        for (k, (a, t)) in zip(args, want).enumerated() where a.type != t {
            throw error("argument \(k + 1) of \(f.rawValue) must be a \(t.rawValue), got a \(a.type.rawValue)", at: at)
        }
        return .call(f, args)
    }

    private mutating func labelList() throws(PromQLError) -> [String] {
        try expect("(", "'(' and a list of labels")
        var out: [String] = []
        skipSpace()
        if !peek(")") {
            repeat {
                guard let l = identifier(), !l.contains(":") else { throw error("expected a label name") }
                out.append(l)
            } while eat(",")
        }
        try expect(")", "')'")
        return out
    }

    private mutating func aggregation(_ op: Aggregation.Op, at: Int) throws(PromQLError) -> Expr {
        var grouping: [String] = []
        var without = false
        var modified = false
        if keywordAhead("by") || keywordAhead("without") {
            without = identifier()!.lowercased() == "without"
            grouping = try labelList()
            modified = true
        }
        try expect("(", "'(' after \(op.rawValue)")
        var parameter: Expr?
        if [.quantile, .topk, .bottomk].contains(op) {
            parameter = try expression(0)
            try expect(",", "',' after the parameter of \(op.rawValue)")
            guard parameter!.type == .scalar else {
                throw error("the parameter of \(op.rawValue) must be a scalar", at: at)
            }
        }
        let e = try expression(0)
        try expect(")", "')'")
        if keywordAhead("by") || keywordAhead("without") {
            guard !modified else { throw error("by or without is given twice", at: at) }
            without = identifier()!.lowercased() == "without"
            grouping = try labelList()
        }
        guard e.type == .vector else {
            throw error("\(op.rawValue) aggregates an instant vector, got a \(e.type.rawValue)", at: at)
        }
        return .aggregate(Aggregation(op: op, expr: e, parameter: parameter, grouping: grouping, without: without))
    }

    private mutating func selector(name: String?, at: Int) throws(PromQLError) -> VectorSelector {
        var matchers: [Matcher] = []
        if let name { matchers.append(try Matcher("__name__", .equal, name)) }
        skipSpace()
        if eat("{") {
            skipSpace()
            while !peek("}") {
                let mAt = i
                guard let label = identifier(), !label.contains(":") else { throw error("expected a label name") }
                skipSpace()
                let op: Matcher.Op
                if eat("=~") {
                    op = .matches
                } else if eat("!~") {
                    op = .notMatches
                } else if eat("!=") {
                    op = .notEqual
                } else if eat("=") {
                    op = .equal
                } else {
                    throw error("expected =, !=, =~ or !~")
                }
                let value = try stringLiteral()
                do {
                    matchers.append(try Matcher(label, op, value))
                } catch {
                    throw PromQLError(offset: mAt, error.message)
                }
                if !eat(",") { break }
                skipSpace()
            }
            try expect("}", "'}'")
        }
        guard matchers.contains(where: { !$0.matches("") }) else {
            throw error("a vector selector must have a name or a matcher that does not match the empty value", at: at)
        }
        return VectorSelector(matchers: matchers)
    }
}
