public import GammaModel

/// Trees of traces for a terminal: one line per span with its duration, self time and status,
/// a waterfall bar aligned to the trace's start, `*` on the critical path, `!` on errors, `>`
/// on spans matching `--name` or `--attr`; then chosen attributes and events.
public struct TraceText: Sendable {
    public var width: Int
    public var attributeKeys: [String]
    public var events: Bool
    public var query: TraceQuery
    public var formatTime: @Sendable (Int64) -> String

    public init(
        width: Int, attributeKeys: [String] = [], events: Bool = false, query: TraceQuery = .init(),
        formatTime: @escaping @Sendable (Int64) -> String = { TimeParser.format($0) }
    ) {
        self.width = max(60, width)
        self.attributeKeys = attributeKeys
        self.events = events
        self.query = query
        self.formatTime = formatTime
    }

    public func render(_ traces: [Trace]) -> String {
        var out = ""
        for t in traces {
            out +=
                "trace \(Hex.trace(t.traceID))  \(formatTime(t.start))  \(HumanText.duration(t.duration))  "
                + "\(plural(t.nodes.count, "span"))\(t.errorCount > 0 ? ", \(t.errorCount) failed" : "")\n"
            for p in t.problems { out += "  warning: \(p)\n" }
            let barWidth = max(10, width / 3)
            let nameWidth = width - barWidth - 30
            let highlight = query.name != nil || !query.attributes.isEmpty
            for n in t.nodes {
                let s = n.span
                var mark = n.onCriticalPath ? "*" : " "
                if highlight && query.spanMatches(s) { mark = ">" }
                var label = String(repeating: "  ", count: min(n.depth, 20)) + TableReportExporter.visible(s.name)
                if n.orphan { label += " (orphan)" }
                if s.unfinished { label += " (unfinished)" }
                if label.count > nameWidth { label = String(label.prefix(max(1, nameWidth - 1))) + "…" }
                let status = s.status == .error ? "ERROR" : s.status == .ok ? "ok" : ""
                out +=
                    mark + (s.status == .error ? "!" : " ") + label
                    + String(repeating: " ", count: max(1, nameWidth - label.count))
                out +=
                    pad(HumanText.duration(n.duration), 9) + pad(HumanText.duration(n.selfTime), 9) + " "
                    + status.padding(5)
                    + " "
                out += bar(n, in: t, width: barWidth) + "\n"
                let indent = String(repeating: " ", count: 4 + 2 * min(n.depth, 20))
                if let m = s.statusMessage, !m.isEmpty {
                    out += indent + "status: " + TableReportExporter.visible(m) + "\n"
                }
                for key in attributeKeys {
                    if let v = s.attributes[key] {
                        out += indent + key + "=" + TableReportExporter.visible(TraceQuery.text(v)) + "\n"
                    }
                }
                if events {
                    for e in s.events {
                        out +=
                            indent + "@" + HumanText.duration(e.ts - t.start) + " "
                            + TableReportExporter.visible(e.name)
                        for (k, v) in e.attributes.sorted(by: { JSONWriter.byteOrder($0.key, $1.key) }) {
                            out += " " + k + "=" + TableReportExporter.visible(TraceQuery.text(v))
                        }
                        out += "\n"
                    }
                }
            }
            out += "\n"
        }
        return out
    }

    func pad(_ s: String, _ w: Int) -> String { String(repeating: " ", count: max(1, w - s.count)) + s }

    /// `[   ====      ]`: where the span lies in the trace, at least one cell wide.
    func bar(_ n: Trace.Node, in t: Trace, width: Int) -> String {
        let inner = width - 2
        let total = max(1, Double(t.duration))
        let from = Int((Double(n.span.start - t.start) / total * Double(inner)).rounded(.down))
        let to = max(from + 1, Int((Double(n.span.end - t.start) / total * Double(inner)).rounded(.up)))
        let a = min(max(0, from), inner - 1), b = min(max(a + 1, to), inner)
        return "[" + String(repeating: " ", count: a)
            + String(repeating: n.span.status == .error ? "x" : "=", count: b - a)
            + String(repeating: " ", count: inner - b) + "]"
    }
}

extension String {
    func padding(_ w: Int) -> String { self + String(repeating: " ", count: max(0, w - count)) }
}
