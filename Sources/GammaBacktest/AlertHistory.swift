public import GammaRules
public import GammaLog
public import GammaModel
public import GammaReplay

/// The alert records that live evaluation wrote into logs: the alert history of real runs.
public enum AlertHistory {
    /// The alert records of `reader` whose rule passes `rule` and whose severity is at least
    /// `severity`, in time order.
    public static func read(
        _ reader: LogReader, rule: @escaping @Sendable (String) -> Bool, severity: AlertRule.Severity?,
        onIssue: (ReplayIssue) -> Void
    ) throws -> [AlertRecord] {
        let since = reader.options.since, until = reader.options.until
        var all: [AlertRecord] = []
        _ = try reader.forEachMember(
            preparing: { bytes in
                var found: [AlertRecord] = []
                var invalid: [RecordLines.Invalid] = []
                RecordLines.forEach(in: bytes, invalid: &invalid) { line, _, view in
                    guard view.kind == .alert else { return }
                    if let since, view.ts < since { return }
                    if let until, view.ts >= until { return }
                    guard case .record(.alert(let a))? = try? RecordDecoder.decode(line), rule(a.rule) else { return }
                    if let severity, (AlertRule.Severity(rawValue: a.severity) ?? .critical) < severity { return }
                    found.append(a)
                }
                return History(records: found, invalid: invalid)
            }, onDamage: { onIssue(.damage($0)) }
        ) { (member, prepared: History) in
            all.append(contentsOf: prepared.records)
            RecordLines.report(prepared.invalid, reader, member, onIssue)
        }
        all.sort { $0.ts < $1.ts }
        return all
    }

    struct History: Sendable {
        var records: [AlertRecord]
        var invalid: [RecordLines.Invalid]
    }

    public static func table(_ records: [AlertRecord], formatTime: (Int64) -> String = { TimeParser.format($0) })
        -> String
    {
        if records.isEmpty { return "no alert records\n" }
        var rows = TextTable(headers: ["TIME", "RULE", "STATE", "SEVERITY", "LABELS", "VALUE"])
        for r in records {
            rows.add([
                formatTime(r.ts), r.rule, r.state.rawValue + (r.notifier.map { " (undelivered: \($0))" } ?? ""),
                r.severity,
                r.labels.isEmpty
                    ? "-"
                    : r.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\(TableReportExporter.visible($0.value))" }
                        .joined(separator: ","),
                r.value.map { HumanText.number($0) } ?? "-"
            ])
        }
        return rows.render() + "\n"
    }

    public static func csv(_ records: [AlertRecord]) -> String {
        var out = "ts,rule,state,severity,labels,value,threshold,undelivered_by,undelivered\r\n"
        for r in records {
            let labels = r.labels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
            out +=
                [
                    String(r.ts), r.rule, r.state.rawValue, r.severity, labels,
                    r.value.map { ReportNumbers.shortest($0) } ?? "",
                    r.threshold.map { ReportNumbers.shortest($0) } ?? "", r.notifier ?? "", r.undelivered ?? ""
                ].map(CSVReportExporter.field).joined(separator: ",") + "\r\n"
        }
        return out
    }

    /// The records as JSON lines, as they are stored.
    public static func jsonLines(_ records: [AlertRecord]) -> [UInt8] {
        var out: [UInt8] = []
        for r in records {
            out += RecordEncoder.encode(.alert(r))
            out.append(0x0A)
        }
        return out
    }
}
