import GammaModel
import GammaReplay

/// A trace as a waterfall: a row per span, indented by depth, with a bar from its start to its
/// end on the trace's time line; error spans in red, the critical path marked. Each span's
/// attributes follow in a collapsed table. Every recorded string is escaped.
struct Waterfall {
    /// Rows shown per trace; the rest are counted.
    var maxRows = 200

    func render(_ trace: Trace) -> String {
        let e = HTMLText.escape
        let total = max(1, trace.duration)
        let rootName = trace.root?.span.name ?? "?"
        var out = "<article class=\"trace\" data-trace=\"\(Hex.trace(trace.traceID))\">"
        out += "<h3>\(e(rootName)) <small>\(HumanText.duration(trace.duration)), \(plural(trace.nodes.count, "span"))"
        out += trace.errorCount > 0 ? ", <b class=\"err\">\(trace.errorCount) failed</b>" : ""
        out += ", trace \(Hex.trace(trace.traceID))</small></h3>"
        out += "<table class=\"waterfall\"><tbody>"
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
                "<td class=\"bar\"><div style=\"margin-left:\(ReportNumbers.fixed(left, decimals: 2))%;width:\(ReportNumbers.fixed(width, decimals: 2))%\" title=\"\(e(s.name)): \(HumanText.duration(node.duration))\"></div></td>"
            out += "<td class=\"dur\">\(HumanText.duration(node.duration))</td></tr>"
        }
        out += "</tbody></table>"
        if trace.nodes.count > maxRows { out += "<p class=\"more\">\(trace.nodes.count - maxRows) more spans</p>" }
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
