/// How a Gamma metric is named and scaled in the Prometheus and OpenMetrics formats.
///
/// - Names: every character outside `[a-zA-Z0-9_:]` becomes `_` (dots included), and a name
///   starting with a digit gets a leading `_`. Counters end in `_total` (added when missing).
/// - Units become base units, as Prometheus asks: a metric in milliseconds (its meta record's
///   unit, or the name's last word: `ms`, `us`, `ns`, `kb`, `mb`, `gb`, …) is exposed in seconds
///   or bytes, values (and `--buckets` bounds) scaled, the unit word in the name replaced:
///   `llm.latency_ms` becomes `llm_latency_seconds`.
/// - Label names: characters outside `[a-zA-Z0-9_]` become `_`; a label named `le` (histograms),
///   `quantile` (summaries), or starting with `__` is exposed as `exported_<name>`.
public struct ExposedName: Equatable, Sendable {
    /// The family name: without `_total` for counters.
    public var family: String
    /// The unit word the name ends with, if any (`seconds`, `bytes`, `percent`, …).
    public var unit: String?
    /// Multiplies every value into the exposed unit (1 when there is no conversion).
    public var scale: Double
    /// Divides instead, for the time units: 78.04 / 1000 is 0.07804, where 78.04 × 0.001 is not.
    var divisor: Double?

    /// `v` in the exposed unit.
    public func value(_ v: Double) -> Double { divisor.map { v / $0 } ?? v * scale }

    static let conversions: [(words: [String], base: String, scale: Double)] = [
        (["ms", "millisecond", "milliseconds"], "seconds", 1e-3),
        (["us", "microsecond", "microseconds"], "seconds", 1e-6),
        (["ns", "nanosecond", "nanoseconds"], "seconds", 1e-9),
        (["s", "sec", "second", "seconds"], "seconds", 1),
        (["kb", "kib", "kilobytes"], "bytes", 1024),
        (["mb", "mib", "megabytes"], "bytes", 1_048_576),
        (["gb", "gib", "gigabytes"], "bytes", 1_073_741_824),
        (["b", "byte", "bytes"], "bytes", 1)
    ]

    public init(name: String, kind: MetricKind, unit: String?) {
        var base = Self.sanitize(name, allowColon: true)
        if kind == .counter && base.hasSuffix("_total") { base.removeLast(6) }
        var words = base.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        let declared = unit?.lowercased()
        let last = words.last?.lowercased()
        var exposedUnit: String?
        scale = 1
        // A unit word in the name counts only when no unit is declared, and only at two letters or more.
        let nameUnit = last.flatMap { $0.count >= 2 && words.count > 1 ? $0 : nil }
        if let conversion = Self.conversions.first(where: { c in
            declared.map(c.words.contains) ?? (nameUnit.map(c.words.contains) ?? false)
        }) {
            scale = conversion.scale
            if conversion.scale < 1 { divisor = (1 / conversion.scale).rounded() }
            exposedUnit = conversion.base
            if let last, conversion.words.contains(last), words.count > 1 { words.removeLast() }
            if words.last != conversion.base { words.append(conversion.base) }
        } else if let declared, !declared.isEmpty, last == Self.sanitize(declared, allowColon: false).lowercased() {
            exposedUnit = words.last
        }
        family = words.joined(separator: "_")
        self.unit = exposedUnit
    }

    /// `name` with every character outside the allowed set replaced by `_`.
    public static func sanitize(_ name: String, allowColon: Bool) -> String {
        var out = ""
        for scalar in name.unicodeScalars {
            let c = scalar.value
            let ok =
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
                || (allowColon && c == 0x3A)
            out.unicodeScalars.append(ok ? scalar : "_")
        }
        if out.isEmpty || out.first!.isNumber { out = "_" + out }
        return out
    }

    /// A label name as exposed, given the label names the format reserves for this family.
    public static func labelName(_ name: String, reserved: Set<String>) -> String {
        let s = sanitize(name, allowColon: false)
        return reserved.contains(s) || s.hasPrefix("__") ? "exported_" + s : s
    }
}
