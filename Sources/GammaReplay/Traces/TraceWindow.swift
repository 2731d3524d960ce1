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

        /// Adds a span; the deadline before (`nil` for a new trace) and after.
        mutating func add(_ element: Element, isRoot: Bool, end: Int64, grace: Int64) -> (Int64?, Int64) {
            let before = elements.isEmpty ? nil : deadline(grace)
            elements.append(element)
            lastEnd = max(lastEnd, end)
            if isRoot { rootEnd = max(rootEnd ?? .min, end) }
            return (before, deadline(grace))
        }
    }
    private var open: [TraceID: Open] = [:]
    /// (deadline, trace) entries; an entry is stale once its trace's deadline moved or it closed.
    private var deadlines = DeadlineQueue()
    /// The most traces held open at once.
    private(set) var peakOpen = 0

    init(grace: Int64) { self.grace = grace }

    typealias Deadline = TraceDeadline

    /// Adds a span of `trace`, then hands over every trace complete by record time `now`.
    mutating func add(
        _ element: Element, trace: TraceID, isRoot: Bool, end: Int64, now: Int64,
        complete: (TraceID, [Element]) throws -> Void
    ) rethrows {
        add(element, trace: trace, isRoot: isRoot, end: end)
        try advance(to: now, complete: complete)
    }

    /// Adds a span of `trace`; nothing is handed over (a reader by member calls ``advance(to:complete:)``
    /// once it knows how early the lines still to come can be).
    mutating func add(_ element: Element, trace: TraceID, isRoot: Bool, end: Int64) {
        // In place, one lookup: the trace's spans are never copied.
        let (before, after) = open[trace, default: Open()].add(element, isRoot: isRoot, end: end, grace: grace)
        // One entry per trace as a rule: a later deadline is pushed when the earlier entry comes
        // up (below), an earlier one (a root that ends before a child) at once.
        if before == nil || after < before! { deadlines.push(Deadline(at: after, trace: trace)) }
        peakOpen = max(peakOpen, open.count)
    }

    /// Hands over, in (deadline, trace id) order, every trace whose deadline is before `now`:
    /// no line still to come is earlier than `now`.
    mutating func advance(to now: Int64, complete: (TraceID, [Element]) throws -> Void) rethrows {
        while let next = deadlines.peek, next.at < now {
            deadlines.pop()
            guard let t = open[next.trace] else { continue }  // already handed over
            let deadline = t.deadline(grace)
            if deadline > next.at {
                deadlines.push(Deadline(at: deadline, trace: next.trace))  // moved on since
                continue
            }
            guard deadline == next.at else { continue }  // a stale entry: an earlier one was pushed
            open[next.trace] = nil
            try complete(next.trace, t.elements)
        }
    }

    /// Hands over the traces still open, in trace id order.
    mutating func finish(complete: (TraceID, [Element]) throws -> Void) rethrows {
        let rest = open.sorted { $0.key < $1.key }
        open = [:]
        deadlines = DeadlineQueue()
        for (id, t) in rest { try complete(id, t.elements) }
    }
}

/// When a trace may be handed over: by time, then trace id.
struct TraceDeadline: Comparable {
    var at: Int64
    var trace: TraceID
    static func < (a: TraceDeadline, b: TraceDeadline) -> Bool { (a.at, a.trace) < (b.at, b.trace) }
}

/// The deadlines of a ``TraceWindow``, least first: a run of entries pushed in ascending order
/// (as spans mostly arrive: by their end) kept in a plain queue, and the others in a heap. The
/// least of the two fronts is the least of all, so the order is exact, and a log read in time
/// order costs a queue operation per trace instead of a heap's logarithm.
struct DeadlineQueue {
    typealias Deadline = TraceDeadline
    private var run: [Deadline] = []
    private var head = 0
    private var heap = MinHeap<Deadline>()

    var peek: Deadline? {
        let r = head < run.count ? run[head] : nil
        guard let h = heap.peek else { return r }
        guard let r else { return h }
        return h < r ? h : r
    }

    mutating func push(_ d: Deadline) {
        if head == run.count || !(d < run[run.count - 1]) {
            run.append(d)
        } else {
            heap.push(d)
        }
    }

    mutating func pop() {
        let r = head < run.count ? run[head] : nil
        if let h = heap.peek, r == nil || h < r! {
            heap.pop()
            return
        }
        head += 1
        if head == run.count {
            run.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 4096 && head * 2 >= run.count {
            run.removeFirst(head)
            head = 0
        }
    }
}
