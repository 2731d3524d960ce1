public import GammaModel

/// Which traces to show.
public struct TraceQuery: Sendable {
    /// Only this trace.
    public var traceID: TraceID?
    /// Only traces with an error span.
    public var errors = false
    /// Only traces with a span whose name matches (the whole trace is shown, those spans marked).
    public var name: Glob?
    /// Only traces lasting at least this long (nanoseconds).
    public var minDuration: Int64?
    /// Only traces with a span carrying all these attributes (values compared as text).
    public var attributes: [(key: String, value: String)] = []
    /// The N slowest (by duration), slowest first; otherwise by start time.
    public var slowest: Int?
    /// At most this many traces.
    public var limit: Int?

    public init() {}

    /// Whether one span matches the span conditions (`name`, `attributes`).
    public func spanMatches(_ s: SpanRecord) -> Bool {
        if let name, !name.matches(s.name) { return false }
        for (k, v) in attributes {
            guard let a = s.attributes[k], Self.text(a) == v else { return false }
        }
        return true
    }

    /// Whether a trace passes the conditions (not `slowest` and `limit`, which rank traces).
    public func matches(_ t: Trace) -> Bool {
        if let traceID, t.traceID != traceID { return false }
        if errors && t.errorCount == 0 { return false }
        if let minDuration, t.duration < minDuration { return false }
        if name != nil || !attributes.isEmpty, !t.nodes.contains(where: { spanMatches($0.span) }) { return false }
        return true
    }

    public func select(_ traces: [Trace]) -> [Trace] {
        var kept = traces.filter(matches)
        if let slowest {
            kept.sort { a, b in a.duration != b.duration ? a.duration > b.duration : a.traceID < b.traceID }
            kept = Array(kept.prefix(slowest))
        }
        if let limit { kept = Array(kept.prefix(limit)) }
        return kept
    }

    /// An attribute value as text, as `--attr key=value` compares it.
    public static func text(_ v: AttributeValue) -> String {
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return ReportNumbers.shortest(d)
        case .bool(let b): return b ? "true" : "false"
        case .stringArray(let xs): return xs.joined(separator: ",")
        case .intArray(let xs): return xs.map(String.init).joined(separator: ",")
        case .doubleArray(let xs): return xs.map(ReportNumbers.shortest).joined(separator: ",")
        case .boolArray(let xs): return xs.map { $0 ? "true" : "false" }.joined(separator: ",")
        }
    }
}

/// Per span name: how many, how many failed, duration quantiles and the share of self time.
public struct SpanNameSummary: Equatable, Sendable {
    public var name: String
    public var count: Int
    public var errors: Int
    public var p50: Double, p95: Double, p99: Double
    /// This name's self time over all spans' self time.
    public var selfShare: Double

    public static func summarize(_ traces: [Trace]) -> [SpanNameSummary] {
        var durations: [String: [Double]] = [:]
        var errors: [String: Int] = [:]
        var selfTime: [String: Int64] = [:]
        var total: Int64 = 0
        for t in traces {
            for n in t.nodes {
                durations[n.span.name, default: []].append(Double(n.duration))
                if n.span.status == .error { errors[n.span.name, default: 0] += 1 }
                selfTime[n.span.name, default: 0] = selfTime[n.span.name, default: 0].saturatingAdd(n.selfTime)
                total = total.saturatingAdd(n.selfTime)
            }
        }
        return durations.keys.sorted { JSONWriter.byteOrder($0, $1) }.map { name in
            var d = durations[name]!
            d.sort()
            return SpanNameSummary(
                name: name, count: d.count, errors: errors[name] ?? 0,
                p50: Quantiles.linear(d, 0.5)!, p95: Quantiles.linear(d, 0.95)!, p99: Quantiles.linear(d, 0.99)!,
                selfShare: total > 0 ? Double(selfTime[name] ?? 0) / Double(total) : 0)
        }
    }
}
