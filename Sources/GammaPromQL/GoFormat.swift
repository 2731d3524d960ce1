#if canImport(Glibc)
import Glibc
#endif

/// Numbers as Go's fmt prints them, for templates: `{{ $value }}` is `%v` (the shortest digits,
/// in e-notation from 10^6 or below 10^-4, as strconv's 'g' with precision −1, which switches at
/// an exponent of 6), and Prometheus' humanize functions use `%.4g`.
enum GoFormat {
    static func special(_ v: Double) -> String? {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return nil
    }

    /// `%v` of a float64.
    static func shortest(_ v: Double) -> String {
        if let s = special(v) { return s }
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        // Swift's description gives the shortest round-trip digits, as Go's; lay them out as Go.
        var digits = "", exponent = 0
        let text = "\(Swift.abs(v))"
        var mantissa = Substring(text)
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            mantissa = text[..<e]
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : ""
        digits = whole + fraction
        var point = whole.count + exponent  // digits before the decimal point
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            point -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let exp = point - 1
        let sign = v < 0 ? "-" : ""
        if exp < -4 || exp >= 6 {  // strconv's shortest 'g' switches at an exponent of 6: 1e+06
            var m = String(digits.first!)
            if digits.count > 1 { m += "." + digits.dropFirst() }
            return sign + m + "e" + (exp < 0 ? "-" : "+") + (Swift.abs(exp) < 10 ? "0" : "") + String(Swift.abs(exp))
        }
        if point <= 0 { return sign + "0." + String(repeating: "0", count: -point) + digits }
        if point >= digits.count { return sign + digits + String(repeating: "0", count: point - digits.count) }
        let i = digits.index(digits.startIndex, offsetBy: point)
        return sign + digits[..<i] + "." + digits[i...]
    }

    /// C's (and, for these verbs, Go's) formatting of one number.
    static func c(_ format: String, _ v: Double) -> String {
        if let s = special(v) { return s }
        var buffer = [CChar](repeating: 0, count: 512)
        _ = withVaList([v]) { vsnprintf(&buffer, buffer.count, format, $0) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// `%.<precision>g`.
    static func g(_ v: Double, precision: Int) -> String { c("%.\(precision)g", v) }

    /// Prometheus' `humanize`: SI prefixes and four significant digits.
    static func humanize(_ value: Double) -> String {
        var v = value
        if v == 0 || v.isNaN || v.isInfinite { return g(v, precision: 4) }
        var prefix = ""
        if Swift.abs(v) >= 1 {
            for p in ["k", "M", "G", "T", "P", "E", "Z", "Y"] {
                if Swift.abs(v) < 1000 { break }
                prefix = p
                v /= 1000
            }
        } else {
            for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
                if Swift.abs(v) >= 1 { break }
                prefix = p
                v *= 1000
            }
        }
        return g(v, precision: 4) + prefix
    }

    /// Prometheus' `humanizeDuration`: `1d 2h 3m 4s`, or four significant digits of seconds.
    static func humanizeDuration(_ value: Double) -> String {
        var v = value
        if v.isNaN || v.isInfinite { return g(v, precision: 4) }
        if v == 0 { return g(v, precision: 4) + "s" }
        if Swift.abs(v) >= 1 {
            var sign = ""
            if v < 0 {
                sign = "-"
                v = -v
            }
            let d = Int64(v)
            let seconds = d % 60, minutes = (d / 60) % 60, hours = (d / 3600) % 24, days = d / 86400
            if days != 0 { return "\(sign)\(days)d \(hours)h \(minutes)m \(seconds)s" }
            if hours != 0 { return "\(sign)\(hours)h \(minutes)m \(seconds)s" }
            if minutes != 0 { return "\(sign)\(minutes)m \(seconds)s" }
            return sign + g(v, precision: 4) + "s"
        }
        var prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if Swift.abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return g(v, precision: 4) + prefix + "s"
    }

    /// `printf`: the verbs %v, %s, %d, %f, %e, %g with flags, width and precision, and %%.
    static func printf(_ format: String, _ args: [Template.Datum], _ print: (Template.Datum) -> String) -> String {
        var out = ""
        var rest = Substring(format)
        var next = 0
        while let percent = rest.firstIndex(of: "%") {
            out += rest[..<percent]
            var spec = "%"
            var i = rest.index(after: percent)
            while i < rest.endIndex, "+-# 0123456789.".contains(rest[i]) {
                spec.append(rest[i])
                i = rest.index(after: i)
            }
            guard i < rest.endIndex else {
                out += spec
                rest = rest[i...]
                break
            }
            let verb = rest[i]
            rest = rest[rest.index(after: i)...]
            if verb == "%" {
                out += "%"
                continue
            }
            guard next < args.count else {
                out += "%!\(verb)(MISSING)"
                continue
            }
            let arg = args[next]
            next += 1
            switch (verb, arg) {
            case ("f", .number(let v)), ("e", .number(let v)), ("g", .number(let v)), ("F", .number(let v)),
                ("E", .number(let v)), ("G", .number(let v)):
                out += c(spec + String(verb), v)
            case ("d", .number(let v)) where v == v.rounded() && Swift.abs(v) < 9e18:
                out += c(spec + ".0f", v)
            case ("v", _), ("s", _): out += print(arg)
            default: out += "%!\(verb)(\(print(arg)))"
            }
        }
        out += rest
        return out
    }
}
