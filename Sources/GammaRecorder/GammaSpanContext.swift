public import GammaModel
public import Instrumentation

/// The identity of a span in an `InstrumentationContext`: what children and injected headers carry.
public struct GammaSpanContext: Hashable, Sendable {
    public var traceID: TraceID
    public var spanID: SpanID
    /// Whether it came from another process, through `traceparent`.
    public var isRemote: Bool
    public var sampled: Bool

    public init(traceID: TraceID, spanID: SpanID, isRemote: Bool = false, sampled: Bool = true) {
        self.traceID = traceID
        self.spanID = spanID
        self.isRemote = isRemote
        self.sampled = sampled
    }

    /// The W3C Trace Context header value: `00-<32 hex trace id>-<16 hex span id>-<flags>`.
    public var traceparent: String {
        "00-\(Hex.string(traceID, digits: 32))-\(Hex.string(UInt128(spanID), digits: 16))-\(sampled ? "01" : "00")"
    }

    /// Parses a `traceparent` value (version 00, or a later version read as 00 per the spec);
    /// `nil` for anything malformed, all-zero ids, or version ff.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
            parts[0] != "ff", parts[0] != "00" || parts.count == 4,
            let version = Hex.parse(parts[0]), version <= 0xFE,
            let trace = Hex.parse(parts[1]), trace != 0,
            let span = Hex.parse(parts[2]), span != 0,
            let flags = Hex.parse(parts[3])
        else { return nil }
        self.init(traceID: trace, spanID: SpanID(span), isRemote: true, sampled: flags & 1 == 1)
    }
}

extension InstrumentationContext {
    /// The Gamma span of this context, if any.
    public var gammaSpanContext: GammaSpanContext? {
        get { self[GammaSpanContextKey.self] }
        set { self[GammaSpanContextKey.self] = newValue }
    }
}

private enum GammaSpanContextKey: InstrumentationContextKey {
    typealias Value = GammaSpanContext
}
