import Foundation
import GammaPromQL
import Testing

/// Test scripts in the format of Prometheus' own conformance files (promql/promqltest/testdata):
///
///     load 5m
///       http_requests{job="api", instance="0"}  0+10x10
///     eval instant at 50m sum by (job) (http_requests)
///       {job="api"} 100
///
/// `load INTERVAL` loads series at 0, INTERVAL, 2·INTERVAL…; values are numbers, `_` (none), `stale`
/// (a staleness marker), `a+bxn` (a, then n more, each b more), `a-bxn`, `_xn`. `eval instant at
/// TIME EXPR` evaluates and compares the result with the lines under it, as a set; a scalar
/// result is one line with a number. `eval_fail` expects a parse or evaluation error. `clear`
/// forgets the series. The expected values in this project's files are worked by hand.
struct PromQLScript {
    struct Failure: CustomStringConvertible {
        var line: Int
        var message: String
        var description: String { "line \(line): \(message)" }
    }

    static func run(_ text: String) -> [Failure] {
        var failures: [Failure] = []
        var store = MemorySeries()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        func indented(_ k: Int) -> Bool { k < lines.count && (lines[k].hasPrefix(" ") || lines[k].hasPrefix("\t")) }
        while i < lines.count {
            let line = lines[i].trimmingCharacters(in: .whitespaces)
            let number = i + 1
            i += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line == "clear" {
                store = MemorySeries()
            } else if line.hasPrefix("load ") {
                let interval = duration(String(line.dropFirst(5)))!
                while indented(i) {
                    let def = lines[i].trimmingCharacters(in: .whitespaces)
                    i += 1
                    guard let (labels, values) = seriesLine(def) else {
                        failures.append(Failure(line: i, message: "bad series line"))
                        continue
                    }
                    for (k, v) in values.enumerated() {
                        if let v { store.append(labels, Int64(k) * interval, v) }
                    }
                }
            } else if line.hasPrefix("eval instant at ") || line.hasPrefix("eval_fail instant at ") {
                let fail = line.hasPrefix("eval_fail")
                let rest = line[line.range(of: " at ")!.upperBound...]
                let parts = rest.split(separator: " ", maxSplits: 1)
                let at = duration(String(parts[0]))!
                let exprText = parts.count > 1 ? String(parts[1]) : ""
                var expected: [String] = []
                while indented(i) {
                    expected.append(lines[i].trimmingCharacters(in: .whitespaces))
                    i += 1
                }
                let result: Value
                do {
                    let e = try Parser.parse(exprText)
                    result = try Engine().evaluate(e, at: at, in: store)
                } catch {
                    if !fail { failures.append(Failure(line: number, message: "\(exprText): \(error)")) }
                    continue
                }
                if fail {
                    failures.append(Failure(line: number, message: "\(exprText): expected an error"))
                    continue
                }
                if let problem = compare(result, expected) {
                    failures.append(Failure(line: number, message: "\(exprText): \(problem)"))
                }
            } else {
                failures.append(Failure(line: number, message: "unknown command '\(line)'"))
            }
        }
        return failures
    }

    static func duration(_ s: String) -> Int64? {
        var total: Int64 = 0
        var n: Int64 = 0
        var chars = Array(s)[...]
        var any = false
        while let c = chars.first {
            if let d = c.wholeNumberValue {
                n = n * 10 + Int64(d)
                chars = chars.dropFirst()
                continue
            }
            var unit: Int64
            if chars.starts(with: ["m", "s"]) {
                unit = 1
                chars = chars.dropFirst(2)
            } else {
                switch c {
                case "s": unit = 1000
                case "m": unit = 60_000
                case "h": unit = 3_600_000
                case "d": unit = 86_400_000
                default: return nil
                }
                chars = chars.dropFirst()
            }
            total += n * unit
            n = 0
            any = true
            unit = 0
        }
        return any ? total : (n == 0 ? 0 : nil)
    }

    /// `name{a="x"} 0+10x10 _ stale 5`.
    static func seriesLine(_ def: String) -> (Labels, [Double?])? {
        guard let (labels, rest) = labelsPrefix(def) else { return nil }
        var values: [Double?] = []
        for token in rest.split(separator: " ") {
            let t = String(token)
            if t == "_" {
                values.append(nil)
            } else if t == "stale" {
                values.append(staleMarker)
            } else if t.hasPrefix("_x"), let n = Int(t.dropFirst(2)) {
                values += Array(repeating: nil, count: n)
            } else if let x = t.firstIndex(of: "x"), let n = Int(t[t.index(after: x)...]) {
                let head = String(t[..<x])
                // a+b or a-b (a may be negative itself).
                let sep = head.dropFirst().lastIndex { $0 == "+" || $0 == "-" }!
                guard let a = Double(head[..<sep]), let b = Double(head[head.index(after: sep)...]) else { return nil }
                let step = head[sep] == "-" ? -b : b
                for k in 0...n { values.append(a + Double(k) * step) }
            } else if let v = Double(t) {
                values.append(v)
            } else if t == "Inf" || t == "+Inf" {
                values.append(.infinity)
            } else if t == "-Inf" {
                values.append(-.infinity)
            } else if t == "NaN" {
                values.append(.nan)
            } else {
                return nil
            }
        }
        return (labels, values)
    }

    /// The labels at the start of a line (`name{a="x", b="y"}` or `{…}`), and the rest.
    static func labelsPrefix(_ s: String) -> (Labels, String)? {
        var pairs: [(String, String)] = []
        var chars = Array(s)
        var k = 0
        var name = ""
        while k < chars.count, chars[k] != "{", chars[k] != " " {
            name.append(chars[k])
            k += 1
        }
        if !name.isEmpty { pairs.append(("__name__", name)) }
        if k < chars.count, chars[k] == "{" {
            k += 1
            while k < chars.count, chars[k] != "}" {
                while k < chars.count, chars[k] == " " || chars[k] == "," { k += 1 }
                if chars[k] == "}" { break }
                var label = ""
                while chars[k] != "=" {
                    label.append(chars[k])
                    k += 1
                }
                k += 2  // ="
                var value = ""
                while chars[k] != "\"" {
                    if chars[k] == "\\" { k += 1 }
                    value.append(chars[k])
                    k += 1
                }
                k += 1
                pairs.append((label.trimmingCharacters(in: .whitespaces), value))
            }
            k += 1
        }
        chars = Array(chars[Swift.min(k, chars.count)...])
        return (Labels(pairs), String(chars).trimmingCharacters(in: .whitespaces))
    }

    static func compare(_ result: Value, _ expected: [String]) -> String? {
        func close(_ a: Double, _ b: Double) -> Bool {
            if a.isNaN || b.isNaN { return a.isNaN && b.isNaN }
            if a.isInfinite || b.isInfinite { return a == b }
            return Swift.abs(a - b) <= 1e-9 * Swift.max(1, Swift.abs(b))
        }
        switch result {
        case .scalar(let v):
            guard expected.count == 1,
                let e = Double(expected[0].replacingOccurrences(of: "Inf", with: "inf"))
                    ?? (expected[0] == "NaN" ? .nan : nil)
            else { return "got the scalar \(v), expected \(expected)" }
            return close(v, e) ? nil : "got \(v), expected \(e)"
        case .vector(let samples):
            var want: [Labels: Double] = [:]
            for line in expected {
                guard let (labels, rest) = labelsPrefix(line),
                    let v = Double(rest.replacingOccurrences(of: "Inf", with: "inf")) ?? (rest == "NaN" ? .nan : nil)
                else { return "bad expected line '\(line)'" }
                want[labels] = v
            }
            var got: [Labels: Double] = [:]
            for s in samples {
                if got[s.labels] != nil { return "the result has \(s.labels) twice" }
                got[s.labels] = s.value
            }
            if Set(got.keys) != Set(want.keys) {
                return "got \(samples.map { "\($0.labels) \($0.value)" }.sorted()), expected \(expected.sorted())"
            }
            for (l, v) in want where !close(got[l]!, v) { return "\(l): got \(got[l]!), expected \(v)" }
            return nil
        default:
            return "not a scalar or an instant vector"
        }
    }
}
