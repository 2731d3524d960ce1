import Foundation
import GammaModel
import Testing

@Suite struct CodecTests {
    /// Property: decode(encode(r)) == r for arbitrary records, including NaN, infinities,
    /// escapes, control characters, astral characters and timestamps beyond 2^53.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomRecordsRoundTrip(seed: UInt64) throws {
        var gen = RandomRecords(state: seed)
        for n in 0..<2000 {
            let record = gen.record()
            let line = RecordEncoder.encode(record)
            let decoded = try RecordDecoder.decode(line)
            guard case .record(let back) = decoded, same(back, record) else {
                Issue.record(
                    "seed \(seed), record \(n): \(String(decoding: line, as: UTF8.self)) came back as \(decoded)")
                return
            }
        }
    }

    /// Foundation's JSONSerialization, an independent parser, accepts every line the writer
    /// produces, and reads the same type, ts and name.
    @Test(arguments: [11, 12, 13] as [UInt64])
    func foundationAgreesWithEveryLine(seed: UInt64) throws {
        var gen = RandomRecords(state: seed)
        for n in 0..<1000 {
            let record = gen.record()
            let line = RecordEncoder.encode(record)
            #expect(!line.contains(0x0A), "a record is one line")
            let object = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
            guard let object else { Issue.record("seed \(seed) record \(n): not an object"); return }
            #expect((object["ts"] as? NSNumber)?.int64Value == record.ts, "seed \(seed) record \(n): ts")
            switch record {
            case .metric(let m):
                #expect(object["type"] as? String == m.kind.rawValue)
                #expect(object["name"] as? String == m.name)
                #expect(object["labels"] as? [String: String] == m.labels)
                if m.value.isFinite {
                    // Foundation's JSONSerialization on Linux does not round 17-digit numbers correctly
                    // ("-9.200000000000001" reads as -9.2), so it is checked to a few ulps here; the exact
                    // text is checked against Swift's correctly rounded Double(String) below.
                    let theirs = (object["value"] as? NSNumber)?.doubleValue ?? .nan
                    #expect(
                        abs(theirs - m.value) <= max(1e-14 * abs(m.value), 1e-300), "seed \(seed) record \(n): value")
                    let text = String(decoding: line, as: UTF8.self)
                    let valueText = text[text.range(of: "\"value\":")!.upperBound...].dropLast()
                    #expect(Double(String(valueText)) == m.value, "seed \(seed) record \(n): \(valueText)")
                } else {
                    #expect(
                        object["value"] as? String == (m.value.isNaN ? "NaN" : m.value > 0 ? "Infinity" : "-Infinity"))
                }
            case .span(let s):
                #expect(object["name"] as? String == s.name)
                #expect((object["trace_id"] as? String)?.count == 32)
            case .resource(let r):
                #expect(object["stream"] as? String == r.stream)
            case .meta(let m):
                #expect(object["help"] as? String == m.help)
            case .alert(let a):
                #expect(object["rule"] as? String == a.rule)
            }
        }
    }

    @Test func timestampsBeyondTwoToThe53StayExact() throws {
        let ts: Int64 = 1_795_000_000_123_456_789
        let line = RecordEncoder.encode(.metric(MetricRecord(kind: .counter, ts: ts, name: "c", value: 1)))
        #expect(
            String(decoding: line, as: UTF8.self)
                == #"{"type":"counter","ts":1795000000123456789,"name":"c","labels":{},"value":1}"#)
        guard case .record(let r) = try RecordDecoder.decode(line) else { Issue.record("not a record"); return }
        #expect(r.ts == ts)
    }

    @Test(
        arguments: [
            (0.1, "0.1"), (1e-7, "1e-07"), (123456789.125, "123456789.125"), (1e300, "1e+300"),
            (Double.leastNonzeroMagnitude, "5e-324"),
            (2.0, "2"), (-3.0, "-3"), (Double.nan, "\"NaN\""), (Double.infinity, "\"Infinity\""),
            (-Double.infinity, "\"-Infinity\""),
            (-0.0, "-0.0"), (9007199254740991.0, "9007199254740991"), (9007199254740992.0, "9007199254740992.0")
        ] as [(Double, String)])
    func doublesAreShortestRoundTripText(value: Double, text: String) throws {
        var w = JSONWriter()
        w.double(value)
        #expect(String(decoding: w.bytes, as: UTF8.self) == text)
    }

    @Test func controlCharactersAndQuotesAreEscaped() {
        var w = JSONWriter()
        w.string("a\"b\\c\n\r\t\u{8}\u{C}\u{0}\u{1F}é😀")
        #expect(String(decoding: w.bytes, as: UTF8.self) == #""a\"b\\c\n\r\t\b\f\u0000\u001fé😀""#)
    }

    @Test func theParserAcceptsTheFullGrammarOnALine() throws {
        let line =
            #"  { "ts" : 5 , "labels":{"a":"\u00e9\ud83d\ude00\/"}, "extra": [1, -2.5e3, true, false, null, {"x": {}}, []], "type" : "gauge", "name":"g", "value": 1E2 }  "#
        guard case .record(.metric(let m)) = try RecordDecoder.decode(line) else {
            Issue.record("not a metric"); return
        }
        #expect(m.kind == .gauge && m.ts == 5 && m.value == 100 && m.labels == ["a": "é😀/"])
    }

    @Test func unknownRecordTypesAreCountedNotRejected() throws {
        #expect(
            try RecordDecoder.decode(#"{"type":"profile","ts":1,"anything":{"goes":[1,2]}}"#)
                == .unknown(type: "profile"))
        // Fields named like schema v1's mean nothing in an unknown type, so they are not checked.
        #expect(
            try RecordDecoder.decode(#"{"trace_id":"short","type":"profile","ts":1,"value":"x"}"#)
                == .unknown(type: "profile"))
        // But it must still be JSON with one string type and one integer ts.
        #expect(throws: RecordDecodingError.self) { _ = try RecordDecoder.decode(#"{"type":"alt","ts":5,"type":"r"}"#) }
        #expect(throws: RecordDecodingError.self) { _ = try RecordDecoder.decode(#"{"type":"alt","ts":5,"ts":6}"#) }
        #expect(throws: RecordDecodingError.self) { _ = try RecordDecoder.decode(#"{"type":"profile","ts":1.5}"#) }
        #expect(throws: RecordDecodingError.self) { _ = try RecordDecoder.decode(#"{"type":"profile","ts":1"#) }
    }

    /// Each malformed line gets its own error, at its own offset.
    @Test(
        arguments: [
            ("", 0, "empty line: a record is a JSON object"),
            ("[1]", 0, "a record is a JSON object, found '['"),
            (#"{"type":"counter","ts":1,"name":"c","value":1"#, 45, "unterminated object"),
            (#"{"type":"counter","ts":1,"name":"c","value":1} x"#, 47, "trailing characters after the record"),
            (
                #"{"type":"counter","ts":1.5,"name":"c","value":1}"#, 23,
                "field 'ts' must be an integer that fits in 64 bits"
            ),
            (
                #"{"type":"counter","ts":99999999999999999999,"name":"c","value":1}"#, 23,
                "field 'ts' must be an integer that fits in 64 bits"
            ),
            (#"{"type":"counter","ts":"1","name":"c","value":1}"#, 23, "field 'ts' must be an integer"),
            (#"{"type":"counter","ts":1,"name":"c"}"#, 36, "missing field 'value' for a counter"),
            (#"{"ts":1,"name":"c","value":1}"#, 29, "missing field 'type' for a record"),
            (#"{"type":"counter","ts":1,"ts":2,"name":"c","value":1}"#, 25, "duplicate field 'ts'"),
            (#"{"type":"counter","ts":01,"name":"c","value":1}"#, 23, "leading zero in a number"),
            (#"{"type":"counter","ts":1,"name":"c","value":1.}"#, 46, "a digit must follow the decimal point"),
            (
                #"{"type":"counter","ts":1,"name":"c","value":"big"}"#, 44,
                #"field 'value' must be a number, or "NaN", "Infinity" or "-Infinity", not "big""#
            ),
            (#"{"type":"counter","ts":1,"name":"a\qb","value":1}"#, 34, "invalid escape \\'q'"),
            (
                #"{"type":"counter","ts":1,"name":"\ud800","value":1}"#, 33,
                "high surrogate \\ud800 without a low surrogate"
            ),
            (#"{"type":"counter","ts":1,"name":"\udc00","value":1}"#, 33, "lone low surrogate \\udc00"),
            (#"{"type":"counter","ts":1,"name":"\u12G4","value":1}"#, 37, "invalid hex digit in \\u escape"),
            (
                "{\"type\":\"counter\",\"ts\":1,\"name\":\"a\u{1}\",\"value\":1}", 34,
                "unescaped control character 0x1 in a string"
            ),
            (#"{"type":"counter","ts":1,"name":"c","value":tru}"#, 44, "field 'value' must be a number"),
            (#"{"type":"x","ts":1,"flag":tru}"#, 26, "invalid literal, expected true"),
            (
                #"{"type":"span","ts":2,"trace_id":"ABC","span_id":"0000000000000001","name":"s","start":1,"end":2}"#,
                33, "field 'trace_id' must be 32 lower-case hex digits"
            ),
            (
                #"{"type":"span","ts":2,"trace_id":"0000000000000000000000000000000a","span_id":"0000000000000000","name":"s","start":1,"end":2}"#,
                78, "field 'span_id' must not be all zeros"
            ),
            (
                #"{"type":"span","ts":3,"trace_id":"0000000000000000000000000000000a","span_id":"0000000000000001","name":"s","start":1,"end":2}"#,
                20, "field 'ts' of a span must equal its 'end'"
            ),
            (#"{"type":"counter","ts":1,"name":"c","value":1e999}"#, 44, "number out of range: 1e999"),
            (#"{"type":"counter","ts":1,"name":"c","value":-1e999}"#, 44, "number out of range: -1e999"),
            (#"{"type":"gauge","ts":1,"name":"c","value":1E400}"#, 42, "number out of range: 1E400"),
            (#"{"type":"x","ts":1,"a":{"b":-1e400}}"#, 28, "number out of range: -1e400"),
            (
                #"{"type":"span","ts":2,"trace_id":"0000000000000000000000000000000a","span_id":"0000000000000001","name":"s","start":3,"end":2}"#,
                116, "a span's 'start' must not be after its 'end'"
            ),
            (
                #"{"type":"meta","ts":1,"name":"m","kind":"summary"}"#, 40,
                #"field 'kind' is "summary", not one of "counter", "gauge", "histogram""#
            ),
            (
                #"{"type":"resource","ts":1,"schema":1,"stream":"s","attributes":{"a":[1,"x"]}}"#, 68,
                "field 'attributes.a': an attribute array holds values of one type"
            ),
            (
                #"{"type":"resource","ts":1,"schema":1,"stream":"s","attributes":{"a":{"b":1}}}"#, 68,
                "field 'attributes.a' must be a string, number, bool, or an array of one of those"
            ),
            (
                #"{"type":"counter","ts":1,"name":"c","labels":{"a":1},"value":1}"#, 50,
                "field 'labels.a' must be a string"
            ),
            (
                #"{"type":"x","ts":1,"deep":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}"#,
                58, "nesting deeper than 32 levels"
            )
        ] as [(String, Int, String)])
    func malformedLinesGetTheirSpecificError(line: String, offset: Int, reason: String) {
        #expect(throws: RecordDecodingError(offset: offset, reason: reason)) { _ = try RecordDecoder.decode(line) }
    }

    @Test func invalidUTF8IsRejectedWhereItIs() {
        for (bytes, offset) in [
            ([0xC0, 0x80], 33), ([0xED, 0xA0, 0x80], 33), ([0xF4, 0x90, 0x80, 0x80], 33), ([0xE2, 0x82], 33),
            ([0xFF], 33)
        ] as [([UInt8], Int)] {
            let line = Array(#"{"type":"counter","ts":1,"name":""#.utf8) + bytes + Array(#"","value":1}"#.utf8)
            #expect(throws: RecordDecodingError.self) { _ = try RecordDecoder.decode(line) }
            do { _ = try RecordDecoder.decode(line) } catch { #expect(error.offset == offset, "\(bytes)") }
        }
    }
}
