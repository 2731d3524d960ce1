public import GammaModel
public import Instrumentation
public import Tracing
import Synchronization

/// A span of the ``GammaTracer``. `end()` writes its span record; a second `end()` does nothing.
public final class GammaSpan: Tracing.Span {
    public let context: InstrumentationContext
    public let traceID: TraceID
    public let spanID: SpanID
    public let parentSpanID: SpanID?
    public let kind: SpanRecord.Kind
    public let start: Int64
    private let tracer: GammaTracer
    /// Its place among the tracer's open spans.
    private let slot: Int32

    private struct State {
        var name: String
        /// Room for a few attributes from the start: growing a dictionary rehashes every key.
        var attributes = SpanAttributes([String: SpanAttribute](minimumCapacity: 6))
        var events: [SpanRecord.Event] = []
        var links: [SpanRecord.Link] = []
        var status: SpanRecord.Status = .unset
        var statusMessage: String?
        var recording = true
        /// Set by `end()`, for ``write()``.
        var end: Int64 = 0
        var unfinished = false
    }
    private let state: Mutex<State>

    init(
        name: String, context: InstrumentationContext, traceID: TraceID, spanID: SpanID, parentSpanID: SpanID?,
        kind: SpanRecord.Kind, start: Int64, tracer: GammaTracer, slot: Int32
    ) {
        self.slot = slot
        self.context = context
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.start = start
        self.tracer = tracer
        state = Mutex(State(name: name))
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { if $0.recording { $0.name = newValue } } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { if $0.recording { $0.attributes = newValue } } }
        // `span.attributes[k] = v` would otherwise copy the whole dictionary out of the lock and
        // back on every call. The attributes move out (unshared, so the caller edits them in
        // place) and back; a set made meanwhile from another thread is kept, not lost.
        _modify {
            var taken = state.withLock { s -> SpanAttributes in
                var out = SpanAttributes()
                swap(&out, &s.attributes)
                return out
            }
            defer {
                state.withLock { s in
                    guard s.recording else { return }
                    let meanwhile = s.attributes
                    swap(&taken, &s.attributes)
                    if !meanwhile.isEmpty { meanwhile.forEach { key, value in s.attributes[key] = value } }
                }
            }
            yield &taken
        }
    }

    public var isRecording: Bool { state.withLock { $0.recording } }

    public func setStatus(_ status: SpanStatus) {
        state.withLock { s in
            guard s.recording else { return }
            s.status = status.code == .ok ? .ok : .error
            s.statusMessage = status.message
        }
    }

    public func addEvent(_ event: SpanEvent) {
        let ts = tracer.time(Int64(clamping: event.nanosecondsSinceEpoch))
        let e = SpanRecord.Event(name: event.name, ts: ts, attributes: event.attributes.gammaAttributes)
        state.withLock { s in if s.recording { s.events.append(e) } }
    }

    /// Adds an `exception` event with `exception.type` and `exception.message` (OpenTelemetry's
    /// semantic conventions) and the given attributes. The status is left to the caller.
    public func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {
        var attrs = attributes.gammaAttributes
        attrs["exception.type"] = .string(String(reflecting: type(of: error)))
        attrs["exception.message"] = .string(String(describing: error))
        let e = SpanRecord.Event(
            name: "exception", ts: tracer.time(Int64(clamping: instant().nanosecondsSinceEpoch)), attributes: attrs)
        state.withLock { s in if s.recording { s.events.append(e) } }
    }

    public func addLink(_ link: SpanLink) {
        guard let other = link.context.gammaSpanContext else { return }
        let l = SpanRecord.Link(
            traceID: other.traceID, spanID: other.spanID, attributes: link.attributes.gammaAttributes)
        state.withLock { s in if s.recording { s.links.append(l) } }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        finish(at: tracer.time(Int64(clamping: instant().nanosecondsSinceEpoch)), unfinished: false)
    }

    /// Ends the span as still open at shutdown.
    func endUnfinished(at ts: Int64) { finish(at: ts, unfinished: true) }

    /// Ends the span. With ``GammaTracer/SpanWrites/deferred`` the caller's part is only to mark
    /// it ended and queue it; its record is written by the recorder's span thread
    /// (``DeferredSpans``), or here when that queue is full.
    private func finish(at end: Int64, unfinished: Bool) {
        let ended = state.withLock { s -> Bool in
            guard s.recording else { return false }
            s.recording = false
            s.end = end
            s.unfinished = unfinished
            return true
        }
        guard ended else { return }
        tracer.spanEnded(slot: slot)
        if tracer.writes == .atEnd || !tracer.recorder.deferredSpans.push(self) { write() }
    }

    /// Writes the ended span's record: attributes redacted and sorted, the line encoded and
    /// appended to the recorder.
    func write() {
        let s = state.withLock { $0 }
        let end = s.end, unfinished = s.unfinished
        let recorder = tracer.recorder
        let redaction = recorder.redaction
        // Straight from the span's state to the line: attributes sorted by key, redacted as written.
        var redacted = 0
        let patterns = redaction.values
        var pairs: [(key: String, value: SpanAttribute, rule: Redaction.KeyRule)] = []
        pairs.reserveCapacity(s.attributes.count + 1)
        s.attributes.forEach { key, value in
            // The key's rule is worked out once per key (cached in the tracer); secrets in the
            // values of kept keys are replaced here.
            let rule = tracer.redactionRule(forKey: key)
            switch value {
            case .string(let v) where rule == .keep:
                let (t, n) = patterns.redact(v)
                redacted += n
                pairs.append((key, n == 0 ? value : .string(t), rule))
            case .stringArray(let vs) where rule == .keep:
                var changed = vs
                for j in vs.indices {
                    let (t, n) = patterns.redact(vs[j])
                    redacted += n
                    if n > 0 { changed[j] = t }
                }
                pairs.append((key, .stringArray(changed), rule))
            default:
                pairs.append((key, value, rule))
            }
        }
        let events = s.events.map { e in
            let (attributes, n) = redaction.applyCounting(e.attributes)
            redacted += n
            return SpanRecord.Event(name: e.name, ts: e.ts, attributes: attributes)
        }
        let links = s.links.map { l in
            let (attributes, n) = redaction.applyCounting(l.attributes)
            redacted += n
            return SpanRecord.Link(traceID: l.traceID, spanID: l.spanID, attributes: attributes)
        }
        var statusMessage = s.statusMessage
        if let m = statusMessage {
            let (t, n) = redaction.applyCounting(text: m)
            redacted += n
            statusMessage = t
        }
        if redacted > 0 { pairs.append((Redaction.redactedCountKey, .int64(Int64(redacted)), .keep)) }
        pairs.sort { JSONWriter.byteOrder($0.key, $1.key) }
        var w = JSONWriter(capacity: 512)
        RecordEncoder.encodeSpan(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, name: s.name, kind: kind,
            start: start, end: max(end, start), status: s.status, statusMessage: statusMessage,
            attributes: { w in
                w.byte(UInt8(ascii: "{"))
                for (i, (key, value, rule)) in pairs.enumerated() {
                    if i > 0 { w.byte(0x2C) }
                    w.key(key)
                    switch rule {
                    case .redact: w.string(Redaction.redacted)
                    case .notCaptured: w.string(Redaction.notCaptured)
                    case .keep: Self.write(value, redaction, &w)
                    }
                }
                w.byte(UInt8(ascii: "}"))
            },
            events: events, links: links, unfinished: unfinished, into: &w)
        w.withBytes { recorder.append($0, timestamp: max(end, start)) }
    }

    /// A tracing attribute value as its record attribute, long strings cut per the redaction.
    static func write(_ value: SpanAttribute, _ redaction: Redaction, _ w: inout JSONWriter) {
        switch value {
        case .int32(let v): w.int(Int64(v))
        case .int64(let v): w.int(v)
        case .double(let v): w.doubleAttribute(v)
        case .bool(let v): w.bool(v)
        case .string(let v): w.string(v.utf8.count > redaction.maxValueBytes ? redaction.truncate(v) : v)
        default: w.attribute(redaction.apply(key: "", value.gammaValue))
        }
    }
}
