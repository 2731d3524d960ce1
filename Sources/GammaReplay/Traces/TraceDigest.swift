public import GammaLog
public import GammaModel

/// What choosing traces needs, per trace, without keeping its spans: its time range, span and
/// failure counts, and whether a span's name matched. About 60 bytes a trace, so that selecting
/// among millions of traces is cheap; the chosen ones are then read in full.
public struct TraceDigest: Sendable {
    public var traceID: TraceID
    public var start = Int64.max
    public var end = Int64.min
    public var spans = 0
    public var errors = 0
    public var nameMatched = false
    public var duration: Int64 { end &- start }

    package init(traceID: TraceID) { self.traceID = traceID }

    /// The digests of every trace in `reader`, lines read on the reader's workers.
    public static func digest(_ reader: LogReader, name: Glob?, onIssue: (ReplayIssue) -> Void = { _ in }) throws
        -> [TraceDigest]
    {
        var byID: [TraceID: Int] = [:]
        var out: [TraceDigest] = []
        _ = try reader.forEachMember(preparing: { Parsed($0, name: name) }, onDamage: { onIssue(.damage($0)) }) {
            member, parsed in
            for s in parsed.spans {
                let i =
                    byID[s.trace]
                    ?? {
                        out.append(TraceDigest(traceID: s.trace))
                        byID[s.trace] = out.count - 1
                        return out.count - 1
                    }()
                out[i].start = min(out[i].start, s.start)
                out[i].end = max(out[i].end, s.end)
                out[i].spans += 1
                if s.error { out[i].errors += 1 }
                if s.matched { out[i].nameMatched = true }
            }
            RecordLines.report(parsed.errors, reader, member, onIssue)
        }
        return out
    }

    /// The traces `query` chooses, in its order (slowest first, or by start). `query.attributes`
    /// needs the spans' attributes and is not looked at here.
    public static func choose(_ digests: [TraceDigest], _ query: TraceQuery) -> [TraceDigest] {
        var kept = digests.filter { d in
            if let id = query.traceID, d.traceID != id { return false }
            if query.errors && d.errors == 0 { return false }
            if let m = query.minDuration, d.duration < m { return false }
            if query.name != nil && !d.nameMatched { return false }
            return true
        }
        if let n = query.slowest {
            kept.sort { a, b in a.duration != b.duration ? a.duration > b.duration : a.traceID < b.traceID }
            kept = Array(kept.prefix(n))
        } else {
            kept.sort { a, b in a.start != b.start ? a.start < b.start : a.traceID < b.traceID }
        }
        if let limit = query.limit { kept = Array(kept.prefix(limit)) }
        return kept
    }

    /// The chosen traces read in full: their spans, from the members of their time ranges only,
    /// and the trees built from them (in ``TraceForest/build(_:)``'s order). The second pass of
    /// every view that chooses traces by digest (gamma-traces, the HTML report).
    ///
    /// Each trace's range is read on its own (overlapping ones merged), so that a few traces far
    /// apart cost a few members, not the log between them; a log with foreign files (no headers
    /// to skip by) is read once, over the union of the ranges.
    public static func read(_ chosen: [TraceDigest], from reader: LogReader) throws -> (
        spans: CollectedSpans, forest: [Trace]
    ) {
        let ids = Set(chosen.map(\.traceID))
        guard !ids.isEmpty else { return (CollectedSpans(), []) }
        var ranges: [ClosedRange<Int64>] = []
        for r in chosen.map({ $0.start...max($0.start, $0.end) }).sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = ranges.last, r.lowerBound <= last.upperBound {
                ranges[ranges.count - 1] = last.lowerBound...max(last.upperBound, r.upperBound)
            } else {
                ranges.append(r)
            }
        }
        if ranges.count > 1 && reader.hasForeignSegments { ranges = [ranges[0].lowerBound...ranges.last!.upperBound] }
        var spans = CollectedSpans()
        let resources = StreamResources.read(reader)
        for r in ranges {
            var range = reader.options
            range.since = max(range.since ?? .min, r.lowerBound)
            range.until = min(range.until ?? .max, r.upperBound &+ 1)
            spans.append(
                try SpanCollector.collect(
                    LogReader(streams: reader.streams, options: range), keep: { ids.contains($0) },
                    resources: resources))
        }
        return (spans, TraceForest.build(spans))
    }

    struct Parsed: Sendable {
        struct Span { var trace: TraceID; var start: Int64; var end: Int64; var error: Bool; var matched: Bool }
        var spans: [Span] = []
        var errors: [(line: Int, error: RecordDecodingError)] = []

        init(_ bytes: UnsafeRawBufferPointer, name: Glob?) {
            RecordLines.forEach(in: bytes, invalid: &errors) { line, _, view in
                guard view.kind == .span, let trace = view.traceID, let start = view.start, let end = view.end else {
                    return
                }
                var matched = false
                if let name, let range = view.name {
                    let text: String
                    if view.nameEscaped, case .record(.span(let s))? = try? RecordDecoder.decode(line) {
                        text = s.name
                    } else {
                        text = String(decoding: UnsafeRawBufferPointer(rebasing: line[range]), as: UTF8.self)
                    }
                    matched = name.matches(text)
                }
                spans.append(Span(trace: trace, start: start, end: end, error: view.status == .error, matched: matched))
            }
        }
    }
}
