/// The one formatter of what people read: numbers, durations, rates and sizes in tables, text
/// trees, console lines and the HTML report. Machine formats (JSON, CSV, Prometheus,
/// OpenMetrics, OTLP) do not use it: they keep full precision.
///
/// - Durations: three significant digits below a minute (`850ns`, `12.5µs`, `3.20ms`, `19.7s`),
///   then two whole units, the smaller cut (`2m05s`, `1h02m`, `23h59m`, `2d03h`); a whole
///   number of a unit as people write intervals (`15s`, `500ms`, `5m`, `2d`).
/// - Rates: three significant digits in the unit that suits them (`5.20/s`, `6.60/min`,
///   `0.750/h`).
/// - Sizes: SI units, one decimal (`950 B`, `12.3 kB`, `2.6 MB`).
/// - Numbers shown together (a column, a metric's row) share their decimals, chosen from their
///   values by ``decimals(for:)``; e-notation only beyond ordinary magnitudes.
public enum HumanText {
    /// A duration in nanoseconds.
    public static func duration(_ ns: Int64) -> String {
        if ns < 0 { return "-" + duration(ns == .min ? .max : -ns) }
        let d = Double(ns)
        if ns < 1_000 { return "\(ns)ns" }
        // A whole number of its unit is written as one (15s, 500ms, 5m, 1h), as people write
        // intervals and windows; others get three significant digits (19.7s, 3.20ms).
        func unit(_ per: Int64, _ name: String) -> String {
            ns % per == 0 ? "\(ns / per)\(name)" : significant(d / Double(per)) + name
        }
        if ns < 999_500 { return unit(1_000, "µs") }
        if ns < 999_500_000 { return unit(1_000_000, "ms") }
        if ns < 60_000_000_000 { return unit(1_000_000_000, "s") }
        // From a minute on, two whole units, the smaller one cut (not rounded): 23h59m, not 1d00h.
        let s = ns / 1_000_000_000
        func two(_ big: Int64, _ bigName: String, _ small: Int64, _ smallName: String) -> String {
            small == 0 ? "\(big)\(bigName)" : "\(big)\(bigName)" + (small < 10 ? "0" : "") + "\(small)\(smallName)"
        }
        if s < 3_600 { return two(s / 60, "m", s % 60, "s") }
        if s < 86_400 { return two(s / 3_600, "h", s % 3_600 / 60, "m") }
        return two(s / 86_400, "d", s % 86_400 / 3_600, "h")
    }

    /// A duration in seconds.
    public static func duration(seconds: Double) -> String {
        guard seconds.isFinite else { return seconds.isNaN ? "NaN" : seconds > 0 ? "+Inf" : "-Inf" }
        return duration(Int64(clamping: Int64(exactly: (seconds * 1e9).rounded()) ?? (seconds > 0 ? .max : .min)))
    }

    /// An event rate, given per second.
    public static func rate(_ perSecond: Double?) -> String {
        guard let r = perSecond else { return "-" }
        guard r.isFinite else { return r.isNaN ? "NaN" : r > 0 ? "+Inf" : "-Inf" }
        let a = abs(r)
        if a == 0 { return "0/s" }
        if a >= 1 { return significant(r) + "/s" }
        if a * 60 >= 1 { return significant(r * 60) + "/min" }
        return significant(r * 3600) + "/h"
    }

    /// A size in bytes, in SI units.
    public static func bytes(_ n: Int64) -> String {
        let units = ["B", "kB", "MB", "GB", "TB", "PB"]
        var value = Double(n.magnitude)
        var unit = 0
        while value >= 999.95 && unit < units.count - 1 {
            value /= 1000
            unit += 1
        }
        let sign = n < 0 ? "-" : ""
        if unit == 0 { return "\(sign)\(n.magnitude) B" }
        return sign + ReportNumbers.fixed(value, decimals: 1) + " " + units[unit]
    }

    /// The decimals that values shown together share: none when all are whole, else enough for
    /// three significant digits at the smallest non-zero magnitude, at most 6.
    public static func decimals<S: Sequence>(for values: S) -> Int where S.Element == Double? {
        var smallest = Double.infinity
        var whole = true
        for case let v? in values where v.isFinite && v != 0 {
            if v != v.rounded() { whole = false }
            smallest = min(smallest, abs(v))
        }
        if whole || smallest == .infinity { return 0 }
        return max(0, min(6, 2 - smallest.log10Floor()))
    }

    /// ``decimals(for:)`` of values that are all present.
    public static func decimals<S: Sequence>(for values: S) -> Int where S.Element == Double {
        decimals(for: values.lazy.map { Optional($0) })
    }

    /// `v` with `decimals` digits after the point (trailing zeros kept, so columns line up), or
    /// in e-notation beyond ordinary magnitudes (at or over 10^12, or under 10^-6 and not zero).
    public static func number(_ v: Double?, decimals: Int) -> String {
        guard let v else { return "-" }
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        let a = abs(v)
        if a >= 1e12 || (a != 0 && a < 1e-6) { return ReportNumbers.exponent(v) }
        return ReportNumbers.fixed(v, decimals: decimals)
    }

    /// A number shown on its own: whole numbers whole, others to three significant digits.
    public static func number(_ v: Double?) -> String {
        guard let v else { return "-" }
        return number(v, decimals: decimals(for: [v]))
    }

    /// A share as a percentage: `12.4%`.
    public static func percent(_ fraction: Double) -> String {
        number(fraction * 100, decimals: 1) + "%"
    }

    /// Three significant digits, at least; whole numbers of three digits or more as they are.
    static func significant(_ v: Double) -> String {
        let a = abs(v)
        if a >= 999.5 || a == 0 { return ReportNumbers.fixed(v, decimals: 0) }
        var decimals = max(0, 2 - a.log10Floor())
        // Rounding can carry into another digit (9.996 → 10.00): one decimal fewer then.
        if a.log10Floor() < (a * pow10(decimals)).rounded().log10Floor() - decimals { decimals = max(0, decimals - 1) }
        return ReportNumbers.fixed(v, decimals: decimals)
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { r, _ in r * 10 } }
}
