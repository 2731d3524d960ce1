/// Reads the lines of log folders and segment files (docs/ARCHITECTURE.md, "Reading").
///
/// Never crashes, loops or returns a partial line on any bytes: damage is reported as
/// ``LogDamage`` with file, offset and reason, and reading goes on at the next member.
/// Members are inflated in parallel on ``ReadOptions/workers`` threads; lines are delivered
/// on the caller's thread, in order.
public final class LogReader: Sendable {
    public let streams: [LogStream]
    public let options: ReadOptions
    let opener: @Sendable (String) throws(LogError) -> any ByteSource

    /// Finds the streams of `paths` (folders or files). See ``LogCatalog/discover(_:)``.
    public convenience init(paths: [String], options: ReadOptions = .init()) throws(LogError) {
        try self.init(streams: LogCatalog.discover(paths), options: options)
    }

    /// Reads given streams, from their files.
    public convenience init(streams: [LogStream], options: ReadOptions = .init()) {
        self.init(streams: streams, options: options, opener: { (p) throws(LogError) in try FileSource(path: p) })
    }

    /// Reads given streams; `opener` maps a segment path to its bytes (tests and fuzzers read memory).
    package init(
        streams: [LogStream], options: ReadOptions = .init(),
        opener: @escaping @Sendable (String) throws(LogError) -> any ByteSource
    ) {
        self.streams = streams
        self.options = options
        self.opener = opener
    }

    /// A decoder for a foreign gzip file, as the read's options say.
    func foreignDecoder() -> ForeignDecoder { Self.foreignDecoder(options) }

    static func foreignDecoder(_ options: ReadOptions) -> ForeignDecoder {
        ForeignDecoder(checkFirst: options.checkForeignMembersFirst, bufferLimit: options.foreignBufferLimit)
    }

    /// A scanned segment: where it is, its layout, the damage its headers show.
    struct Scanned {
        var stream: Int
        var segment: Int
        var path: String
        var layout: SegmentLayout?
        var damages: [LogDamage] = []
        var pending: LogDamage?
    }

    /// Scans every segment's headers.
    func scanAll() -> [Scanned] {
        var result: [Scanned] = []
        for (si, stream) in streams.enumerated() {
            for (gi, segment) in stream.segments.enumerated() {
                var scanned = Scanned(stream: si, segment: gi, path: segment.path)
                do throws(LogError) {
                    let source = try opener(segment.path)
                    let layout = try SegmentScanner.scan(source)
                    scanned.layout = layout
                    let isLiveTail = stream.isLive && gi == stream.segments.count - 1
                    Self.damages(of: layout, path: segment.path, liveTail: isLiveTail, into: &scanned)
                } catch {
                    scanned.damages.append(
                        LogDamage(kind: .unreadable, path: segment.path, offset: 0, reason: error.description))
                }
                result.append(scanned)
            }
        }
        return result
    }

    static func damages(of layout: SegmentLayout, path: String, liveTail: Bool, into scanned: inout Scanned) {
        if layout.format == .unknown {
            scanned.damages.append(
                LogDamage(
                    kind: .notASegment, path: path, offset: 0, length: layout.size,
                    reason: "no gzip member in this file"))
        }
        for region in layout.corruptRegions {
            scanned.damages.append(
                LogDamage(
                    kind: .corruptBytes, path: path, offset: region.offset, length: region.length,
                    reason: region.reason))
        }
        if let tail = layout.tail {
            if liveTail && tail.isIncompleteMember {
                scanned.pending = LogDamage(
                    kind: .tornTail, path: path, offset: tail.offset, length: tail.length,
                    reason: "not yet: the live writer is still writing this member")
            } else if tail.isIncompleteMember || !layout.members.isEmpty || !layout.corruptRegions.isEmpty {
                // A cut-short member, or junk after valid members: truncating it loses nothing that was whole.
                scanned.damages.append(
                    LogDamage(
                        kind: .tornTail, path: path, offset: tail.offset, length: tail.length,
                        reason: tail.reason, repairable: true))
            } else {
                scanned.damages.append(
                    LogDamage(
                        kind: .notASegment, path: path, offset: 0, length: layout.size,
                        reason: "no Gamma member in this file (\(tail.reason))"))
            }
        }
    }

    /// The members to inflate, after skipping those outside the time range by their headers.
    struct Plan {
        var summary = ReadSummary()
        var scanned: [Scanned] = []
        var jobs: [DecodePipeline.Job] = []
        /// Per job: its scanned segment, and whether its lines need the per-line time filter.
        var meta: [(scan: Int, filter: Bool)] = []
    }

    func plan(onDamage: (LogDamage) -> Void) -> Plan {
        var plan = Plan()
        plan.scanned = scanAll()
        let ranged = options.since != nil || options.until != nil
        for (index, s) in plan.scanned.enumerated() {
            plan.summary.segments += 1
            s.damages.forEach(onDamage)
            plan.summary.damages += s.damages
            if let p = s.pending { plan.summary.pendingTails.append(p) }
            guard let layout = s.layout else { continue }
            switch layout.format {
            case .foreign:
                plan.jobs.append(.init(source: index, offset: 0, header: nil))
                plan.meta.append((index, ranged))
            case .gamma:
                // Empty members (the sealed trailer) are inflated too: a damaged one is damage.
                for member in layout.members {
                    let h = member.header
                    if let since = options.since, h.maxTimestamp < since { plan.summary.membersSkipped += 1; continue }
                    if let until = options.until, h.minTimestamp >= until { plan.summary.membersSkipped += 1; continue }
                    let inside = options.contains(h.minTimestamp) && options.contains(h.maxTimestamp)
                    plan.jobs.append(.init(source: index, offset: member.offset, header: h))
                    plan.meta.append((index, !inside))
                }
            case .empty, .unknown:
                break
            }
        }
        return plan
    }

    /// The pipeline of a plan; with `streamForeign`, workers decode foreign files too (in order
    /// reading), else the consumer does (merged reading, which needs a file's lines at once).
    func pipeline(for plan: Plan, prepare: DecodePipeline.Prepare? = nil, streamForeign: Bool = false)
        -> DecodePipeline
    {
        let paths = plan.scanned.map(\.path)
        let opener = self.opener
        let options = self.options
        let foreign: DecodePipeline.ForeignDecoderFactory? =
            streamForeign ? { @Sendable in Self.foreignDecoder(options) } : nil
        let open: @Sendable (Int) throws(LogError) -> any ByteSource = { (i) throws(LogError) in try opener(paths[i]) }
        return DecodePipeline(
            jobs: plan.jobs, workers: options.workers, prepare: prepare, foreign: foreign, path: { paths[$0] },
            open: open)
    }

    /// Calls `body` with every line, stream by stream, segment by segment, in file order.
    /// - Parameter onDamage: called as soon as a damage is found (also listed in the summary).
    /// - Throws: only what `body` throws.
    @discardableResult
    public func forEachLine(onDamage: (LogDamage) -> Void = { _ in }, _ body: (LogLine) throws -> Void) throws
        -> ReadSummary
    {
        try forEachMember(onDamage: onDamage) { member in
            try member.forEachLine { line in
                try body(
                    LogLine(bytes: line, stream: member.stream, segment: member.segment, memberOffset: member.offset))
            }
        }
    }

    /// Calls `body` with every decoded member, in file order: whole lines, each ending in `\n`,
    /// already filtered by the time range. A foreign gzip file comes as runs of lines (offset 0).
    /// - Throws: only what `body` throws.
    @discardableResult
    public func forEachMember(onDamage: (LogDamage) -> Void = { _ in }, _ body: (LogMember) throws -> Void) throws
        -> ReadSummary
    {
        try readMembers(prepare: nil, onDamage: onDamage) { member, _ in try body(member) }
    }

    /// Like ``forEachMember(onDamage:_:)``, with `prepare` run on each member's lines by the
    /// worker thread that inflated them (or, for members cut by the time range and for foreign
    /// files, on the calling thread), so that per-line work is spread over the cores. `body`
    /// receives each member in order with what `prepare` made of exactly its bytes.
    ///
    /// With `inTimeOrder`, the members come as a merged read takes them: streams interleaved by
    /// their members' header times, each stream in its file order, lines within a member in
    /// theirs. A member's ``LogMember/earliestLater`` is then a bound on every line still to
    /// come, which a consumer that assembles by time (traces) uses instead of a merge line by
    /// line, while lines are prepared on the workers.
    @discardableResult
    public func forEachMember<Prepared: Sendable>(
        preparing prepare: @escaping @Sendable (UnsafeRawBufferPointer) -> Prepared,
        inTimeOrder: Bool = false,
        onDamage: (LogDamage) -> Void = { _ in },
        _ body: (LogMember, Prepared) throws -> Void
    ) throws -> ReadSummary {
        try readMembers(prepare: { prepare($0) }, timeOrdered: inTimeOrder, onDamage: onDamage) { member, prepared in
            try body(member, (prepared as? Prepared) ?? prepare(member.bytes))
        }
    }

    private func readMembers(
        prepare: DecodePipeline.Prepare?, timeOrdered: Bool = false, onDamage: (LogDamage) -> Void,
        _ body: (LogMember, (any Sendable)?) throws -> Void
    ) throws -> ReadSummary {
        var plan = plan(onDamage: onDamage)
        if timeOrdered { _ = Self.orderByTime(&plan) }
        if prepare != nil {
            for j in plan.jobs.indices where !plan.meta[j].filter {
                plan.jobs[j].prepare = true
            }
        }
        var summary = plan.summary
        let pipeline = pipeline(for: plan, prepare: prepare, streamForeign: true)
        defer { pipeline.finish() }
        var decodeDamages: [LogDamage] = []
        func report(_ d: LogDamage) { onDamage(d); decodeDamages.append(d) }
        // The earliest time a line of a later member can have: its header's minimum, and none
        // known (.min) after a member without a header.
        var earliestLater = [Int64](repeating: .max, count: plan.jobs.count)
        var earliest = Int64.max
        for j in plan.jobs.indices.reversed() {
            earliestLater[j] = earliest
            // An empty member (the sealed trailer) holds no line: its header's 0 bounds nothing.
            if let h = plan.jobs[j].header {
                if h.lineCount > 0 { earliest = min(earliest, h.minTimestamp) }
            } else {
                earliest = .min
            }
        }
        for (j, job) in plan.jobs.enumerated() {
            guard let output = pipeline.next() else { break }
            let s = plan.scanned[plan.meta[j].scan]
            let filter = plan.meta[j].filter
            func deliver(
                _ lines: UnsafeRawBufferPointer, offset: Int64, count: Int?, prepared: (any Sendable)? = nil,
                whole: Bool = true
            ) throws {
                // The rest of a foreign file, still to come, may hold anything.
                let later = whole ? earliestLater[j] : .min
                if filter {
                    let kept = filtered(lines)
                    summary.lines += kept.lines
                    if kept.lines > 0 {
                        try kept.bytes.withUnsafeBytes {
                            try body(
                                LogMember(
                                    bytes: $0, stream: s.stream, segment: s.segment, offset: offset,
                                    earliestLater: later), nil)
                        }
                    }
                } else {
                    summary.lines += count ?? LineSplitter.count(lines)
                    try body(
                        LogMember(
                            bytes: lines, stream: s.stream, segment: s.segment, offset: offset, earliestLater: later),
                        prepared)
                }
            }
            switch output {
            case .lines(let bytes, let prepared):
                summary.membersRead += 1
                try bytes.withUnsafeBytes {
                    try deliver($0, offset: job.offset, count: Int(job.header!.lineCount), prepared: prepared)
                }
            case .corrupt(let c):
                report(
                    LogDamage(
                        kind: .corruptMember, path: s.path, offset: job.offset, length: Int64(job.header!.length),
                        reason: c.reason))
            case .unreadable(let e):
                report(LogDamage(kind: .unreadable, path: s.path, offset: job.offset, reason: e.description))
            case .foreign:
                try foreignDecoder().decode(
                    path: s.path, open: opener,
                    lines: { chunk in
                        if chunk.last == 0x0A {
                            try deliver(chunk, offset: 0, count: nil, whole: false)
                        } else {
                            // The last line of a clean foreign file may lack its "\n": it is still whole.
                            let line = Array(chunk) + [0x0A]
                            try line.withUnsafeBytes { try deliver($0, offset: 0, count: 1) }
                        }
                    }, damage: report)
                summary.membersRead += 1
            case .foreignLines(let lines):
                while let item = lines.next() {
                    switch item {
                    case .lines(let bytes, let prepared, let final):
                        try bytes.withUnsafeBytes {
                            try deliver($0, offset: 0, count: final ? 1 : nil, prepared: prepared, whole: final)
                        }
                    case .damage(let d):
                        report(d)
                    }
                }
                summary.membersRead += 1
            }
        }
        summary.damages = (summary.damages + decodeDamages).sorted { ($0.path, $0.offset) < ($1.path, $1.offset) }
        return summary
    }

    /// The lines of `lines` whose `ts` is inside the time range.
    private func filtered(_ lines: UnsafeRawBufferPointer) -> (bytes: [UInt8], lines: Int) {
        var kept: [UInt8] = []
        var n = 0
        LineSplitter.forEachLine(lines) { line in
            guard let ts = LogTimestamp.find(in: line), options.contains(ts) else { return }
            kept.append(contentsOf: line)
            kept.append(0x0A)
            n += 1
        }
        return (kept, n)
    }
}

/// A decoded member, valid only during the callback that receives it.
public struct LogMember {
    /// Whole lines, each ending in `\n`; valid only during the callback that receives the member.
    package let bytes: UnsafeRawBufferPointer
    /// Index into ``LogReader/streams``.
    public let stream: Int
    /// Index into that stream's segments.
    public let segment: Int
    /// The member's byte offset in its segment (0 for foreign files).
    public let offset: Int64
    /// No member delivered after this one holds a line with an earlier `ts` (from the members'
    /// headers; `Int64.min` when a later one has none, as foreign files): a reader in time order
    /// knows that everything before it has been delivered.
    public var earliestLater: Int64 = .min

    /// Calls `body` with the member's bytes: whole lines, each ending in `\n`. The pointer is valid
    /// only inside `body` (as NIO's `withUnsafeReadableBytes`): copy what you keep.
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(bytes)
    }

    /// Calls `body` with each line, without its `\n`.
    @inline(__always)
    public func forEachLine(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        try LineSplitter.forEachLine(bytes, body)
    }
}
