import GammaRules
public import GammaModel
import GammaReplay

extension Backtest.GroupResult {
    /// `label=value,…` of the group, or `-` for a rule without groups or labels.
    public var groupText: String {
        group.isEmpty ? "-" : group.map { "\($0.name)=\(TableReportExporter.visible($0.value))" }.joined(separator: ",")
    }
}

/// The backtest as text: a line per rule and group, then every episode, then (with
/// `timeline`) a row of phases per group over the whole range.
public struct BacktestTableExporter: Sendable {
    public var formatTime: @Sendable (Int64) -> String
    public var timelineWidth: Int?

    public init(
        formatTime: @escaping @Sendable (Int64) -> String = { TimeParser.format($0) }, timelineWidth: Int? = nil
    ) {
        self.formatTime = formatTime
        self.timelineWidth = timelineWidth
    }

    public func render(_ r: Backtest.Result, interval: Int64) -> String {
        var out: String
        if let start = r.start, let end = r.end {
            out = "\(formatTime(start)) to \(formatTime(end)), "
        } else {
            out = "no records, "
        }
        out += "\(plural(r.evaluations, "evaluation")) every \(HumanText.duration(interval)), "
        out += "\(plural(r.rules.count, "rule")), \(plural(r.samples, "sample"))\n\n"
        let fired = r.groups.filter { !$0.episodes.isEmpty || $0.pendingTime > 0 }
        let quiet = r.rules.filter { rule in !fired.contains { $0.rule == rule.name } }.map(\.name)
        var rows = TextTable(headers: [
            "RULE", "SEVERITY", "GROUP", "EPISODES", "NOTIFIED", "FIRST FIRE", "PENDING", "FIRING"
        ])
        for g in fired {
            rows.add([
                g.rule, g.severity.rawValue, g.groupText, String(g.episodes.count), String(g.notifications),
                g.firstFire.map(formatTime) ?? "-", HumanText.duration(g.pendingTime),
                HumanText.duration(g.firingTime)
            ])
        }
        out += rows.render() + "\n"
        if !quiet.isEmpty { out += "never pending or firing: \(quiet.joined(separator: ", "))\n" }
        let episodes = fired.flatMap { g in g.episodes.map { (g, $0) } }
        if !episodes.isEmpty {
            out += "\nEPISODES\n"
            var rows = TextTable(headers: ["RULE", "GROUP", "START", "END", "DURATION", "PEAK", "NOTIFIED"])
            for (g, e) in episodes {
                rows.add([
                    g.rule, g.groupText, formatTime(e.start), e.end.map(formatTime) ?? "still firing",
                    HumanText.duration((e.end ?? r.end ?? e.start) - e.start),
                    e.peak.map { HumanText.number($0) } ?? "-",
                    e.notified ? "yes" : "no (cooldown)"
                ])
            }
            out += rows.render() + "\n"
        }
        if let width = timelineWidth, !fired.isEmpty, let start = r.start, let end = r.end {
            out += "\n" + timeline(fired, start: start, end: end, width: width)
        }
        return out
    }

    /// One character per slice of the range: `#` firing at some evaluation of the slice, else
    /// `-` pending, else `.`.
    func timeline(_ groups: [Backtest.GroupResult], start: Int64, end: Int64, width: Int) -> String {
        let labels = groups.map { "\($0.rule) \($0.groupText == "-" ? "" : $0.groupText)" }
        let labelWidth = min(40, labels.map(\.count).max() ?? 0)
        let cells = max(10, width - labelWidth - 3)
        let span = max(1, end - start)
        var out =
            "TIMELINE \(formatTime(start)) to \(formatTime(end)), a column is \(HumanText.duration(span / Int64(cells))); # firing, - pending\n"
        for (g, label) in zip(groups, labels) {
            var row = [Character](repeating: ".", count: cells)
            for (at, phase, _) in g.phases where phase != .inactive {
                let c = min(cells - 1, max(0, Int(Double(at - start) / Double(span) * Double(cells))))
                if phase == .firing { row[c] = "#" } else if row[c] != "#" { row[c] = "-" }
            }
            let shown = label.count > labelWidth ? String(label.prefix(labelWidth - 1)) + "…" : label
            out += shown + String(repeating: " ", count: labelWidth - shown.count) + " |" + String(row) + "|\n"
        }
        return out
    }

}

/// The backtest as one JSON document, schema `gamma.backtest.v1` (docs/ALERTING.md).
public struct BacktestJSONExporter: Sendable {
    public init() {}

    public func render(_ r: Backtest.Result, interval: Int64) -> [UInt8] {
        var w = JSONWriter(capacity: 4096)
        w.raw(#"{"schema":"gamma.backtest.v1","start":"#)
        if let start = r.start { w.int(start) } else { w.raw("null") }
        w.raw(#","end":"#)
        if let end = r.end { w.int(end) } else { w.raw("null") }
        w.raw(#","interval":"#); w.int(interval)
        w.raw(#","evaluations":"#); w.int(Int64(r.evaluations))
        w.raw(#","samples":"#); w.int(Int64(r.samples))
        w.raw(#","rules":["#)
        for (i, rule) in r.rules.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.raw(#"{"name":"#); w.string(rule.name)
            w.raw(#","severity":"#); w.string(rule.severity.rawValue)
            w.raw(#","groups":["#)
            for (j, g) in r.groups.filter({ $0.rule == rule.name }).enumerated() {
                if j > 0 { w.byte(0x2C) }
                w.raw(#"{"labels":"#);
                w.stringMap(Dictionary(g.group.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }))
                w.raw(#","first_fire":"#); optional(g.firstFire, &w)
                w.raw(#","pending_ns":"#); w.int(g.pendingTime)
                w.raw(#","firing_ns":"#); w.int(g.firingTime)
                w.raw(#","notifications":"#); w.int(Int64(g.notifications))
                w.raw(#","episodes":["#)
                for (k, e) in g.episodes.enumerated() {
                    if k > 0 { w.byte(0x2C) }
                    w.raw(#"{"start":"#); w.int(e.start)
                    w.raw(#","end":"#); optional(e.end, &w)
                    w.raw(#","peak":"#); if let p = e.peak { w.double(p) } else { w.raw("null") }
                    w.raw(#","notified":"#); w.bool(e.notified)
                    w.byte(UInt8(ascii: "}"))
                }
                w.raw(#"],"transitions":["#)
                for (k, t) in g.transitions.enumerated() {
                    if k > 0 { w.byte(0x2C) }
                    w.raw(#"{"at":"#); w.int(t.at)
                    w.raw(#","state":"#); w.string(t.kind.rawValue)
                    w.raw(#","value":"#); if let v = t.value { w.double(v) } else { w.raw("null") }
                    w.raw(#","notify":"#); w.bool(t.notify)
                    if let s = t.suppressedBy { w.raw(#","suppressed_by":"#); w.string(s) }
                    w.byte(UInt8(ascii: "}"))
                }
                w.raw("]}")
            }
            w.raw("]}")
        }
        w.raw("]}\n")
        return w.bytes
    }

    func optional(_ v: Int64?, _ w: inout JSONWriter) { if let v { w.int(v) } else { w.raw("null") } }
}

/// Every transition as a CSV row (RFC 4180): rule, severity, labels, time, state, value, notified.
public struct BacktestCSVExporter: Sendable {
    public init() {}

    public func render(_ r: Backtest.Result) -> String {
        var out = "rule,severity,labels,at,state,value,notify,suppressed_by\r\n"
        for t in r.transitions {
            let labels = t.group.map { "\($0.name)=\($0.value)" }.joined(separator: ",")
            out +=
                [
                    t.rule, t.severity.rawValue, labels, String(t.at), t.kind.rawValue,
                    t.value.map { ReportNumbers.shortest($0) } ?? "",
                    t.notify ? "true" : "false", t.suppressedBy ?? ""
                ].map(CSVReportExporter.field).joined(separator: ",") + "\r\n"
        }
        return out
    }
}
