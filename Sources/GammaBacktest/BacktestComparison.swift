import GammaRules
public import GammaModel
import GammaReplay
import GammaPromQL

/// Two versions of a rule file over the same data, episode by episode: each episode of a rule's
/// group in one is matched with the first overlapping episode of the same rule and group in the
/// other; what is left over fired in one version only.
public struct BacktestComparison: Sendable {
    public struct Row: Sendable, Equatable {
        public var rule: String
        public var group: String
        public var a: Backtest.Episode?
        public var b: Backtest.Episode?
        /// Why a row has one side: the other file has no such rule, or its rule did not fire then.
        public var note: String

        /// B's start minus A's, when both fired.
        public var startDifference: Int64? {
            guard let a, let b else { return nil }
            return b.start - a.start
        }
    }

    public var rows: [Row]
    public var end: Int64

    public init(_ a: Backtest.Result, _ b: Backtest.Result) {
        self.init(
            a: a.groups.map { ($0.rule, $0.groupText, $0.episodes) }, namesA: Set(a.rules.map(\.name)),
            b: b.groups.map { ($0.rule, $0.groupText, $0.episodes) }, namesB: Set(b.rules.map(\.name)),
            end: max(a.end ?? .min, b.end ?? .min))
    }

    /// Two backtests of Prometheus rule files: alerts by name and labels (without `alertname`),
    /// episodes from when they fired to when they resolved.
    public init(_ a: PromBacktest.Result, _ b: PromBacktest.Result) {
        func groups(_ r: PromBacktest.Result) -> [(String, String, [Backtest.Episode])] {
            var out: [(String, String, [Backtest.Episode])] = []
            for e in r.episodes {
                let pairs = e.labels.pairs.filter { $0.name != "alertname" }
                let group =
                    pairs.isEmpty
                    ? "-" : pairs.map { "\($0.name)=\(TableReportExporter.visible($0.value))" }.joined(separator: ",")
                let episode = Backtest.Episode(
                    start: e.firedAt * 1_000_000, end: e.resolvedAt.map { $0 * 1_000_000 }, peak: nil, notified: true)
                if let i = out.firstIndex(where: { $0.0 == e.rule && $0.1 == group }) {
                    out[i].2.append(episode)
                } else {
                    out.append((e.rule, group, [episode]))
                }
            }
            return out
        }
        func names(_ r: PromBacktest.Result) -> Set<String> {
            Set(
                r.file.groups.flatMap(\.rules).compactMap { rule -> String? in
                    if case .alert(let x) = rule { return x.name }
                    return nil
                })
        }
        self.init(
            a: groups(a), namesA: names(a), b: groups(b), namesB: names(b),
            end: max(a.evaluations.last ?? .min, b.evaluations.last ?? .min) * 1_000_000)
    }

    init(
        a groupsA: [(String, String, [Backtest.Episode])], namesA: Set<String>,
        b groupsB: [(String, String, [Backtest.Episode])], namesB: Set<String>, end: Int64
    ) {
        self.end = end
        var rows: [Row] = []
        var keys: [(String, String)] = []
        for g in groupsA + groupsB where !keys.contains(where: { $0 == (g.0, g.1) }) {
            keys.append((g.0, g.1))
        }
        for (rule, group) in keys {
            let ea = groupsA.first { $0.0 == rule && $0.1 == group }?.2 ?? []
            let eb = groupsB.first { $0.0 == rule && $0.1 == group }?.2 ?? []
            var usedB = Set<Int>()
            let end = self.end
            func overlaps(_ x: Backtest.Episode, _ y: Backtest.Episode) -> Bool {
                x.start <= (y.end ?? end) && y.start <= (x.end ?? end)
            }
            for e in ea {
                if let j = eb.indices.first(where: { !usedB.contains($0) && overlaps(e, eb[$0]) }) {
                    usedB.insert(j)
                    rows.append(Row(rule: rule, group: group, a: e, b: eb[j], note: ""))
                } else {
                    rows.append(
                        Row(
                            rule: rule, group: group, a: e, b: nil,
                            note: namesB.contains(rule) ? "only in A" : "only in A (B has no such rule)"))
                }
            }
            for (j, e) in eb.enumerated() where !usedB.contains(j) {
                rows.append(
                    Row(
                        rule: rule, group: group, a: nil, b: e,
                        note: namesA.contains(rule) ? "only in B" : "only in B (A has no such rule)"))
            }
        }
        self.rows = rows.sorted { ($0.a?.start ?? $0.b!.start, $0.rule) < ($1.a?.start ?? $1.b!.start, $1.rule) }
    }

    /// The rows as a table.
    public func table(formatTime: (Int64) -> String = { TimeParser.format($0) }, nameA: String, nameB: String) -> String
    {
        let out = "A: \(nameA)\nB: \(nameB)\n\n"
        if rows.isEmpty { return out + "neither version fired\n" }
        var cells = TextTable(headers: ["RULE", "GROUP", "A FIRED", "B FIRED", "DIFFERENCE"])
        for r in rows {
            var diff = r.note
            if let d = r.startDifference {
                diff =
                    d == 0 ? "same start" : "B \(HumanText.duration(abs(d))) \(d < 0 ? "earlier" : "later")"
                let endA = r.a!.end ?? end, endB = r.b!.end ?? end
                if endA != endB {
                    diff +=
                        ", ends \(HumanText.duration(abs(endB - endA))) \(endB < endA ? "earlier" : "later")"
                }
            }
            cells.add([
                r.rule, r.group, r.a.map { formatTime($0.start) } ?? "-", r.b.map { formatTime($0.start) } ?? "-", diff
            ])
        }
        return out + cells.render() + "\n"
    }

    /// The rows as JSON, schema `gamma.backtest-compare.v1`.
    public func json(nameA: String, nameB: String) -> [UInt8] {
        var w = JSONWriter(capacity: 1024)
        w.raw(#"{"schema":"gamma.backtest-compare.v1","a":"#); w.string(nameA)
        w.raw(#","b":"#); w.string(nameB)
        w.raw(#","rows":["#)
        for (i, r) in rows.enumerated() {
            if i > 0 { w.byte(0x2C) }
            w.raw(#"{"rule":"#); w.string(r.rule)
            w.raw(#","group":"#); w.string(r.group)
            for (key, e) in [("a", r.a), ("b", r.b)] {
                w.raw(#",""#); w.appendText(key); w.raw(#"":"#)
                if let e {
                    w.raw(#"{"start":"#); w.int(e.start)
                    w.raw(#","end":"#); if let end = e.end { w.int(end) } else { w.raw("null") }
                    w.byte(UInt8(ascii: "}"))
                } else {
                    w.raw("null")
                }
            }
            w.raw(#","start_difference_ns":"#); if let d = r.startDifference { w.int(d) } else { w.raw("null") }
            w.raw(#","note":"#); w.string(r.note)
            w.byte(UInt8(ascii: "}"))
        }
        w.raw("]}\n")
        return w.bytes
    }
}
