#if canImport(Glibc)
import Glibc
#endif

/// Evaluates arithmetic expressions for the `calculator` tool: numbers (with decimals and
/// exponents), `+ - * / %`, `^` (right-associative), unary minus, parentheses, the constants
/// `pi` and `e`, and the functions `sqrt abs exp ln log10 sin cos tan floor ceil round` (one
/// argument) and `min max` (two or more). A recursive-descent parser with a depth limit; an error
/// names the character position and the reason.
public enum Calculator {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// Position in the expression, in characters from 0.
        public var position: Int
        public var reason: String
        public var description: String { "at character \(position): \(reason)" }
    }

    static let maxDepth = 64
    static let maxLength = 1000

    public static func evaluate(_ expression: String) throws(Failure) -> Double {
        let chars = Array(expression)
        guard chars.count <= maxLength else {
            throw Failure(position: maxLength, reason: "expression longer than \(maxLength) characters")
        }
        var p = Parser(chars: chars)
        let v = try p.expression(depth: 0)
        p.skipSpaces()
        guard p.i == chars.count else { throw Failure(position: p.i, reason: "unexpected '\(chars[p.i])'") }
        guard v.isFinite else {
            throw Failure(position: 0, reason: v.isNaN ? "the result is not a number" : "the result is infinite")
        }
        return v
    }

    struct Parser {
        let chars: [Character]
        var i = 0

        mutating func skipSpaces() { while i < chars.count && chars[i].isWhitespace { i += 1 } }

        func fail(_ reason: String, at: Int? = nil) -> Failure { Failure(position: at ?? i, reason: reason) }

        // expression := term (('+' | '-') term)*
        mutating func expression(depth: Int) throws(Failure) -> Double {
            guard depth < Calculator.maxDepth else { throw fail("nested deeper than \(Calculator.maxDepth) levels") }
            var v = try term(depth: depth)
            while true {
                skipSpaces()
                guard i < chars.count, chars[i] == "+" || chars[i] == "-" else { return v }
                let op = chars[i]
                i += 1
                let r = try term(depth: depth)
                v = op == "+" ? v + r : v - r
            }
        }

        // term := power (('*' | '/' | '%') power)*
        mutating func term(depth: Int) throws(Failure) -> Double {
            var v = try power(depth: depth)
            while true {
                skipSpaces()
                guard i < chars.count, "*/%".contains(chars[i]) else { return v }
                let op = chars[i], at = i
                i += 1
                let r = try power(depth: depth)
                switch op {
                case "*": v *= r
                case "/":
                    guard r != 0 else { throw fail("division by zero", at: at) }
                    v /= r
                default:
                    guard r != 0 else { throw fail("remainder of a division by zero", at: at) }
                    v = fmod(v, r)
                }
            }
        }

        // power := unary ('^' power)?
        mutating func power(depth: Int) throws(Failure) -> Double {
            let base = try unary(depth: depth)
            skipSpaces()
            guard i < chars.count, chars[i] == "^" else { return base }
            i += 1
            return pow(base, try power(depth: depth + 1))
        }

        // unary := '-' unary | '+' unary | primary
        mutating func unary(depth: Int) throws(Failure) -> Double {
            skipSpaces()
            guard depth < Calculator.maxDepth else { throw fail("nested deeper than \(Calculator.maxDepth) levels") }
            if i < chars.count && chars[i] == "-" { i += 1; return -(try unary(depth: depth + 1)) }
            if i < chars.count && chars[i] == "+" { i += 1; return try unary(depth: depth + 1) }
            return try primary(depth: depth)
        }

        mutating func primary(depth: Int) throws(Failure) -> Double {
            skipSpaces()
            guard i < chars.count else { throw fail("the expression ends where a number was expected") }
            let c = chars[i]
            if c == "(" {
                i += 1
                let v = try expression(depth: depth + 1)
                skipSpaces()
                guard i < chars.count, chars[i] == ")" else { throw fail("missing ')'") }
                i += 1
                return v
            }
            if c.isNumber || c == "." { return try number() }
            if c.isLetter {
                let start = i
                while i < chars.count && (chars[i].isLetter || chars[i].isNumber) { i += 1 }
                let name = String(chars[start..<i]).lowercased()
                switch name {
                case "pi": return Double.pi
                case "e": return M_E
                default: break
                }
                skipSpaces()
                guard i < chars.count, chars[i] == "(" else { throw fail("unknown name '\(name)'", at: start) }
                i += 1
                var args = [try expression(depth: depth + 1)]
                skipSpaces()
                while i < chars.count && chars[i] == "," {
                    i += 1
                    args.append(try expression(depth: depth + 1))
                    skipSpaces()
                }
                guard i < chars.count, chars[i] == ")" else { throw fail("missing ')' after the arguments of \(name)") }
                i += 1
                return try call(name, args, at: start)
            }
            throw fail("unexpected '\(c)'")
        }

        func call(_ name: String, _ args: [Double], at: Int) throws(Failure) -> Double {
            if name == "min" || name == "max" {
                guard args.count >= 2 else { throw fail("\(name) takes two or more arguments", at: at) }
                return name == "min" ? args.min()! : args.max()!
            }
            guard args.count == 1 else { throw fail("\(name) takes one argument", at: at) }
            let x = args[0]
            switch name {
            case "sqrt":
                guard x >= 0 else { throw fail("square root of a negative number", at: at) }
                return x.squareRoot()
            case "abs": return abs(x)
            case "exp": return exp(x)
            case "ln", "log":
                guard x > 0 else { throw fail("logarithm of a number that is not positive", at: at) }
                return log(x)
            case "log10":
                guard x > 0 else { throw fail("logarithm of a number that is not positive", at: at) }
                return log10(x)
            case "sin": return sin(x)
            case "cos": return cos(x)
            case "tan": return tan(x)
            case "floor": return x.rounded(.down)
            case "ceil": return x.rounded(.up)
            case "round": return x.rounded(.toNearestOrAwayFromZero)
            default: throw fail("unknown function '\(name)'", at: at)
            }
        }

        mutating func number() throws(Failure) -> Double {
            let start = i
            while i < chars.count && (chars[i].isNumber || chars[i] == ".") { i += 1 }
            if i < chars.count && (chars[i] == "e" || chars[i] == "E") {
                var j = i + 1
                if j < chars.count && (chars[j] == "+" || chars[j] == "-") { j += 1 }
                if j < chars.count && chars[j].isNumber {
                    i = j
                    while i < chars.count && chars[i].isNumber { i += 1 }
                }
            }
            let text = String(chars[start..<i])
            guard text.filter({ $0 == "." }).count <= 1, text.allSatisfy(\.isASCII), let v = Double(text) else {
                throw fail("'\(text)' is not a number", at: start)
            }
            return v
        }
    }
}
