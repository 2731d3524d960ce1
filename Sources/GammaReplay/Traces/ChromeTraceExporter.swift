public import GammaModel

/// The Chrome trace event format (chrome://tracing, Perfetto): one complete event (`"ph":"X"`)
/// per span, times in microseconds. Each trace is a process; spans go on threads ("tracks") so
/// that a span on a track lies inside the span above it only if that span is its ancestor:
/// children that overlap in time (parallel tool calls) go on separate tracks, never mis-nested.
public struct ChromeTraceExporter: TraceFormat {
    public init() {}

    /// The track of each node: the first track whose open spans, after those that ended, are
    /// empty or end with an ancestor of the node that contains it.
    static func tracks(_ t: Trace) -> [Int] {
        if t.nodes.count == 1 { return [0] }
        var track = [Int](repeating: 0, count: t.nodes.count)
        var open: [[Int]] = []  // per track, a stack of node indices
        let order = t.nodes.indices.sorted { a, b in
            let x = t.nodes[a].span, y = t.nodes[b].span
            if x.start != y.start { return x.start < y.start }
            if t.nodes[a].depth != t.nodes[b].depth { return t.nodes[a].depth < t.nodes[b].depth }
            return a < b
        }
        func isAncestor(_ a: Int, of n: Int) -> Bool {
            var p = t.nodes[n].parent
            while let q = p { if q == a { return true }; p = t.nodes[q].parent }
            return false
        }
        for n in order {
            let s = t.nodes[n].span
            var placed = false
            for k in open.indices {
                while let top = open[k].last, t.nodes[top].span.end <= s.start, top != n { open[k].removeLast() }
                if let top = open[k].last {
                    guard isAncestor(top, of: n), t.nodes[top].span.end >= s.end else { continue }
                }
                open[k].append(n)
                track[n] = k
                placed = true
                break
            }
            if !placed {
                open.append([n])
                track[n] = open.count - 1
            }
        }
        return track
    }

    public func render(_ traces: [Trace]) -> [UInt8] { render(traces, resources: []) }

    public func begin(_ w: inout JSONWriter) { w.raw(#"{"displayTimeUnit":"ms","traceEvents":["#) }
    public func end(_ w: inout JSONWriter) { w.raw("]}\n") }

    /// Each trace is a process (pid `index + 1`); every event but the output's first follows a comma.
    public func write(_ t: Trace, index: Int, resources: [Attributes], _ w: inout JSONWriter) {
        var first = index == 0
        func comma() { if !first { w.byte(0x2C) }; first = false }
        let pid = Int64(index + 1)
        comma()
        w.raw(#"{"name":"process_name","ph":"M","pid":"#); w.int(pid)
        w.raw(#","tid":0,"args":{"name":"#);
        w.string("trace " + Hex.trace(t.traceID) + (t.root.map { " " + $0.span.name } ?? ""))
        w.raw("}}")
        let tracks = Self.tracks(t)
        for k in Set(tracks).sorted() {
            comma()
            w.raw(#"{"name":"thread_name","ph":"M","pid":"#); w.int(pid)
            w.raw(#","tid":"#); w.int(Int64(k + 1))
            w.raw(#","args":{"name":"#); w.string("track \(k + 1)")
            w.raw("}}")
        }
        for (i, n) in t.nodes.enumerated() {
            let s = n.span
            comma()
            w.raw(#"{"name":"#); w.string(s.name)
            w.raw(#","cat":"#); w.string(s.kind.rawValue)
            w.raw(#","ph":"X","ts":"#); micros(s.start, &w)
            w.raw(#","dur":"#); micros(s.end - s.start, &w)
            w.raw(#","pid":"#); w.int(pid)
            w.raw(#","tid":"#); w.int(Int64(tracks[i] + 1))
            var args = s.attributes
            args["span_id"] = .string(Hex.id(s.spanID))
            if let p = s.parentSpanID { args["parent_span_id"] = .string(Hex.id(p)) }
            args["status"] = .string(s.status.rawValue)
            if s.unfinished { args["unfinished"] = .bool(true) }
            w.raw(#","args":"#); w.attributes(args)
            w.byte(UInt8(ascii: "}"))
            for e in s.events {
                comma()
                w.raw(#"{"name":"#); w.string(e.name)
                w.raw(#","ph":"i","s":"t","ts":"#); micros(e.ts, &w)
                w.raw(#","pid":"#); w.int(pid)
                w.raw(#","tid":"#); w.int(Int64(tracks[i] + 1))
                w.raw(#","args":"#); w.attributes(e.attributes)
                w.byte(UInt8(ascii: "}"))
            }
        }
    }

    /// Microseconds with the nanoseconds as up to three decimals: exact.
    func micros(_ ns: Int64, _ w: inout JSONWriter) {
        let m = ns.magnitude
        if ns < 0 { w.byte(UInt8(ascii: "-")) }
        w.int(Int64(m / 1000))
        var frac = Int(m % 1000)
        guard frac != 0 else { return }
        var digits = 3
        while frac % 10 == 0 {
            frac /= 10
            digits -= 1
        }
        w.byte(UInt8(ascii: "."))
        var divisor = digits == 3 ? 100 : digits == 2 ? 10 : 1
        while divisor > 0 {
            w.byte(UInt8(ascii: "0") + UInt8(frac / divisor % 10))
            divisor /= 10
        }
    }
}
