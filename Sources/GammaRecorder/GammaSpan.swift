import GammaModel
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

    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var events: [SpanRecord.Event] = []
        var links: [SpanRecord.Link] = []
        var status: SpanRecord.Status = .unset
        var statusMessage: String?
        var recording = true
    }
    private let state: Mutex<State>

    init(name: String, context: InstrumentationContext, traceID: TraceID, spanID: SpanID, parentSpanID: SpanID?,
         kind: SpanRecord.Kind, start: Int64, tracer: GammaTracer) {
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
    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var attrs = attributes.gammaAttributes
        attrs["exception.type"] = .string(String(reflecting: type(of: error)))
        attrs["exception.message"] = .string(String(describing: error))
        let e = SpanRecord.Event(name: "exception", ts: tracer.time(Int64(clamping: instant().nanosecondsSinceEpoch)), attributes: attrs)
        state.withLock { s in if s.recording { s.events.append(e) } }
    }

    public func addLink(_ link: SpanLink) {
        guard let other = link.context.gammaSpanContext else { return }
        let l = SpanRecord.Link(traceID: other.traceID, spanID: other.spanID, attributes: link.attributes.gammaAttributes)
        state.withLock { s in if s.recording { s.links.append(l) } }
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        finish(at: tracer.time(Int64(clamping: instant().nanosecondsSinceEpoch)), unfinished: false)
    }

    /// Ends the span as still open at shutdown.
    func endUnfinished(at ts: Int64) { finish(at: ts, unfinished: true) }

    private func finish(at end: Int64, unfinished: Bool) {
        guard let s = state.withLock({ s -> State? in
            guard s.recording else { return nil }
            s.recording = false
            return s
        }) else { return }
        tracer.spanEnded(spanID)
        tracer.recorder.record(.span(SpanRecord(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, name: s.name, kind: kind,
            start: start, end: max(end, start), status: s.status, statusMessage: s.statusMessage,
            attributes: s.attributes.gammaAttributes, events: s.events, links: s.links, unfinished: unfinished)))
    }
}
