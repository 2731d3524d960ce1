import GammaModel
import GammaTestKit

/// A seeded generator of arbitrary records, for property tests. Prints its seed on failure through the test name.
struct RandomRecords {
    var rng: SplitMix64

    init(state: UInt64) { rng = SplitMix64(seed: state) }

    mutating func next() -> UInt64 { rng.next() }

    mutating func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
    mutating func chance(_ p: Double) -> Bool { Double(next() % 1_000_000) / 1_000_000 < p }

    /// Text with escapes, control characters, non-ASCII and astral characters.
    mutating func text() -> String {
        let pieces = [
            "a", "llm.latency_ms", "\"", "\\", "\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "日本", "😀", "/", "<script>",
            " ", "\u{2028}"
        ]
        return (0..<int(0...6)).map { _ in pieces[int(0...(pieces.count - 1))] }.joined()
    }

    mutating func double() -> Double {
        switch int(0...9) {
        case 0: return .nan
        case 1: return .infinity
        case 2: return -.infinity
        case 3: return Double(int(-1000...1000))
        case 4: return Double(bitPattern: next())  // any bit pattern, NaNs and subnormals included
        case 5: return 0.1 * Double(int(-99...99))
        default: return Double(int(-1_000_000...1_000_000)) / Double(int(1...1000))
        }
    }

    /// A time of the whole valid range, 0 to `Int64.max`, its ends included now and then.
    mutating func ts() -> Int64 {
        switch int(0...9) {
        case 0: return 0
        case 1: return .max
        default: return Int64(bitPattern: next() & UInt64(Int64.max))
        }
    }

    mutating func labels() -> [String: String] {
        var m: [String: String] = [:]
        for _ in 0..<int(0...4) { m[text()] = text() }
        return m
    }

    mutating func attribute() -> AttributeValue {
        switch int(0...7) {
        case 0: return .string(text())
        case 1: return .int(Int64(bitPattern: next()))
        case 2: return .double(finiteDouble())
        case 3: return .bool(chance(0.5))
        case 4: return .stringArray((0..<int(0...3)).map { _ in text() })
        case 5: return .intArray((0..<int(1...3)).map { _ in Int64(int(-5...5)) })
        case 6: return .doubleArray((0..<int(1...3)).map { _ in finiteDouble() })
        default: return .boolArray((0..<int(1...3)).map { _ in chance(0.5) })
        }
    }

    mutating func finiteDouble() -> Double {
        var d = double()
        while !d.isFinite || d == d.rounded() && abs(d) < 1e15 && int(0...1) == 0 { d = Double(int(-99...99)) + 0.5 }
        return d
    }

    mutating func attributes() -> Attributes {
        var m: Attributes = [:]
        for _ in 0..<int(0...4) { m[text()] = attribute() }
        return m
    }

    mutating func record() -> Record {
        switch int(0...4) {
        case 0: return .resource(ResourceRecord(ts: ts(), schema: 1, stream: text(), attributes: attributes()))
        case 1:
            return .metric(
                MetricRecord(
                    kind: MetricKind.allCases[int(0...2)], ts: ts(), name: text(), labels: labels(), value: double()))
        case 2:
            return .meta(
                MetaRecord(
                    ts: ts(), name: text(), kind: MetricKind.allCases[int(0...2)],
                    unit: chance(0.5) ? text() : nil, help: chance(0.5) ? text() : nil))
        case 3:
            let start = min(ts(), Int64.max - 1_000_000)
            return .span(
                SpanRecord(
                    traceID: UInt128(next()) << 64 | UInt128(next() | 1), spanID: next() | 1,
                    parentSpanID: chance(0.5) ? next() | 1 : nil,
                    name: text(), kind: SpanRecord.Kind.allCases[int(0...4)], start: start,
                    end: start &+ Int64(int(0...1_000_000)),
                    status: SpanRecord.Status.allCases[int(0...2)], statusMessage: chance(0.3) ? text() : nil,
                    attributes: attributes(),
                    events: (0..<int(0...2)).map { _ in .init(name: text(), ts: ts(), attributes: attributes()) },
                    links: (0..<int(0...2)).map { _ in
                        .init(traceID: UInt128(next() | 1), spanID: next() | 1, attributes: attributes())
                    },
                    unfinished: chance(0.2)))
        default:
            return .alert(
                AlertRecord(
                    ts: ts(), rule: text(), state: AlertRecord.State.allCases[int(0...3)], severity: text(),
                    labels: labels(), value: chance(0.8) ? double() : nil, threshold: chance(0.5) ? double() : nil))
        }
    }
}

/// Equality that treats NaN as equal to NaN (records carry NaN values legitimately).
func same(_ a: Record, _ b: Record) -> Bool {
    func nanSafe(_ r: Record) -> Record {
        switch r {
        case .metric(var m): if m.value.isNaN { m.value = 12345.678 }; return .metric(m)
        case .alert(var a):
            if a.value?.isNaN == true { a.value = 12345.678 }
            if a.threshold?.isNaN == true { a.threshold = 12345.678 }
            return .alert(a)
        default: return r
        }
    }
    return nanSafe(a) == nanSafe(b)
}
