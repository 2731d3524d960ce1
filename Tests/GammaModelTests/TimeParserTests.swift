import GammaModel
import Testing

@Suite struct TimeParserTests {
    static let t0: Int64 = 1_793_577_600_000_000_000  // 2026-11-02T00:00:00Z

    @Test(
        arguments: [
            ("2026-11-02T00:00:00Z", t0),
            ("2026-11-02T00:00:00", t0),  // no zone: UTC, as the help says
            ("2026-11-02 00:00:00", t0),
            ("2026-11-02t00:00:00z", t0),
            ("2026-11-02", t0),
            ("2026-11-02T01:00:00+01:00", t0),
            ("2026-11-01T23:30:00-00:30", t0),
            ("2026-11-02T00:00:00.25Z", t0 + 250_000_000),
            ("2026-11-02T00:00:00.000000001", t0 + 1),
            ("@1793577600", t0),
            ("@1793577600.5", t0 + 500_000_000),
            ("1793577600000000000", t0),
            ("0", 0),
            ("1970-01-01T00:00:00Z", 0),
            ("2262-04-11T23:47:16Z", 9_223_372_036_000_000_000)
        ] as [(String, Int64)])
    func timesParse(_ text: String, _ expected: Int64) {
        #expect(TimeParser.parse(text) == expected, "\(text)")
    }

    @Test(arguments: [
        "", "@", "@-5", "-5", "1969-12-31T23:59:59Z", "@-0.5", "2262-04-12T00:00:00Z", "9999-01-01",
        "2026-13-01", "2026-02-30", "2026-11-02T24:00:00", "2026-11-02T00:00", "2026-11-02T00:00:00+1",
        "2026-11-02T00:00:00.", "2026-11-02T00:00:00Zx", "99999999999999999999", "@99999999999", "yesterday"
    ])
    func notTimesAreRefused(_ text: String) {
        #expect(TimeParser.parse(text) == nil, "\(text)")
    }

    @Test func formatReadsBackAsTheSameTime() {
        for t in [Self.t0, Self.t0 + 1_500_000, 0, 9_223_372_036_000_000_000] {
            #expect(TimeParser.parse(TimeParser.format(t)) == t / 1_000_000 * 1_000_000)
        }
    }
}

extension TimeParserTests {
    @Test func anyInt64Formats() {
        #expect(TimeParser.format(.max) == "2262-04-11T23:47:16.854Z")
        #expect(TimeParser.format(.min) == "1677-09-21T00:12:43.145Z")
        #expect(TimeParser.format(-1) == "1969-12-31T23:59:59.999Z")
        #expect(TimeParser.format(.min + 1) == "1677-09-21T00:12:43.145Z")
    }
}
