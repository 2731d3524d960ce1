import GammaModel
public import Instrumentation
public import Tracing
import Synchronization

/// A swift-distributed-tracing backend that records every ended span into a ``LogRecorder``.
///
/// IDs are W3C: a 128-bit trace id and 64-bit span ids, never zero. A span's parent is the span
/// of the context it starts in (the task-local `InstrumentationContext.current` under `withSpan`),
/// or a remote parent extracted from a `traceparent` header, so traces that cross processes join up.
public final class GammaTracer: Tracer {
    public typealias Span = GammaSpan

    /// Where span times come from.
    public enum TimeSource: Sendable {
        /// The instants the tracing API passes (the real clock unless the caller gives one).
        case instants
        /// The recorder's clock, ignoring the API's instants: for simulations on a ``ManualClock``.
        case recorderClock
    }

    /// When an ended span's record is written.
    public enum SpanWrites: Sendable {
        /// By the recorder's span thread, off the caller's path: `end()` only queues the span.
        /// Lines reach the log within about a millisecond, and before ``LogRecorder/flush()``
        /// returns; their order among other threads' lines is not the order of the calls.
        case deferred
        /// By `end()` itself, in the order of the calls: a simulation on a virtual clock, or with
        /// seeded ids, records the same bytes every time.
        case atEnd
    }

    public let recorder: LogRecorder
    public let timeSource: TimeSource
    public let writes: SpanWrites
    /// The spans started and not yet ended, each in its slot (no hashing on the caller's path):
    /// at shutdown, those not ended are ended as unfinished.
    private struct OpenSpans {
        var slots: [GammaSpan?] = []
        var free: [Int32] = []
        var count: Int { slots.count - free.count }
    }
    private let open = Mutex(OpenSpans())
    private let ids: IDGenerator
    /// Attribute keys repeat from span to span: their redaction rule is worked out once.
    private let rules = Mutex<[String: Redaction.KeyRule]>([:])

    func redactionRule(forKey key: String) -> Redaction.KeyRule {
        if let known = rules.withLock({ $0[key] }) { return known }
        let rule = recorder.redaction.rule(forKey: key)
        rules.withLock { r in
            if r.count >= 4096 { r.removeAll() }  // bounded: keys made from data must not grow it forever
            r[key] = rule
        }
        return rule
    }

    /// - Parameters:
    ///   - idSeed: seeds the trace and span ids, for a simulation that must record the same bytes
    ///     every time; `nil` (the default) seeds them at random.
    ///   - writes: by default `.deferred` on the real clock (``SystemClock``) with random ids, and
    ///     `.atEnd` on a virtual clock or with seeded ids, whose recordings must be reproducible.
    public init(
        recorder: LogRecorder, timeSource: TimeSource = .instants, idSeed: UInt64? = nil, writes: SpanWrites? = nil
    ) {
        self.recorder = recorder
        self.timeSource = timeSource
        self.writes = writes ?? (recorder.clock is SystemClock && idSeed == nil ? .deferred : .atEnd)
        self.ids = IDGenerator(seed: idSeed ?? UInt64.random(in: 1...UInt64.max))
    }

    func time(_ instant: Int64) -> Int64 {
        timeSource == .recorderClock ? recorder.clock.now() : instant
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> InstrumentationContext, ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant, function: String, file fileID: String, line: UInt
    ) -> GammaSpan {
        var context = context()
        let parent = context.gammaSpanContext
        let traceID = parent?.traceID ?? ids.traceID()
        let spanID = ids.spanID()
        context.gammaSpanContext = GammaSpanContext(
            traceID: traceID, spanID: spanID, isRemote: false, sampled: parent?.sampled ?? true)
        let start = time(Int64(clamping: instant().nanosecondsSinceEpoch))
        return open.withLock { o in
            let slot = o.free.popLast() ?? Int32(o.slots.count)
            let span = GammaSpan(
                name: operationName, context: context, traceID: traceID, spanID: spanID, parentSpanID: parent?.spanID,
                kind: SpanRecord.Kind(kind), start: start, tracer: self, slot: slot)
            if slot == o.slots.count { o.slots.append(span) } else { o.slots[Int(slot)] = span }
            return span
        }
    }

    /// The span in `slot` has ended.
    func spanEnded(slot: Int32) {
        open.withLock { o in
            o.slots[Int(slot)] = nil
            o.free.append(slot)
        }
    }

    /// Spans started and not yet ended.
    public var openSpanCount: Int { open.withLock { $0.count } }

    /// Ends every span still open, marked unfinished, at the recorder's current time. Called at shutdown.
    public func endOpenSpans() {
        let spans = open.withLock { $0.slots.compactMap { $0 } }
        let now = recorder.clock.now()
        for span in spans.sorted(by: { $0.start > $1.start }) { span.endUnfinished(at: now) }  // children first
    }

    public func forceFlush() { try? recorder.flush() }

    public func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext, into carrier: inout Carrier, using injector: Inject
    )
    where Inject.Carrier == Carrier {
        guard let span = context.gammaSpanContext else { return }
        injector.inject(span.traceparent, forKey: "traceparent", into: &carrier)
    }

    public func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier, into context: inout InstrumentationContext, using extractor: Extract
    )
    where Extract.Carrier == Carrier {
        guard let value = extractor.extract(key: "traceparent", from: carrier),
            let remote = GammaSpanContext(traceparent: value)
        else { return }
        context.gammaSpanContext = remote
    }
}

extension SpanRecord.Kind {
    init(_ kind: SpanKind) {
        switch kind {
        case .server: self = .server
        case .client: self = .client
        case .producer: self = .producer
        case .consumer: self = .consumer
        case .internal: self = .internal
        }
    }
}

/// Unique, well-spread ids without a system call per span: SplitMix64 over a seeded counter
/// (randomly seeded unless a simulation gives the seed).
final class IDGenerator: Sendable {
    private let counter: Atomic<UInt64>

    init(seed: UInt64) { counter = Atomic(seed) }

    func next() -> UInt64 {
        var z = counter.wrappingAdd(0x9E37_79B9_7F4A_7C15, ordering: .relaxed).newValue
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return z == 0 ? 1 : z
    }

    func spanID() -> SpanID { next() }
    func traceID() -> TraceID { UInt128(next()) << 64 | UInt128(next()) }
}
