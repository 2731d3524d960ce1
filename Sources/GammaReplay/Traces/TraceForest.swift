public import GammaModel

/// A trace rebuilt from its spans: the tree, self times, the critical path, and what was wrong
/// with the input. Built the same whatever order the spans came in.
public struct Trace: Sendable {
    public struct Node: Sendable {
        public var span: SpanRecord
        /// Index into ``CollectedSpans/resourceTable``.
        public var resource: Int32
        public var parent: Int?
        public var children: [Int] = []
        public var depth = 0
        /// Its duration minus the time covered by its children (inside it).
        public var selfTime: Int64 = 0
        /// A root whose parent id is set but not in the trace (or was cut to break a cycle).
        public var orphan = false
        public var onCriticalPath = false
        public var duration: Int64 { span.end - span.start }
    }

    public enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// A span id seen more than once: the first (by start, end, name) was kept.
        case duplicateSpan(SpanID, copies: Int)
        /// Parent links that go round: the cycle is cut at its earliest span, shown as an orphan.
        case cycle([SpanID])
        /// A span that names itself as its parent: shown as a root.
        case ownParent(SpanID)

        public var description: String {
            switch self {
            case .duplicateSpan(let id, let n): return "span \(Hex.id(id)) appears \(n) times; the first is kept"
            case .ownParent(let id): return "span \(Hex.id(id)) names itself as its parent; shown as a root"
            case .cycle(let ids):
                return
                    "parent links form a cycle (\(ids.map(Hex.id).joined(separator: " → "))); cut at \(Hex.id(ids[0]))"
            }
        }
    }

    public var traceID: TraceID
    /// Depth-first order: each root, then its children by start time.
    public var nodes: [Node]
    public var roots: [Int]
    public var problems: [Problem]

    /// The earliest start and the latest end of its spans.
    public private(set) var start: Int64 = 0
    public private(set) var end: Int64 = 0
    public var duration: Int64 { end - start }
    public private(set) var errorCount = 0
    /// The first root (the earliest), which names the trace.
    public var root: Node? { roots.first.map { nodes[$0] } }

    /// Builds the trace from spans that share `traceID`, in any order.
    public init(traceID: TraceID, spans: [(SpanRecord, Int32)]) {
        self.traceID = traceID
        problems = []
        if spans.count == 1 {  // the common case of a trace of one span, without the machinery below
            let (s, r) = spans[0]
            var node = Node(span: s, resource: r, parent: nil)
            node.orphan = s.parentSpanID != nil && s.parentSpanID != s.spanID
            if s.parentSpanID == s.spanID { problems.append(.ownParent(s.spanID)) }
            node.selfTime = max(0, s.end - s.start)
            node.onCriticalPath = true
            nodes = [node]
            roots = [0]
            start = s.start
            end = s.end
            errorCount = s.status == .error ? 1 : 0
            return
        }
        // A total order on spans, so that duplicates and ties resolve the same way every time.
        let ordered = spans.sorted { a, b in Self.precedes(a.0, b.0) }
        var byID: [SpanID: (SpanRecord, Int32)] = [:]
        var copies: [SpanID: Int] = [:]
        for (s, r) in ordered {
            if byID[s.spanID] == nil { byID[s.spanID] = (s, r) } else { copies[s.spanID, default: 1] += 1 }
        }
        for (id, n) in copies.sorted(by: { $0.key < $1.key }) { problems.append(.duplicateSpan(id, copies: n)) }
        let unique = byID.values.sorted { Self.precedes($0.0, $1.0) }
        // Children of each span, and the spans whose parent is absent.
        var children: [SpanID: [SpanID]] = [:]
        var rootIDs: [SpanID] = []
        var orphans: Set<SpanID> = []
        for (s, _) in unique {
            if let p = s.parentSpanID, p != s.spanID, byID[p] != nil {
                children[p, default: []].append(s.spanID)
            } else {
                rootIDs.append(s.spanID)
                if s.parentSpanID == s.spanID {
                    problems.append(.ownParent(s.spanID))  // a root, as TRACES.md says, with a warning
                } else if s.parentSpanID != nil {
                    orphans.insert(s.spanID)
                }
            }
        }
        // Spans not reachable from a root hang from a cycle: cut each cycle at its earliest span.
        var reached: Set<SpanID> = []
        func mark(_ id: SpanID) {
            var stack = [id]
            while let x = stack.popLast() {
                if reached.insert(x).inserted { stack.append(contentsOf: children[x] ?? []) }
            }
        }
        rootIDs.forEach(mark)
        for (s, _) in unique where !reached.contains(s.spanID) {
            // Walk up until a span repeats: the cycle is from its first visit on.
            var path: [SpanID] = []
            var seen: [SpanID: Int] = [:]
            var x = s.spanID
            while seen[x] == nil, !reached.contains(x) {
                seen[x] = path.count
                path.append(x)
                x = byID[x]!.0.parentSpanID!
            }
            guard let from = seen[x] else { continue }  // reached a tree that was cut earlier
            let cycle = Array(path[from...])
            let cut = cycle.min { Self.precedes(byID[$0]!.0, byID[$1]!.0) }!
            let at = cycle.firstIndex(of: cut)!
            problems.append(.cycle(Array(cycle[at...] + cycle[..<at])))
            if let p = byID[cut]!.0.parentSpanID { children[p]?.removeAll { $0 == cut } }
            rootIDs.append(cut)
            orphans.insert(cut)
            mark(cut)
        }
        rootIDs.sort { Self.precedes(byID[$0]!.0, byID[$1]!.0) }
        // Depth-first layout.
        var nodes: [Node] = []
        var roots: [Int] = []
        // Iterative, so that a crafted chain of any depth cannot exhaust the stack.
        for r in rootIDs {
            roots.append(nodes.count)
            var stack: [(SpanID, Int?, Int)] = [(r, nil, 0)]
            while let (id, parent, depth) = stack.popLast() {
                let (s, res) = byID[id]!
                let index = nodes.count
                var node = Node(span: s, resource: res, parent: parent)
                node.depth = depth
                node.orphan = orphans.contains(id)
                nodes.append(node)
                if let parent { nodes[parent].children.append(index) }
                let kids = (children[id] ?? []).sorted { Self.precedes(byID[$0]!.0, byID[$1]!.0) }
                for c in kids.reversed() { stack.append((c, index, depth + 1)) }
            }
        }
        self.nodes = nodes
        self.roots = roots
        start = nodes.lazy.map(\.span.start).min() ?? 0
        end = nodes.lazy.map(\.span.end).max() ?? 0
        errorCount = nodes.lazy.filter { $0.span.status == .error }.count
        for i in nodes.indices { self.nodes[i].selfTime = selfTime(i) }
        for r in roots { markCriticalPath(from: r) }
    }

    /// Start, then end, then span id: a total order on a trace's spans.
    static func precedes(_ a: SpanRecord, _ b: SpanRecord) -> Bool {
        if a.start != b.start { return a.start < b.start }
        if a.end != b.end { return a.end < b.end }
        if a.spanID != b.spanID { return a.spanID < b.spanID }
        return RecordEncoder.encode(.span(a)).lexicographicallyPrecedes(RecordEncoder.encode(.span(b)))
    }

    /// The node's duration minus the union of its children's intervals, clipped to it.
    func selfTime(_ i: Int) -> Int64 {
        let n = nodes[i]
        let intervals = n.children.map {
            (max(nodes[$0].span.start, n.span.start), min(nodes[$0].span.end, n.span.end))
        }
        .filter { $0.0 < $0.1 }.sorted { $0.0 < $1.0 }
        var covered: Int64 = 0
        var current: (Int64, Int64)?
        for iv in intervals {
            if let c = current, iv.0 <= c.1 {
                current = (c.0, max(c.1, iv.1))
            } else {
                if let c = current { covered += c.1 - c.0 }
                current = iv
            }
        }
        if let c = current { covered += c.1 - c.0 }
        return max(0, n.duration - covered)
    }

    /// The critical path: from a span, the child that ends last (and ends within it), then that
    /// child's own critical path, and before it the child that ends last before that one starts,
    /// and so on: the chain of work that the span's end waited for.
    mutating func markCriticalPath(from root: Int) {
        var stack = [root]
        while let i = stack.popLast() {
            nodes[i].onCriticalPath = true
            var bound = nodes[i].span.end
            let kids = nodes[i].children.sorted {
                nodes[$0].span.end > nodes[$1].span.end || (nodes[$0].span.end == nodes[$1].span.end && $0 < $1)
            }
            for c in kids where nodes[c].span.end <= bound {
                stack.append(c)
                bound = nodes[c].span.start
            }
        }
    }
}

/// Every trace of a set of spans.
public enum TraceForest {
    public static func build(_ collected: CollectedSpans) -> [Trace] {
        var byTrace: [TraceID: [(SpanRecord, Int32)]] = [:]
        for (i, s) in collected.spans.enumerated() {
            byTrace[s.traceID, default: []].append((s, collected.resourceOfSpan[i]))
        }
        return byTrace.map { Trace(traceID: $0.key, spans: $0.value) }.sorted { a, b in
            a.start != b.start ? a.start < b.start : a.traceID < b.traceID
        }
    }
}
