extension LogReader {
    /// Calls `body` with every line of every stream, merged by the top-level `"ts"` of each line.
    ///
    /// Each stream's own order is kept: a k-way merge of the streams, in which members are inflated
    /// (in parallel) in the order of their header's minimum timestamp, and a line is delivered
    /// once no member not yet inflated can hold an earlier one. Small disorder inside a stream is
    /// kept as it is; a line with no integer `"ts"` goes with the line before it in its stream.
    /// Ties go to the stream listed first. Foreign gzip files are read whole into memory here.
    @discardableResult
    public func forEachLineMerged(onDamage: (LogDamage) -> Void = { _ in }, _ body: (LogLine) throws -> Void) throws
        -> ReadSummary
    {
        var plan = plan(onDamage: onDamage)
        let keys = Self.orderByTime(&plan)

        var summary = plan.summary
        var decodeDamages: [LogDamage] = []
        func report(_ d: LogDamage) { onDamage(d); decodeDamages.append(d) }
        let pipeline = pipeline(for: plan)
        defer { pipeline.finish() }

        var cursors: [Int: [MergeCursor]] = [:]  // stream -> loaded members, front is current
        var lastTS: [Int: Int64] = [:]
        var heap = MinHeap<MergeEntry>()
        var pulled = 0

        func activate(_ stream: Int) {
            while var queue = cursors[stream], let first = queue.first {
                if let ts = first.currentTimestamp(fallback: lastTS[stream] ?? .min) {
                    heap.push(MergeEntry(ts: ts, stream: stream))
                    return
                }
                queue.removeFirst()
                cursors[stream] = queue
            }
        }

        while true {
            let nextKey = pulled < plan.jobs.count ? keys[pulled] : Int64.max
            if let top = heap.peek, top.ts <= nextKey {
                heap.pop()
                // The stream's lines go out as a run while each is still the merge's smallest (as
                // the heap would choose them one by one), without a heap operation per line. The
                // queue is taken out of the dictionary meanwhile, so it is never copied.
                guard var queue = cursors.removeValue(forKey: top.stream) else { continue }
                var ts = top.ts
                while true {
                    let s = plan.scanned[queue[0].scan]
                    lastTS[top.stream] = ts
                    if !queue[0].filter || options.contains(ts) {
                        summary.lines += 1
                        try queue[0].currentLine.withUnsafeBytes { b in
                            try body(
                                LogLine(
                                    bytes: b, stream: s.stream, segment: s.segment, memberOffset: queue[0].memberOffset)
                            )
                        }
                    }
                    queue[0].advance()
                    while let first = queue.first, first.isExhausted { queue.removeFirst() }
                    guard let next = queue.first?.currentTimestamp(fallback: ts) else { break }
                    let entry = MergeEntry(ts: next, stream: top.stream)
                    if next <= nextKey, heap.peek.map({ entry < $0 }) ?? true {
                        ts = next
                        continue
                    }
                    heap.push(entry)
                    break
                }
                cursors[top.stream] = queue
                continue
            }
            guard pulled < plan.jobs.count, let output = pipeline.next() else { break }
            let job = plan.jobs[pulled]
            let meta = plan.meta[pulled]
            let s = plan.scanned[meta.scan]
            pulled += 1
            var bytes: [UInt8]?
            switch output {
            case .lines(let b, _):
                summary.membersRead += 1
                bytes = b
            case .corrupt(let c):
                report(
                    LogDamage(
                        kind: .corruptMember, path: s.path, offset: job.offset, length: Int64(job.header!.length),
                        reason: c.reason))
            case .unreadable(let e):
                report(LogDamage(kind: .unreadable, path: s.path, offset: job.offset, reason: e.description))
            case .foreignLines:
                preconditionFailure("a merged read decodes foreign files itself")
            case .foreign:
                var all: [UInt8] = []
                try foreignDecoder().decode(
                    path: s.path, open: opener,
                    lines: { chunk in
                        all.append(contentsOf: chunk)
                        if chunk.last != 0x0A { all.append(0x0A) }
                    }, damage: report)
                summary.membersRead += 1
                bytes = all
            }
            guard let bytes,
                let cursor = MergeCursor(bytes: bytes, scan: meta.scan, filter: meta.filter, memberOffset: job.offset)
            else { continue }
            let hadCurrent = !(cursors[s.stream]?.isEmpty ?? true)
            cursors[s.stream, default: []].append(cursor)
            if !hadCurrent { activate(s.stream) }
        }
        summary.damages = (summary.damages + decodeDamages).sorted { ($0.path, $0.offset) < ($1.path, $1.offset) }
        return summary
    }
}

extension LogReader {
    /// Orders a plan's jobs by each stream's running maximum of member minimum times (every
    /// stream keeps its file order) and returns those keys: the order of a merged read, in which
    /// a member's `earliestLater` bounds every line still to come.
    static func orderByTime(_ plan: inout Plan) -> [Int64] {
        var running: [Int: Int64] = [:]
        var keyed: [(key: Int64, order: Int, job: DecodePipeline.Job, meta: (scan: Int, filter: Bool))] = []
        for (i, job) in plan.jobs.enumerated() {
            let stream = plan.scanned[plan.meta[i].scan].stream
            let own = job.header?.minTimestamp ?? .min
            let key = max(running[stream] ?? .min, own)
            running[stream] = key
            keyed.append((key, i, job, plan.meta[i]))
        }
        keyed.sort { ($0.key, $0.order) < ($1.key, $1.order) }
        plan.jobs = keyed.map(\.job)
        plan.meta = keyed.map(\.meta)
        return keyed.map(\.key)
    }
}

/// A decoded member being merged: its bytes and the current line.
struct MergeCursor {
    let bytes: [UInt8]
    let scan: Int
    let filter: Bool
    let memberOffset: Int64
    private(set) var start = 0
    private(set) var end = 0

    init?(bytes: [UInt8], scan: Int, filter: Bool, memberOffset: Int64) {
        self.bytes = bytes
        self.scan = scan
        self.filter = filter
        self.memberOffset = memberOffset
        guard let nl = bytes.firstIndex(of: 0x0A) else { return nil }
        end = nl
    }

    var isExhausted: Bool { start >= bytes.count }
    var currentLine: ArraySlice<UInt8> { bytes[start..<end] }

    func currentTimestamp(fallback: Int64) -> Int64? {
        guard !isExhausted else { return nil }
        return bytes.withUnsafeBytes { LogTimestamp.find(in: UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
            ?? fallback
    }

    mutating func advance() {
        start = end + 1
        guard start < bytes.count else { return }
        end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
    }
}

/// A stream's head in the merge: by timestamp, then stream index.
struct MergeEntry: Comparable {
    var ts: Int64
    var stream: Int
    static func < (a: MergeEntry, b: MergeEntry) -> Bool { (a.ts, a.stream) < (b.ts, b.stream) }
}
