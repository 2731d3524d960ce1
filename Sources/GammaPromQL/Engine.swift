#if canImport(Glibc)
import Glibc
#endif

/// One element of an instant vector.
public struct Sample: Sendable, Equatable {
    public var labels: Labels
    public var value: Double
    public init(_ labels: Labels, _ value: Double) {
        self.labels = labels
        self.value = value
    }
}

/// One series of a range vector: its samples in the range, without staleness markers.
public struct RangeSeries: Sendable {
    public var labels: Labels
    public var points: [(t: Int64, v: Double)]
}

public enum Value: Sendable {
    case scalar(Double)
    case vector([Sample])
    case matrix([RangeSeries])
    case string(String)

    public var vector: [Sample] {
        if case .vector(let v) = self { return v }
        return []
    }
}

/// An error while evaluating (many-to-many matching, a duplicate series in a result).
public struct EvaluationError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(description: String) { self.description = description }
}

/// Evaluates expressions of the subset with Prometheus 3's semantics: an instant selector takes
/// a series' latest sample in the lookback window `(t - 5m, t]`, unless that sample is a staleness
/// marker; a range selector takes the samples in `(t - range, t]`; times are milliseconds.
public struct Engine: Sendable {
    public var lookback: Int64 = 300_000

    /// Whose semantics where Prometheus versions differ: rate, increase and delta at the start of
    /// a series (Prometheus 2 limits the extrapolation by the counter's zero point first, and
    /// extrapolates to it when that is close; 3 decides the extrapolation first and then limits
    /// it). Gamma follows Prometheus 3; `.prometheus2` is for checking with promtool 2.x.
    public enum Compatibility: Sendable { case prometheus3, prometheus2 }
    public var compatibility = Compatibility.prometheus3

    public init() {}

    public func evaluate(_ expr: Expr, at t: Int64, in source: some SeriesSource) throws(EvaluationError) -> Value {
        switch expr {
        case .number(let v): return .scalar(v)
        case .string(let s): return .string(s)
        case .paren(let e): return try evaluate(e, at: t, in: source)
        case .negate(let e):
            switch try evaluate(e, at: t, in: source) {
            case .scalar(let v): return .scalar(-v)
            case .vector(let v): return .vector(v.map { Sample($0.labels.withoutName, -$0.value) })
            default: throw EvaluationError(description: "unary minus needs a scalar or an instant vector")
            }
        case .selector(let s): return .vector(instant(s, at: t, in: source))
        case .range(let s, let r): return .matrix(range(s, r, at: t, in: source))
        case .call(let f, let args): return try call(f, args, at: t, in: source)
        case .aggregate(let a): return try aggregate(a, at: t, in: source)
        case .binary(let op, let a, let b, let m):
            return try binary(op, try evaluate(a, at: t, in: source), try evaluate(b, at: t, in: source), m)
        }
    }

    func instant(_ s: VectorSelector, at t: Int64, in source: some SeriesSource) -> [Sample] {
        let at = t - s.offset
        var out: [Sample] = []
        for series in source.series(matching: s.matchers) {
            guard let i = series.lastIndex(atOrBefore: at), series.times[i] > at - lookback,
                !series.values[i].isStaleMarker
            else { continue }
            out.append(Sample(series.labels, series.values[i]))
        }
        return out
    }

    func range(_ s: VectorSelector, _ r: Int64, at t: Int64, in source: some SeriesSource) -> [RangeSeries] {
        let end = t - s.offset, start = end - r
        var out: [RangeSeries] = []
        for series in source.series(matching: s.matchers) {
            guard let last = series.lastIndex(atOrBefore: end) else { continue }
            var points: [(Int64, Double)] = []
            var i = last
            while i >= 0 && series.times[i] > start {
                if !series.values[i].isStaleMarker { points.append((series.times[i], series.values[i])) }
                i -= 1
            }
            if !points.isEmpty { out.append(RangeSeries(labels: series.labels, points: points.reversed())) }
        }
        return out
    }

    // MARK: functions

    private func scalarArg(_ e: Expr, at t: Int64, in source: some SeriesSource) throws(EvaluationError) -> Double {
        if case .scalar(let v) = try evaluate(e, at: t, in: source) { return v }
        throw EvaluationError(description: "expected a scalar")
    }

    private func call(_ f: Function, _ args: [Expr], at t: Int64, in source: some SeriesSource) throws(EvaluationError)
        -> Value
    {
        func matrix(_ k: Int) throws(EvaluationError) -> ([RangeSeries], Int64) {
            guard case .range(_, let r) = args[k].unparenthesized,
                case .matrix(let m) = try evaluate(args[k], at: t, in: source)
            else { throw EvaluationError(description: "expected a range vector") }
            return (m, r)
        }
        func vector(_ k: Int) throws(EvaluationError) -> [Sample] { try evaluate(args[k], at: t, in: source).vector }
        func overTime(_ body: ([Double]) -> Double?) throws(EvaluationError) -> Value {
            let (m, _) = try matrix(args.count - 1)
            return .vector(m.compactMap { s in body(s.points.map(\.v)).map { Sample(s.labels.withoutName, $0) } })
        }
        switch f {
        case .rate, .increase, .delta:
            let (m, r) = try matrix(0)
            guard case .range(let sel, _) = args[0].unparenthesized else { return .vector([]) }
            let end = t - sel.offset
            return .vector(
                m.compactMap { s in
                    Functions.extrapolated(
                        s.points, rangeStart: end - r, rangeEnd: end, isCounter: f != .delta, isRate: f == .rate,
                        zeroFirst: compatibility == .prometheus2
                    ).map { Sample(s.labels.withoutName, $0) }
                })
        case .irate, .idelta:
            let (m, _) = try matrix(0)
            return .vector(
                m.compactMap { s in
                    guard s.points.count >= 2 else { return nil }
                    let a = s.points[s.points.count - 2], b = s.points[s.points.count - 1]
                    var d = b.v - a.v
                    if f == .irate {
                        if b.v < a.v { d = b.v }  // a counter reset
                        let dt = Double(b.t - a.t) / 1000
                        guard dt > 0 else { return nil }
                        d /= dt
                    }
                    return Sample(s.labels.withoutName, d)
                })
        case .resets:
            return try overTime { vs in Double(zip(vs, vs.dropFirst()).count { $1 < $0 }) }
        case .changes:
            return try overTime { vs in
                Double(zip(vs, vs.dropFirst()).count { a, b in !(a == b || (a.isNaN && b.isNaN)) })
            }
        case .avg_over_time: return try overTime { Functions.mean($0) }
        case .sum_over_time: return try overTime { Functions.kahanSum($0) }
        case .count_over_time: return try overTime { Double($0.count) }
        case .min_over_time:
            return try overTime { vs in vs.dropFirst().reduce(vs[0]) { m, v in (v < m || m.isNaN) ? v : m } }
        case .max_over_time:
            return try overTime { vs in vs.dropFirst().reduce(vs[0]) { m, v in (v > m || m.isNaN) ? v : m } }
        case .last_over_time:
            let (m, _) = try matrix(0)
            return .vector(m.map { Sample($0.labels, $0.points.last!.v) })
        case .stddev_over_time: return try overTime { Functions.stddev($0) }
        case .quantile_over_time:
            let q = try scalarArg(args[0], at: t, in: source)
            return try overTime { Functions.quantile(q, $0) }
        case .histogram_quantile:
            let q = try scalarArg(args[0], at: t, in: source)
            return .vector(Functions.histogramQuantile(q, try vector(1)))
        case .absent, .absent_over_time:
            let present = f == .absent ? !(try vector(0)).isEmpty : !(try matrix(0)).0.isEmpty
            if present { return .vector([]) }
            return .vector([Sample(Functions.absentLabels(args[0]), 1)])
        case .abs: return .vector(try vector(0).map { Sample($0.labels.withoutName, Swift.abs($0.value)) })
        case .clamp_min:
            let m = try scalarArg(args[1], at: t, in: source)
            return .vector(try vector(0).map { Sample($0.labels.withoutName, Functions.clamp($0.value, min: m)) })
        case .clamp_max:
            let m = try scalarArg(args[1], at: t, in: source)
            return .vector(try vector(0).map { Sample($0.labels.withoutName, Functions.clamp($0.value, max: m)) })
        case .round:
            let to = args.count > 1 ? try scalarArg(args[1], at: t, in: source) : 1
            let inverse = 1 / to
            return .vector(
                try vector(0).map { Sample($0.labels.withoutName, floor($0.value * inverse + 0.5) / inverse) })
        case .time: return .scalar(Double(t) / 1000)
        case .vector: return .vector([Sample(Labels([(String, String)]()), try scalarArg(args[0], at: t, in: source))])
        case .scalar:
            let v = try vector(0)
            return .scalar(v.count == 1 ? v[0].value : .nan)
        }
    }

    // MARK: aggregations

    private func aggregate(_ a: Aggregation, at t: Int64, in source: some SeriesSource) throws(EvaluationError) -> Value
    {
        let input = try evaluate(a.expr, at: t, in: source).vector
        let parameter = try a.parameter.map { e throws(EvaluationError) in try scalarArg(e, at: t, in: source) }
        let names = Set(a.grouping)
        var groups: [Labels: [Sample]] = [:]
        var order: [Labels] = []
        for s in input {
            let key =
                a.without
                ? s.labels.keeping(names.union(["__name__"]), include: false) : s.labels.keeping(names, include: true)
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(s)
        }
        var out: [Sample] = []
        for key in order {
            let members = groups[key]!
            let values = members.map(\.value)
            switch a.op {
            case .sum: out.append(Sample(key, Functions.kahanSum(values)))
            case .avg: out.append(Sample(key, Functions.mean(values)))
            case .count: out.append(Sample(key, Double(values.count)))
            case .min:
                out.append(Sample(key, values.dropFirst().reduce(values[0]) { m, v in (v < m || m.isNaN) ? v : m }))
            case .max:
                out.append(Sample(key, values.dropFirst().reduce(values[0]) { m, v in (v > m || m.isNaN) ? v : m }))
            case .quantile: out.append(Sample(key, Functions.quantile(parameter ?? .nan, values)))
            case .topk, .bottomk:
                guard let p = parameter, p.isFinite, p >= 1 else { continue }
                let k = Int(Swift.min(p, Double(members.count)))
                let top = a.op == .topk
                let sorted = members.sorted { x, y in
                    if x.value.isNaN != y.value.isNaN { return !x.value.isNaN }
                    return top ? x.value > y.value : x.value < y.value
                }
                out += sorted.prefix(k)
            }
        }
        return .vector(out)
    }

    // MARK: binary operators

    private func binary(_ op: BinaryOperator, _ a: Value, _ b: Value, _ m: VectorMatching) throws(EvaluationError)
        -> Value
    {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)):
            return .scalar(Functions.arithmeticOrBool(op, x, y))
        case (.vector(let v), .scalar(let y)):
            return .vector(v.compactMap { s in vectorScalar(op, s, s.value, y, m.returnBool, vectorOnLeft: true) })
        case (.scalar(let x), .vector(let v)):
            return .vector(v.compactMap { s in vectorScalar(op, s, x, s.value, m.returnBool, vectorOnLeft: false) })
        case (.vector(let l), .vector(let r)):
            return .vector(try vectorVector(op, l, r, m))
        default:
            throw EvaluationError(description: "binary \(op.rawValue) needs scalars or instant vectors")
        }
    }

    private func vectorScalar(
        _ op: BinaryOperator, _ s: Sample, _ x: Double, _ y: Double, _ returnBool: Bool, vectorOnLeft: Bool
    ) -> Sample? {
        if op.isComparison {
            let holds = Functions.compare(op, x, y)
            if returnBool { return Sample(s.labels.withoutName, holds ? 1 : 0) }
            return holds ? Sample(s.labels, s.value) : nil
        }
        return Sample(s.labels.withoutName, Functions.arithmeticOrBool(op, x, y))
    }

    private func signature(_ l: Labels, _ m: VectorMatching) -> Labels {
        m.on ? l.keeping(Set(m.labels), include: true) : l.keeping(Set(m.labels).union(["__name__"]), include: false)
    }

    private func vectorVector(_ op: BinaryOperator, _ l: [Sample], _ r: [Sample], _ m: VectorMatching)
        throws(EvaluationError) -> [Sample]
    {
        if op.isSet {
            let rightKeys = Set(r.map { signature($0.labels, m) })
            switch op {
            case .and: return l.filter { rightKeys.contains(signature($0.labels, m)) }
            case .unless: return l.filter { !rightKeys.contains(signature($0.labels, m)) }
            default:
                let leftKeys = Set(l.map { signature($0.labels, m) })
                return l + r.filter { !leftKeys.contains(signature($0.labels, m)) }
            }
        }
        // The "one" side is indexed by signature; it must be unique there.
        let (many, one, swapped) = m.card == .oneToMany ? (r, l, true) : (l, r, false)
        var index: [Labels: Sample] = [:]
        for s in one {
            let k = signature(s.labels, m)
            if index[k] != nil {
                throw EvaluationError(
                    description:
                        "found duplicate series for the match group \(k) on the \(swapped ? "left" : "right") hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side"
                )
            }
            index[k] = s
        }
        var seen: Set<Labels> = []
        var out: [Sample] = []
        for s in many {
            let k = signature(s.labels, m)
            guard let o = index[k] else { continue }
            let (x, y) = swapped ? (o.value, s.value) : (s.value, o.value)
            var value = x
            if op.isComparison {
                let holds = Functions.compare(op, x, y)
                if !m.returnBool && !holds { continue }
                value = m.returnBool ? (holds ? 1 : 0) : (swapped ? o.value : s.value)
            } else {
                value = Functions.arithmeticOrBool(op, x, y)
            }
            // The result's labels: the "many" side's (only the `on` labels one-to-one), with the
            // `group_left`/`group_right` labels of the "one" side.
            var labels = s.labels
            if m.card == .oneToOne {
                labels =
                    m.on
                    ? labels.keeping(Set(m.labels), include: true, keepName: false)
                    : labels.keeping(Set(m.labels), include: false, keepName: true)
            }
            if !op.isComparison || m.returnBool { labels = labels.withoutName }
            for name in m.include { labels[name] = o.labels[name] }
            if m.card == .oneToOne {
                guard seen.insert(signature(s.labels, m)).inserted else {
                    throw EvaluationError(
                        description:
                            "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)"
                    )
                }
            }
            out.append(Sample(labels, value))
        }
        return out
    }
}

extension Expr {
    var unparenthesized: Expr {
        if case .paren(let e) = self { return e.unparenthesized }
        return self
    }
}
