import GammaModel
public import GammaPromQL
import GammaReplay

extension PromBacktest.Result {
    /// The episodes as a table: each alert's labels, when it went pending, fired and resolved.
    public func table(formatTime: (Int64) -> String, scrapeInterval: Int64) -> String {
        let alerting = file.groups.flatMap(\.rules).compactMap { r -> String? in
            if case .alert(let a) = r { return a.name }
            return nil
        }
        let recording = file.groups.flatMap(\.rules).count - alerting.count
        var out = ""
        if let first = evaluations.first, let last = evaluations.last {
            out += "\(formatTime(first * 1_000_000)) to \(formatTime(last * 1_000_000)), "
        }
        out += "\(plural(evaluations.count, "evaluation")), \(plural(alerting.count, "alerting rule")), "
        out += "\(plural(recording, "recording rule")); \(plural(series.all.count, "series", "series")) scraped every "
        out += HumanText.duration(scrapeInterval * 1_000_000) + "\n\n"
        var table = TextTable(headers: ["ALERT", "LABELS", "PENDING", "FIRED", "RESOLVED", "FIRING"])
        for e in episodes {
            let labels = e.labels.pairs.filter { $0.name != "alertname" }.map { "\($0.name)=\($0.value)" }
            table.add([
                e.rule, labels.isEmpty ? "-" : labels.joined(separator: " "), formatTime(e.activeAt * 1_000_000),
                formatTime(e.firedAt * 1_000_000), e.resolvedAt.map { formatTime($0 * 1_000_000) } ?? "(still firing)",
                HumanText.duration(((e.resolvedAt ?? evaluations.last ?? e.firedAt) - e.firedAt) * 1_000_000)
            ])
        }
        if !episodes.isEmpty { out += table.render() + "\n" }
        let fired = Set(episodes.map(\.rule))
        let quiet = alerting.filter { !fired.contains($0) }
        if !quiet.isEmpty { out += "never firing: \(quiet.joined(separator: ", "))\n" }
        return out
    }

    /// The transitions as CSV: rule, labels, time, state, value.
    public func csv() -> String {
        var out = "alert,labels,at,state,value\r\n"
        func field(_ s: String) -> String {
            s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacing("\"", with: "\"\"") + "\"" : s
        }
        for t in transitions {
            let labels = t.alert.labels.pairs.filter { $0.name != "alertname" }.map { "\($0.name)=\($0.value)" }
            out +=
                [
                    field(t.alert.rule), field(labels.joined(separator: " ")), String(t.at * 1_000_000),
                    t.state.rawValue,
                    Template.goNumber(t.alert.value)
                ].joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// The result as JSON (schema `gamma.prombacktest.v1`), times in nanoseconds.
    public func json() -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.byte(UInt8(ascii: "{"))
        w.key("schema")
        w.string("gamma.prombacktest.v1")
        w.byte(0x2C)
        w.key("evaluations")
        w.int(Int64(evaluations.count))
        w.byte(0x2C)
        w.key("episodes")
        w.byte(UInt8(ascii: "["))
        for (i, e) in episodes.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.byte(UInt8(ascii: "{"))
            w.key("alert")
            w.string(e.rule)
            w.byte(0x2C)
            w.key("labels")
            w.byte(UInt8(ascii: "{"))
            for (k, p) in e.labels.pairs.enumerated() {
                if k > 0 { w.byte(0x2C) }
                w.key(p.name)
                w.string(p.value)
            }
            w.byte(UInt8(ascii: "}"))
            w.byte(0x2C)
            w.key("annotations")
            w.byte(UInt8(ascii: "{"))
            for (k, p) in e.annotations.sorted(by: { $0.key < $1.key }).enumerated() {
                if k > 0 { w.byte(0x2C) }
                w.key(p.key)
                w.string(p.value)
            }
            w.byte(UInt8(ascii: "}"))
            for (name, t) in [("active_at", e.activeAt), ("fired_at", e.firedAt)] {
                w.byte(0x2C)
                w.key(name)
                w.int(t * 1_000_000)
            }
            w.byte(0x2C)
            w.key("resolved_at")
            if let r = e.resolvedAt { w.int(r * 1_000_000) } else { w.raw("null") }
            w.byte(UInt8(ascii: "}"))
        }
        w.byte(UInt8(ascii: "]"))
        w.byte(UInt8(ascii: "}"))
        w.byte(UInt8(ascii: "\n"))
        return w.withBytes { Array($0) }
    }
}

extension PromBacktest {
    /// Scraped series as OpenMetrics text: a family of type unknown per name (the names are
    /// Prometheus' own: `_total`, `_bucket`, `_sum`, `_count`), every sample with its scrape
    /// time in seconds. Staleness markers have no OpenMetrics form and are left out.
    public static func openMetrics(_ series: [StoredSeries]) -> String {
        var out = ""
        var families: [String: [StoredSeries]] = [:]
        for s in series { families[s.labels.metricName, default: []].append(s) }
        for name in families.keys.sorted() {
            out += "# TYPE \(name) unknown\n"
            for s in families[name]!.sorted(by: { $0.labels < $1.labels }) {
                let labels = PromtoolTest.seriesText(s.labels).dropFirst(name.count)
                for (t, v) in zip(s.times, s.values) where !v.isStaleMarker {
                    let seconds = t % 1000 == 0 ? "\(t / 1000)" : "\(t / 1000).\(String(1000 + t % 1000).dropFirst())"
                    out += name + (labels == "{}" ? "" : labels) + " " + Template.goNumber(v) + " " + seconds + "\n"
                }
            }
        }
        return out + "# EOF\n"
    }
}
