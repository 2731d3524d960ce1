import GammaLog
import GammaModel

/// Traces assembled from spans read in time order (merged by their record time, a span's end),
/// each handed over once complete: when the reading time has passed its root's end (or, without
/// a root, its last span's end) by `grace`. Children end before their parents, and spans from
/// other processes arrive within the grace. A span arriving after its trace was handed over
/// starts a new partial trace, as in any streaming system. Memory holds the traces open within
/// the grace window: it depends on the traffic's concurrency, not on the length of the log.
///
/// What is kept of a span (`Element`) is the user's: a light record for a summary, the line's
/// bytes for an export that decodes spans in full only as it writes them.
struct TraceWindow<Element> {
    let grace: Int64
    private struct Open {
        var elements: [Element] = []
        var rootEnd: Int64?
        var lastEnd = Int64.min
        func deadline(_ grace: Int64) -> Int64 { (rootEnd ?? lastEnd) &+ grace }
    }
    private var open: [TraceID: Open] = [:]
    /// (deadline, trace) entries; an entry is stale once its trace's deadline moved or it closed.
    private var deadlines = MinHeap<Deadline>()
    /// The most traces held open at once.
    private(set) var peakOpen = 0

    init(grace: Int64) { self.grace = grace }

    /// When a trace may be handed over: by time, then trace id.
    struct Deadline: Comparable {
        var at: Int64
        var trace: TraceID
        static func < (a: Deadline, b: Deadline) -> Bool { (a.at, a.trace) < (b.at, b.trace) }
    }

    /// Adds a span of `trace` read at record time `now`, then hands over every trace complete by then.
    mutating func add(
        _ element: Element, trace: TraceID, isRoot: Bool, end: Int64, now: Int64,
        complete: (TraceID, [Element]) throws -> Void
    ) rethrows {
        let before = open[trace]?.deadline(grace)
        // In place: the trace's spans are never copied.
        open[trace, default: Open()].elements.append(element)
        open[trace]!.lastEnd = max(open[trace]!.lastEnd, end)
        if isRoot { open[trace]!.rootEnd = max(open[trace]!.rootEnd ?? .min, end) }
        let after = open[trace]!.deadline(grace)
        if after != before { deadlines.push(Deadline(at: after, trace: trace)) }
        peakOpen = max(peakOpen, open.count)
        while let next = deadlines.peek, next.at < now {
            deadlines.pop()
            guard let t = open[next.trace], t.deadline(grace) == next.at else { continue }  // stale
            open[next.trace] = nil
            try complete(next.trace, t.elements)
        }
    }

    /// Hands over the traces still open, in trace id order.
    mutating func finish(complete: (TraceID, [Element]) throws -> Void) rethrows {
        let rest = open.sorted { $0.key < $1.key }
        open = [:]
        deadlines = MinHeap()
        for (id, t) in rest { try complete(id, t.elements) }
    }
}
