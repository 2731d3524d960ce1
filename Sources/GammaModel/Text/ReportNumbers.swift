/// Number text shared by the report formats.
public enum ReportNumbers {
    /// The shortest text that reads back as `v` (finite), without a needless `.0`.
    public static func shortest(_ v: Double) -> String {
        if v == v.rounded(.towardZero) && abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }

    /// Nanoseconds since the epoch as decimal seconds, exact: `1795000000.001275413`.
    public static func seconds(_ ns: Int64) -> String {
        let negative = ns < 0
        let magnitude = ns.magnitude
        let whole = magnitude / 1_000_000_000, frac = magnitude % 1_000_000_000
        var text = (negative ? "-" : "") + String(whole)
        if frac != 0 {
            var digits = String(frac)
            digits = String(repeating: "0", count: 9 - digits.count) + digits
            while digits.hasSuffix("0") { digits.removeLast() }
            text += "." + digits
        }
        return text
    }

    /// At most 8 characters for a table cell: about four significant digits.
    public static func compact(_ v: Double?) -> String {
        guard let v else { return "-" }
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 9_999_999.5 || a < 0.0005 { return exponent(v) }
        if v == v.rounded() { return fixed(v, decimals: 0) }
        let magnitude = a.log10Floor()
        let decimals = max(0, min(3, 3 - magnitude))
        return fixed(v, decimals: decimals)
    }

    /// `v` with `decimals` digits after the point, trailing zeros kept to line up columns.
    public static func fixed(_ v: Double, decimals: Int) -> String {
        var p = 1.0
        for _ in 0..<decimals { p *= 10 }
        let scaled = (abs(v) * p).rounded()
        guard scaled < 9e18 else { return exponent(v) }
        let n = UInt64(scaled)
        var digits = String(n)
        if decimals > 0 {
            if digits.count <= decimals { digits = String(repeating: "0", count: decimals - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -decimals))
        }
        return (v < 0 && n != 0 ? "-" : "") + digits
    }

    /// Three significant digits and an exponent: `1.23e+07`.
    package static func exponent(_ v: Double) -> String {
        var e = 0
        var m = abs(v)
        while m >= 10 { m /= 10; e += 1 }
        while m < 1 { m *= 10; e -= 1 }
        var mantissa = fixed(m, decimals: 2)
        if mantissa == "10.00" { mantissa = "1.00"; e += 1 }
        return (v < 0 ? "-" : "") + mantissa + "e" + (e < 0 ? "-" : "+") + (abs(e) < 10 ? "0" : "") + String(abs(e))
    }
}

extension Double {
    /// ⌊log10 |x|⌋ for finite x ≠ 0, by comparison: enough for choosing decimals.
    package func log10Floor() -> Int {
        var a = abs(self)
        var e = 0
        while a >= 10 { a /= 10; e += 1 }
        while a < 1 { a *= 10; e -= 1 }
        return e
    }
}
