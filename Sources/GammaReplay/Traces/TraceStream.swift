import GammaLog
import GammaModel

/// Traces assembled from a log in time order, handed over one by one as they complete, in
/// memory that depends on how many traces are open at once, not on the log's length: the driver
/// of the streaming summary and of streamed exports.
///
/// Members come in time order (``LogReader/forEachMember(preparing:inTimeOrder:onDamage:_:)``),
/// their spans decoded on the reader's workers (in full, or `light`: ids, name, times and
/// status). A ``TraceWindow`` assembles them; after each member, every trace whose deadline
/// is before the member's `earliestLater` (no line still to come is earlier) is handed over.
struct TraceStream {
    let light: Bool
    let grace: Int64
    /// The resources met, the first an empty one for streams without.
    private(set) var resources: [Attributes] = [[:]]
    private var resourceIndex: [Attributes: Int32] = [[:]: 0]
    private var streamResource: [Int: Int32] = [:]
    private var window: TraceWindow<(SpanRecord, Int32)>
    var peakOpen: Int { window.peakOpen }

    init(light: Bool, grace: Int64) {
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
        for (stream, r) in StreamResources.read(reader).sorted(by: { $0.key < $1.key }) {
            streamResource[stream] = resourceID(r)
        }
        let light = self.light
        let summary = try reader.forEachMember(
            preparing: { SpanCollector.ParsedSpans($0, light: light, keep: { _ in true }) }, inTimeOrder: true,
            onDamage: { onIssue(.damage($0)) }
        ) { member, parsed in
            RecordLines.report(parsed.errors, reader, member, onIssue)
            if let r = parsed.resource { streamResource[member.stream] = resourceID(r) }
            let resource = streamResource[member.stream] ?? 0
            for s in parsed.spans {
                window.add((s, resource), trace: s.traceID, isRoot: s.parentSpanID == nil, end: s.end)
            }
            var done: [Trace] = []
            window.advance(to: member.earliestLater) { id, spans in done.append(Trace(traceID: id, spans: spans)) }
            for t in done { try complete(t, resources) }
            if let progress { progress(fraction.advance(member)) }
        }
        var rest: [Trace] = []
        window.finish { id, spans in rest.append(Trace(traceID: id, spans: spans)) }
        for t in rest { try complete(t, resources) }
        return summary
    }
}
