package import GammaLog
package import GammaModel

/// Traces assembled from a log in time order, handed over one by one as they complete, in
/// memory that depends on how many traces are open at once, not on the log's length: the driver
/// of the streaming summary and of streamed exports.
///
/// Members come in time order (``LogReader/forEachMember(preparing:inTimeOrder:onDamage:_:)``),
/// their spans decoded on the reader's workers (in full, or `light`: ids, name, times and
/// status). A ``TraceWindow`` assembles them; after each member, every trace whose deadline
/// is before the member's `earliestLater` (no line still to come is earlier) is handed over.
package struct TraceStream {
    let light: Bool
    let grace: Int64
    /// The resources met, the first an empty one for streams without.
    private(set) var resources: [Attributes] = [[:]]
    private var resourceIndex: [Attributes: Int32] = [[:]: 0]
    private var streamResource: [Int: Int32] = [:]
    private var window: TraceWindow<(SpanRecord, Int32)>
    var peakOpen: Int { window.peakOpen }

    package init(light: Bool, grace: Int64) {
        self.light = light
        self.grace = grace
        window = TraceWindow(grace: grace)
    }

    private mutating func resourceID(_ attributes: Attributes) -> Int32 {
        if let id = resourceIndex[attributes] { return id }
        let id = Int32(resources.count)
        resources.append(attributes)
        resourceIndex[attributes] = id
        return id
    }

    /// Reads `reader`, calling `complete` with each trace as it completes (the resources table
    /// holds every resource its spans name), and with the traces still open at the end.
    mutating func read(
        _ reader: LogReader, progress: ((Double) -> Void)? = nil, onIssue: (ReplayIssue) -> Void,
        complete: (Trace, [Attributes]) throws -> Void
    ) throws -> ReadSummary {
        var fraction = ReadProgress(reader)
        begin(reader)
        let light = self.light
        let summary = try reader.forEachMember(
            preparing: { SpanCollector.ParsedSpans($0, light: light, keep: { _ in true }) }, inTimeOrder: true,
            onDamage: { onIssue(.damage($0)) }
        ) { member, parsed in
            RecordLines.report(parsed.errors, reader, member, onIssue)
            try add(parsed, member, complete: complete)
            if let progress { progress(fraction.advance(member)) }
        }
        try finish(complete: complete)
        return summary
    }

    /// Takes each stream's resource, before the first member of `reader` is added.
    package mutating func begin(_ reader: LogReader) {
        for (stream, r) in StreamResources.read(reader).sorted(by: { $0.key < $1.key }) {
            streamResource[stream] = resourceID(r)
        }
    }

    /// Takes the spans a worker read from one member (members in time order), and hands over
    /// the traces that are then complete.
    package mutating func add(
        _ parsed: SpanCollector.ParsedSpans, _ member: LogMember, complete: (Trace, [Attributes]) throws -> Void
    ) rethrows {
        if let r = parsed.resource { streamResource[member.stream] = resourceID(r) }
        let resource = streamResource[member.stream] ?? 0
        for s in parsed.spans {
            window.add((s, resource), trace: s.traceID, isRoot: s.parentSpanID == nil, end: s.end)
        }
        var done: [Trace] = []
        window.advance(to: member.earliestLater) { id, spans in done.append(Trace(traceID: id, spans: spans)) }
        for t in done { try complete(t, resources) }
    }

    /// Hands over the traces still open, once every member has been added.
    package mutating func finish(complete: (Trace, [Attributes]) throws -> Void) rethrows {
        var rest: [Trace] = []
        window.finish { id, spans in rest.append(Trace(traceID: id, spans: spans)) }
        for t in rest { try complete(t, resources) }
    }
}
