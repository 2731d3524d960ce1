import GammaModel

/// Writes a report in the Prometheus text format (0.0.4) or in OpenMetrics 1.0.
///
/// Counters expose their total, gauges their last value, histograms a summary (quantiles, `_sum`,
/// `_count`) or, with bucket bounds, a histogram (`_bucket{le}` with `+Inf`, `_sum`, `_count`).
/// Names and units follow ``ExposedName``. HELP comes from the meta record (a generic line when
/// there is none), TYPE from the kind; families and series are sorted, so the same report gives
/// the same bytes.
///
/// OpenMetrics adds `# UNIT` where the name ends in its unit, and `# EOF`. With a step, each
/// series has one point per window, stamped with the window's last observation; counters,
/// `_sum`, `_count` and buckets are then cumulative from the first window, as a counter is.
/// The Prometheus text format holds one point per series, so a step needs OpenMetrics.
///
/// Data that would make the output invalid is refused with ``ReplayError/conflict(_:)``, never
/// written: two metrics exposed under one name, a metric whose samples take another's name,
/// labels that become the same name, a counter whose total is negative.
public struct PrometheusExporter: Sendable {
    public enum Dialect: Sendable { case prometheus, openMetrics }

    public var dialect: Dialect
    /// Stamp each sample with its series' last observation (always, with a step).
    public var timestamps: Bool

    public init(dialect: Dialect, timestamps: Bool = false) {
        self.dialect = dialect
        self.timestamps = timestamps
    }

    struct Family {
        var exposed: ExposedName
        var type: String
        var source: (name: String, kind: MetricKind)
        var help: String
        var series: [MetricReport.Series] = []
        var sampleNames: [String]
    }

    public func render(_ report: MetricReport) throws(ReplayError) -> String {
        let stepped = report.query.step != nil
        if stepped && dialect == .prometheus {
            throw .usage("the Prometheus text format holds one point per series: use --format openmetrics with --step")
        }
        let families = try self.families(report)
        var out = ""
        out.reserveCapacity(families.count * 256)
        let stamp = timestamps || stepped
        for f in families {
            let typeName =
                dialect == .prometheus && f.type == "counter" ? f.exposed.family + "_total" : f.exposed.family
            out += "# HELP \(typeName) \(escapeHelp(f.help))\n"
            out += "# TYPE \(typeName) \(f.type)\n"
            if dialect == .openMetrics, let unit = f.exposed.unit { out += "# UNIT \(typeName) \(unit)\n" }
            let reserved: Set<String> = f.type == "summary" ? ["quantile"] : f.type == "histogram" ? ["le"] : []
            for s in f.series {
                let labels = s.key.labels.map {
                    (ExposedName.labelName($0.name, reserved: reserved), escapeLabel($0.value))
                }
                let points = stepped ? s.windows.map(\.figures) : [s.figures]
                var running = (total: CompensatedSum(), count: 0, sum: CompensatedSum(), buckets: [Int]())
                for p in points {
                    let ts = stamp ? " " + timestamp(p.lastTS) : ""
                    func line(_ suffix: String, _ extra: (String, String)?, _ value: String) {
                        var all = labels
                        if let extra { all.append(extra) }
                        let labelText =
                            all.isEmpty ? "" : "{" + all.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
                        out += f.exposed.family + suffix + labelText + " " + value + ts + "\n"
                    }
                    let scale = f.exposed.value
                    switch f.type {
                    case "counter":
                        running.total.add(p.total ?? 0)
                        line("_total", nil, number(scale(stepped ? running.total.value : p.total ?? 0)))
                    case "gauge":
                        line("", nil, number(scale(p.last ?? .nan)))
                    case "summary":
                        for (q, v) in zip(report.query.quantiles, p.quantiles) {
                            line("", ("quantile", number(q)), number(scale(v ?? .nan)))
                        }
                        running.count += p.count
                        running.sum.add(p.sum ?? 0)
                        let sum = stepped ? running.sum.value : p.sum ?? 0
                        if !(dialect == .openMetrics && sum.isNaN) { line("_sum", nil, number(scale(sum))) }
                        line("_count", nil, String(stepped ? running.count : p.count))
                    default:  // histogram
                        let bounds = report.query.buckets ?? []
                        let counts = p.buckets ?? bounds.map { _ in 0 }
                        if running.buckets.isEmpty { running.buckets = counts.map { _ in 0 } }
                        for (k, (b, c)) in zip(bounds, counts).enumerated() {
                            running.buckets[k] += c
                            line("_bucket", ("le", number(scale(b))), String(stepped ? running.buckets[k] : c))
                        }
                        running.count += p.count
                        line("_bucket", ("le", "+Inf"), String(stepped ? running.count : p.count))
                        running.sum.add(p.sum ?? 0)
                        let sum = stepped ? running.sum.value : p.sum ?? 0
                        // OpenMetrics: no _sum when observations can be negative (or the sum is NaN).
                        if !(dialect == .openMetrics && (sum.isNaN || (p.min ?? 0) < 0)) {
                            line("_sum", nil, number(scale(sum)))
                        }
                        line("_count", nil, String(stepped ? running.count : p.count))
                    }
                }
            }
        }
        if dialect == .openMetrics { out += "# EOF\n" }
        return out
    }

    /// The families, sorted by name, after every check that keeps the output valid.
    func families(_ report: MetricReport) throws(ReplayError) -> [Family] {
        // Families in an array, found by name through an index: each series is appended in place
        // (a family copied out of a dictionary and back would copy its series every time).
        var families: [Family] = []
        var byName: [String: Int] = [:]
        let histogram = report.query.buckets == nil ? "summary" : "histogram"
        for s in report.series {
            let exposed = ExposedName(name: s.key.name, kind: s.key.kind, unit: s.unit)
            let type = s.key.kind == .counter ? "counter" : s.key.kind == .gauge ? "gauge" : histogram
            if let i = byName[exposed.family] {
                let source = families[i].source
                guard source.name == s.key.name && source.kind == s.key.kind else {
                    throw .conflict(
                        "metrics '\(source.name)' (\(source.kind)) and '\(s.key.name)' (\(s.key.kind)) are both exposed as '\(exposed.family)'; leave one out with --exclude"
                    )
                }
                families[i].series.append(s)
            } else {
                let samples: [String]
                switch type {
                case "counter": samples = [exposed.family + "_total"]
                case "gauge": samples = [exposed.family]
                case "summary": samples = [exposed.family, exposed.family + "_sum", exposed.family + "_count"]
                default: samples = [exposed.family + "_bucket", exposed.family + "_sum", exposed.family + "_count"]
                }
                let help =
                    s.help ?? "\(s.key.name): a \(s.key.kind) recorded by Gamma"
                    + (exposed.scale != 1 ? ", in \(exposed.unit ?? "base units")" : "")
                byName[exposed.family] = families.count
                families.append(
                    Family(
                        exposed: exposed, type: type, source: (s.key.name, s.key.kind), help: help,
                        series: [s], sampleNames: samples))
            }
            if s.key.kind == .counter, let total = s.figures.total, total < 0 {
                throw .conflict(
                    "counter '\(s.key.name)\(s.key.labelText)' sums to \(total): a counter cannot go down; leave it out with --exclude"
                )
            }
            var seen: Set<String> = []
            for l in s.key.labels where !seen.insert(ExposedName.labelName(l.name, reserved: [])).inserted {
                throw .conflict(
                    "series '\(s.key.name)\(s.key.labelText)' has labels that are all exposed as '\(ExposedName.labelName(l.name, reserved: []))'"
                )
            }
        }
        // A family's samples must not take another family's names.
        families.sort { $0.exposed.family < $1.exposed.family }
        var owner: [String: String] = [:]
        for f in families {
            for sample in f.sampleNames {
                if let other = owner[sample] {
                    throw .conflict(
                        "metrics '\(other)' and '\(f.source.name)' both expose samples named '\(sample)'; leave one out with --exclude"
                    )
                }
                owner[sample] = f.source.name
            }
        }
        return families
    }

    func timestamp(_ ns: Int64) -> String {
        switch dialect {
        case .prometheus:
            let ms = ns >= 0 ? ns / 1_000_000 : (ns + 1) / 1_000_000 - 1
            return String(ms)
        case .openMetrics:
            return ReportNumbers.seconds(ns)
        }
    }

    func number(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        return ReportNumbers.shortest(v)
    }

    /// HELP text: backslashes and line breaks escaped, and in OpenMetrics quotes too.
    func escapeHelp(_ s: String) -> String { Self.escape(s, quotes: dialect == .openMetrics) }

    /// A label value: backslashes, quotes and line breaks escaped.
    func escapeLabel(_ s: String) -> String { Self.escape(s, quotes: true) }

    static func escape(_ s: String, quotes: Bool) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\"" where quotes: out += "\\\""
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
