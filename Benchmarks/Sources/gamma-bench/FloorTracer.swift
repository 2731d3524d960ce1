import Instrumentation
import Synchronization
import Tracing

/// The least a tracing backend can do through the swift-distributed-tracing API, as a floor for
/// the span benchmark: it reads the parent from the context and puts the new span in it, keeps
/// attributes behind a lock as a real span must (spans are Sendable), and on `end()` records
/// nothing. Whatever it costs, a backend that writes the span costs more.
final class FloorTracer: Tracer {
    typealias Span = FloorSpan

    enum Key: ServiceContextKey {
        typealias Value = UInt64
    }

    private let next = Atomic<UInt64>(1)

    func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> FloorSpan {
        var context = context()
        let parent = context[Key.self]
        let id = next.wrappingAdd(1, ordering: .relaxed).newValue
        context[Key.self] = id
        return FloorSpan(name: operationName, context: context, parent: parent, start: instant().nanosecondsSinceEpoch)
    }

    func forceFlush() {}
    func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    )
    where Inject.Carrier == Carrier {}
    func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    )
    where Extract.Carrier == Carrier {}
}

final class FloorSpan: Tracing.Span {
    let context: InstrumentationContext
    let parent: UInt64?
    let start: UInt64

    private struct State {
        var name: String
        var attributes = SpanAttributes([String: SpanAttribute](minimumCapacity: 6))  // as GammaSpan does
        var ended = false
    }
    private let state: Mutex<State>

    init(name: String, context: InstrumentationContext, parent: UInt64?, start: UInt64) {
        self.context = context
        self.parent = parent
        self.start = start
        state = Mutex(State(name: name))
    }

    var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
        _modify {
            var taken = state.withLock { s -> SpanAttributes in
                var out = SpanAttributes()
                swap(&out, &s.attributes)
                return out
            }
            defer { state.withLock { s in swap(&taken, &s.attributes) } }
            yield &taken
        }
    }

    var isRecording: Bool { state.withLock { !$0.ended } }
    func setStatus(_ status: SpanStatus) {}
    func addEvent(_ event: SpanEvent) {}
    func recordError<Instant: TracerInstant>(
        _ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant
    ) {}
    func addLink(_ link: SpanLink) {}
    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        _ = instant()
        state.withLock { $0.ended = true }
    }
}
