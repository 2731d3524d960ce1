import GammaModel
import GammaReplay

/// A trace as a waterfall: its start time in the heading, a time axis over the trace, a row per
/// span, indented by depth, with a bar from its start to its end; the critical path dark with
/// its names in bold, other spans light, failed spans red with their error message on the row
/// under them. Each span's attributes follow in a collapsed table. Every recorded string is
/// escaped.
struct Waterfall {
    /// Rows shown per trace; the rest are counted.
    var maxRows = 200
    var formatTime: (Int64) -> String = { TimeParser.format($0) }

    func render(_ trace: Trace) -> String {
        let e = HTMLText.escape
        let total = max(1, trace.duration)
        let rootName = trace.root?.span.name ?? "?"
        func pct(_ v: Double) -> String { ReportNumbers.fixed(v, decimals: 2) }
        var out = "<article class=\"trace\" data-trace=\"\(Hex.trace(trace.traceID))\">"
        out += "<h3>\(e(rootName)) <small>\(HumanText.duration(trace.duration)), \(plural(trace.nodes.count, "span"))"
        out += trace.errorCount > 0 ? ", <b class=\"err\">\(trace.errorCount) failed</b>" : ""
        out += ", started \(e(formatTime(trace.start))), trace \(Hex.trace(trace.traceID))</small></h3>"
        out += "<table class=\"waterfall\"><tbody>"
        // The time axis: offsets from the trace's start at five even ticks.
        out += "<tr class=\"ticks\"><td class=\"name\"></td><td class=\"bar\">"
        for i in 0...4 {
            out +=
                "<span style=\"left:\(pct(Double(i) * 25))%\">\(i == 0 ? "0" : "+" + HumanText.duration(total / 4 * Int64(i) + (i == 4 ? total % 4 : 0)))</span>"
        }
        out += "</td><td class=\"dur\"></td></tr>"
        for node in trace.nodes.prefix(maxRows) {
            let s = node.span
            let left = Double(s.start - trace.start) / Double(total) * 100
            let width = max(0.3, Double(s.end - s.start) / Double(total) * 100)
            var classes = ["span"]
            if s.status == .error { classes.append("error") }
            if node.onCriticalPath { classes.append("critical") }
            out +=
                "<tr class=\"\(classes.joined(separator: " "))\"><td class=\"name\" style=\"padding-left:\(node.depth * 14 + 4)px\">\(e(s.name))</td>"
            out +=
                "<td class=\"bar\"><div style=\"margin-left:\(pct(left))%;width:\(pct(width))%\" title=\"\(e(s.name)): \(HumanText.duration(node.duration)) from +\(HumanText.duration(s.start - trace.start))\"></div></td>"
            out += "<td class=\"dur\">\(HumanText.duration(node.duration))</td></tr>"
            if s.status == .error, let message = s.statusMessage, !message.isEmpty {
                out +=
                    "<tr class=\"msg\"><td colspan=\"3\" style=\"padding-left:\(node.depth * 14 + 18)px\">\(e(message))</td></tr>"
            }
        }
        out += "</tbody></table>"
        if trace.nodes.count > maxRows { out += "<p class=\"more\">\(trace.nodes.count - maxRows) more spans</p>" }
        out +=
            "<p class=\"keys\"><i style=\"background:#1f3f99\"></i>critical path<i style=\"background:#a9bdf0\"></i>other spans<i style=\"background:#e0412b\"></i>failed</p>"
        out += "<details><summary>Span attributes</summary><table class=\"attrs\"><tbody>"
        for node in trace.nodes.prefix(maxRows) {
            let s = node.span
            let attributes = s.attributes.sorted { $0.key < $1.key }.map {
                "<code>\(e($0.key))</code>=\(e(TraceQuery.text($0.value)))"
            }
            var extra =
                s.status == .error ? ["<b class=\"err\">error</b>" + (s.statusMessage.map { ": " + e($0) } ?? "")] : []
            extra += attributes
            out += "<tr><th>\(e(s.name))</th><td>\(extra.isEmpty ? "–" : extra.joined(separator: "<br>"))</td></tr>"
        }
        out += "</tbody></table></details></article>"
        return out
    }
}
