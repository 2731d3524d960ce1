@testable import GammaModel
import Testing

@Suite struct RecordViewTests {
    static func view(_ line: [UInt8]) -> Result<RecordView, RecordDecodingError> {
        line.withUnsafeBytes { b in
            var v = RecordView()
            do throws(RecordDecodingError) { try RecordView.scan(b, into: &v); return .success(v) } catch {
                return .failure(error)
            }
        }
    }

    /// On arbitrary records the view reads the same fields as the full decoder.
    @Test(arguments: [21, 22, 23] as [UInt64])
    func theViewReadsWhatTheDecoderReads(seed: UInt64) throws {
        var gen = RandomRecords(state: seed)
        for n in 0..<2000 {
            let record = gen.record()
            let line = RecordEncoder.encode(record)
            let v = try Self.view(line).get()
            #expect(v.ts == record.ts, "seed \(seed) record \(n)")
            switch record {
            case .metric(let m):
                #expect(v.kind.rawValue == [.counter: 1, .gauge: 2, .histogram: 3][m.kind])
                #expect(v.value.map { $0.isNaN ? m.value.isNaN : $0 == m.value } == true)
                let name = v.name.map { String(decoding: line[$0], as: UTF8.self) }
                if !v.nameEscaped { #expect(name == m.name) }
            case .span(let s):
                #expect(
                    v.kind == .span && v.spanID == s.spanID && v.traceID == s.traceID && v.start == s.start
                        && v.end == s.end)
                #expect(v.parentSpanID == s.parentSpanID && v.status == s.status && v.unfinished == s.unfinished)
            default:
                break
            }
        }
    }

    /// Inputs the record fuzzer found where the two disagreed, and their relatives.
    @Test(arguments: [
        #"{"&type":"alt","ts":5,"type":"r","stts":5,"type":"r\u0786"}"#,
        #"{"type":"alt","ts":5,"type":"r"}"#,
        #"{"type":"profile","ts":1,"name":5}"#,
        #"{"type":"profile","ts":1,"labels":[],"value":"x"}"#,
        #"{"type":"profile","ts":1,"ts":2}"#,
        #"{"type":"counter","ts":1,"name":"n","labels":{"a\n":"x","a\u000a":"y"},"value":1}"#
    ])
    func fuzzFoundDisagreementsAgree(_ line: String) {
        let bytes = Array(line.utf8)
        let decoded = (try? RecordDecoder.decode(bytes)) != nil
        let viewed = (try? Self.view(bytes).get()) != nil
        #expect(decoded == viewed)
    }

    /// Mutated lines: the view rejects exactly the lines the decoder rejects.
    @Test func theViewAndTheDecoderAcceptTheSameLines() {
        var gen = RandomRecords(state: 99)
        var rejected = 0
        for _ in 0..<5000 {
            var line = RecordEncoder.encode(gen.record())
            for _ in 0..<gen.int(1...3) {
                let i = gen.int(0...(line.count - 1))
                switch gen.int(0...2) {
                case 0: line[i] = UInt8(truncatingIfNeeded: gen.next())
                case 1: line.remove(at: i)
                default: line.insert(Array("{}[]\",:0-eE.\\ntu".utf8)[gen.int(0...15)], at: i)
                }
            }
            let decoded: Bool = (try? RecordDecoder.decode(line)) != nil
            let viewed: Bool = (try? Self.view(line).get()) != nil
            #expect(decoded == viewed, "\(String(decoding: line, as: UTF8.self))")
            if !decoded { rejected += 1 }
        }
        #expect(rejected > 1000, "the mutations must produce invalid lines")
    }

    /// Canonical metric lines (the fast path) and their mutations: the view and the decoder agree
    /// on acceptance and on every field.
    @Test func theCanonicalFastPathAgreesWithTheDecoder() throws {
        var gen = RandomRecords(state: 7)
        let names = ["llm.latency_ms", "tools.calls.total", "a", "x_y-z.0"]
        var accepted = 0
        for n in 0..<20_000 {
            var labels: [String: String] = [:]
            for _ in 0..<gen.int(0...3) { labels[names[gen.int(0...3)]] = names[gen.int(0...3)] }
            let value: Double = [1, 0.5, -3, 1e-7, 123456.789, 1e300][gen.int(0...5)]
            let record = MetricRecord(
                kind: MetricKind.allCases[gen.int(0...2)], ts: Int64(bitPattern: gen.next() & UInt64(Int64.max)),
                name: names[gen.int(0...3)], labels: labels, value: value)
            var line = RecordEncoder.encode(.metric(record))
            if n % 2 == 1 {
                let i = gen.int(0...(line.count - 1))
                switch gen.int(0...2) {
                case 0: line[i] = Array("{}[]\",:0-eE.\\ ntu".utf8)[gen.int(0...16)]
                case 1: line.remove(at: i)
                default: line.insert(Array("{}[]\",:0-eE.\\ ntu".utf8)[gen.int(0...16)], at: i)
                }
            }
            let decoded = try? RecordDecoder.decode(line)
            let viewed = try? Self.view(line).get()
            #expect((decoded != nil) == (viewed != nil), "\(String(decoding: line, as: UTF8.self))")
            guard case .record(.metric(let m))? = decoded, let v = viewed else { continue }
            accepted += 1
            #expect(v.ts == m.ts && v.value == m.value, "\(String(decoding: line, as: UTF8.self))")
            #expect(v.nameEscaped || v.name.map { String(decoding: line[$0], as: UTF8.self) } == m.name)
            let labelText = v.labels.map { String(decoding: line[$0], as: UTF8.self) }
            var w = JSONWriter()
            w.stringMap(m.labels)
            #expect(
                labelText == String(decoding: w.bytes, as: UTF8.self) || labelText?.contains(" ") == true || n % 2 == 1)
        }
        #expect(accepted > 10_000)
    }

    /// Canonical span lines with plain attributes (the span fast path) and their mutations.
    @Test func theCanonicalSpanFastPathAgreesWithTheDecoder() throws {
        var gen = RandomRecords(state: 8)
        let words = ["tool.search", "gen_ai.tool.name", "a", "x y"]
        var accepted = 0
        for n in 0..<20_000 {
            var attributes: Attributes = [:]
            for _ in 0..<gen.int(0...3) {
                let v: AttributeValue = [
                    .string(words[gen.int(0...3)]), .int(Int64(gen.int(-5...5))), .double(0.25), .bool(gen.chance(0.5))
                ][gen.int(0...3)]
                attributes[words[gen.int(0...3)]] = v
            }
            let start = Int64(gen.int(0...1_000_000))
            let record = SpanRecord(
                traceID: UInt128(gen.next()) << 64 | UInt128(gen.next() | 1), spanID: gen.next() | 1,
                parentSpanID: gen.chance(0.5) ? gen.next() | 1 : nil, name: words[gen.int(0...3)],
                kind: SpanRecord.Kind.allCases[gen.int(0...4)], start: start, end: start + Int64(gen.int(0...999)),
                status: SpanRecord.Status.allCases[gen.int(0...2)], statusMessage: gen.chance(0.2) ? "m" : nil,
                attributes: attributes, unfinished: gen.chance(0.1))
            var line = RecordEncoder.encode(.span(record))
            if n % 2 == 1 {
                let i = gen.int(0...(line.count - 1))
                let alphabet = Array("{}[]\",:0-eE.\\ ntuaf1".utf8)
                switch gen.int(0...2) {
                case 0: line[i] = alphabet[gen.int(0...(alphabet.count - 1))]
                case 1: line.remove(at: i)
                default: line.insert(alphabet[gen.int(0...(alphabet.count - 1))], at: i)
                }
            }
            let decoded = try? RecordDecoder.decode(line)
            let viewed = try? Self.view(line).get()
            #expect((decoded != nil) == (viewed != nil), "\(String(decoding: line, as: UTF8.self))")
            guard case .record(.span(let d))? = decoded, let v = viewed else { continue }
            accepted += 1
            #expect(
                v.kind == .span && v.ts == d.ts && v.traceID == d.traceID && v.spanID == d.spanID
                    && v.parentSpanID == d.parentSpanID)
            #expect(v.start == d.start && v.end == d.end && v.status == d.status && v.unfinished == d.unfinished)
        }
        #expect(accepted > 10_000)
    }
}

extension RecordViewTests {
    /// Records spelled as other writers spell them (key order, whitespace, escapes, unknown
    /// fields, events and links), read by the general path: the view reads the decoder's fields;
    /// then mutated, the two accept and reject the same lines.
    @Test(arguments: [31, 32, 33] as [UInt64])
    func theGeneralPathAgreesWithTheDecoderOnForeignSpellings(seed: UInt64) throws {
        var gen = RandomRecords(state: seed)
        var spelling = ForeignSpelling(gen: RandomRecords(state: seed &+ 1000))
        var rejected = 0, decidedInOnePass = 0
        for n in 0..<3000 {
            let record = gen.record()
            let json = ForeignSpelling.parse(String(decoding: RecordEncoder.encode(record), as: UTF8.self))
            let keyEscapes = n % 10 == 0 ? 0.2 : 0
            var line = Array(
                spelling.spell(json, keyEscapes: keyEscapes, valueEscapes: 0.1, unknownFields: n % 3 == 0).utf8)
            guard case .record(let decoded) = try RecordDecoder.decode(line) else {
                Issue.record("not a record: \(String(decoding: line, as: UTF8.self))")
                continue
            }
            #expect(same(decoded, record), "the spelling changed the record")
            let v = try Self.view(line).get()
            #expect(v.ts == record.ts)
            if Self.decidedInOnePass(line) { decidedInOnePass += 1 }
            switch record {
            case .metric(let m):
                #expect(v.value.map { $0.isNaN ? m.value.isNaN : $0 == m.value } == true)
                if !v.nameEscaped { #expect(v.name.map { String(decoding: line[$0], as: UTF8.self) } == m.name) }
            case .span(let s):
                #expect(
                    v.kind == .span && v.spanID == s.spanID && v.traceID == s.traceID && v.start == s.start
                        && v.end == s.end && v.parentSpanID == s.parentSpanID && v.status == s.status
                        && v.unfinished == s.unfinished, "\(String(decoding: line, as: UTF8.self))")
            default:
                break
            }
            for _ in 0..<gen.int(1...2) {
                let i = gen.int(0...(line.count - 1))
                switch gen.int(0...2) {
                case 0: line[i] = Array("{}[]\",:0-eE.\\ ntuaf1".utf8)[gen.int(0...19)]
                case 1: line.remove(at: i)
                default: line.insert(Array("{}[]\",:0-eE.\\ ntuaf1".utf8)[gen.int(0...19)], at: i)
                }
            }
            let mutatedDecoded = (try? RecordDecoder.decode(line)) != nil
            #expect(mutatedDecoded == ((try? Self.view(line).get()) != nil), "\(String(decoding: line, as: UTF8.self))")
            if !mutatedDecoded { rejected += 1 }
        }
        #expect(rejected > 500, "the mutations must produce invalid lines")
        #expect(decidedInOnePass > 2000, "the one-pass path decides most lines: \(decidedInOnePass)")
    }

    static func decidedInOnePass(_ line: [UInt8]) -> Bool {
        line.withUnsafeBytes { b in
            var view = RecordView()
            do { try GeneralRecordScanner.scan(b, into: &view) } catch { return false }
            return true
        }
    }

    /// Lines that each break one rule of a record type, spelled off the canonical path: the view
    /// rejects each with the decoder's own error.
    @Test(arguments: [
        #"{ "ts": 5, "type": "span", "trace_id": "0000000000000000000000000000000a", "span_id": "000000000000000b", "name": "x", "start": 6, "end": 5 }"#,
        #"{ "ts": 5, "type": "span", "trace_id": "0000000000000000000000000000000a", "span_id": "000000000000000b", "name": "x", "start": 1, "end": 6 }"#,
        #"{ "ts": 5, "type": "span", "trace_id": "0000000000000000000000000000000A", "span_id": "000000000000000b", "name": "x", "start": 1, "end": 5 }"#,
        #"{ "ts": 5, "type": "span", "trace_id": "0000000000000000000000000000000a", "span_id": "000000000000000b", "name": "x", "start": 1, "end": 5, "kind": "weird" }"#,
        #"{ "ts": 5, "type": "span", "trace_id": "0000000000000000000000000000000a", "span_id": "000000000000000b", "name": "x", "start": 1, "end": 5, "events": [{"name": "e"}] }"#,
        #"{ "ts": 5, "type": "span", "trace_id": "0000000000000000000000000000000a", "span_id": "000000000000000b", "name": "x", "start": 1, "end": 5, "links": [{"trace_id": "0000000000000000000000000000000a"}] }"#,
        #"{ "ts": 5, "type": "span", "trace_id": "0000000000000000000000000000000a", "span_id": "000000000000000b", "name": "x", "start": 1, "end": 5, "attributes": {"a": [1, "x"]} }"#,
        #"{ "ts": 5, "type": "span", "trace_id": "0000000000000000000000000000000a", "span_id": "000000000000000b", "name": "x", "start": 1, "end": 5, "attributes": {"a": 1, "a": 2} }"#,
        #"{ "ts": 5, "type": "counter", "name": "x", "labels": {"b": "1", "a": "2", "b": "3"}, "value": 1 }"#,
        #"{ "ts": 5, "type": "counter", "name": "x", "value": 1e999 }"#,
        #"{ "ts": 5, "type": "counter", "name": "x", "labels": {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "a": "6"}, "value": 1 }"#,
        #"{ "ts": 5, "type": "counter", "name": "x", "labels": {"a": "1", "b": "2", "c": "3", "d": "4", "e": 5}, "value": 1 }"#,
        #"{ "ts": 5, "type": "counter", "name": "x", "value": null }"#,
        #"{ "ts": 5, "type": "meta", "name": "x", "kind": "summary" }"#,
        #"{ "ts": 5, "type": "alert", "rule": "r", "state": "on", "severity": "page" }"#,
        #"{ "ts": 5, "type": "resource", "stream": "s" }"#,
        #"{ "ts": -5, "type": "gauge", "name": "x", "value": 1 }"#
    ])
    func eachBrokenRuleIsTheDecodersError(_ line: String) {
        let bytes = Array(line.utf8)
        guard
            case .failure(let expected) = Result(catching: { () throws(RecordDecodingError) in
                try RecordDecoder.decode(bytes)
            })
        else {
            Issue.record("the decoder accepts it")
            return
        }
        guard case .failure(let got) = Self.view(bytes) else {
            Issue.record("the view accepts it")
            return
        }
        #expect(got == expected)
    }

    /// Label maps longer than the one-pass reader's fast case, or with escaped keys, read the same.
    @Test(arguments: [
        #"{ "ts": 5, "type": "counter", "name": "x", "labels": {"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6"}, "value": 1 }"#,
        #"{ "ts": 5, "type": "counter", "name": "x", "labels": {"a\u0062": "1", "ab": "2"}, "value": 1 }"#,
        #"{ "ts": 5, "type": "counter", "name": "x", "labels": {"a\u0062": "1", "b": "2"}, "value": 1 }"#
    ])
    func longAndEscapedLabelMapsReadAsTheDecoderReadsThem(_ line: String) {
        let bytes = Array(line.utf8)
        let decoded = (try? RecordDecoder.decode(bytes)) != nil
        #expect(decoded == ((try? Self.view(bytes).get()) != nil))
        #expect(decoded == !line.contains(#""ab": "2""#))
    }

    /// The general path's lists of enum values are the enums' own.
    @Test func theGeneralPathKnowsEveryEnumValue() {
        func text(_ list: [StaticString]) -> [String] { list.map { "\($0)" }.sorted() }
        #expect(text(GeneralRecordScanner.metricKinds) == MetricKind.allCases.map(\.rawValue).sorted())
        #expect(text(GeneralRecordScanner.spanKinds) == SpanRecord.Kind.allCases.map(\.rawValue).sorted())
        #expect(text(GeneralRecordScanner.alertStates) == AlertRecord.State.allCases.map(\.rawValue).sorted())
    }
}
