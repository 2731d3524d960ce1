import CZlib
@testable import GammaLog
import GammaTestKit
import Testing

@Suite struct MemberTests {
    static func member(_ lines: [String], sealed: Bool = false, index: Int = 0) -> [UInt8] {
        let text = Array(lines.map { $0 + "\n" }.joined().utf8)
        return text.withUnsafeBytes {
            MemberEncoder(level: 1).encode(
                $0, lineCount: lines.count, minTimestamp: 10, maxTimestamp: 20, index: index, sealed: sealed)
        }
    }

    @Test func headerRoundTrips() {
        let h = MemberHeader(sealed: true, length: 123_456, lineCount: 789, minTimestamp: -5, maxTimestamp: .max)
        #expect(MemberHeader.parse(h.encoded()) == .header(h))
    }

    @Test func headerIsFortyEightBytesWithTheGmSubfield() {
        let bytes = MemberHeader(sealed: false, length: 100, lineCount: 1, minTimestamp: 1, maxTimestamp: 2).encoded()
        #expect(bytes.count == 48)
        #expect(Array(bytes[0..<4]) == [0x1F, 0x8B, 8, 4])
        #expect(Array(bytes[10..<16]) == [36, 0, UInt8(ascii: "G"), UInt8(ascii: "m"), 32, 0])
    }

    /// Every proper prefix of a header is "incomplete", fed byte by byte.
    @Test func everyPrefixOfAHeaderIsIncomplete() {
        let bytes = MemberHeader(sealed: false, length: 100, lineCount: 1, minTimestamp: 1, maxTimestamp: 2).encoded()
        for n in 0..<48 { #expect(MemberHeader.parse(Array(bytes[..<n])) == .incomplete, "prefix \(n)") }
    }

    /// Any flipped byte of the header is caught, by the fixed bytes or the header checksum.
    @Test func everyFlippedHeaderByteIsInvalid() {
        let bytes = MemberHeader(sealed: false, length: 100, lineCount: 1, minTimestamp: 1, maxTimestamp: 2).encoded()
        for i in 0..<48 {
            var damaged = bytes
            damaged[i] ^= 0x01
            guard case .invalid = MemberHeader.parse(damaged) else {
                Issue.record("flipping byte \(i) went unnoticed")
                continue
            }
        }
    }

    @Test func memberDecodesToItsLines() throws {
        let m = Self.member(["a", "bb", "{\"x\":1}"])
        guard case .header(let h) = MemberHeader.parse(m) else { Issue.record("no header"); return }
        #expect(Int(h.length) == m.count)
        #expect(h.lineCount == 3)
        let out = try m.withUnsafeBytes { try MemberDecoder().decode($0, header: h).get() }
        #expect(String(decoding: out, as: UTF8.self) == "a\nbb\n{\"x\":1}\n")
    }

    @Test(arguments: [1, 2, 7, 100, 3000])
    func randomLinesRoundTrip(count: Int) throws {
        var rng = SystemRandomNumberGenerator()
        let lines = (0..<count).map { _ in
            String(
                (0..<Int.random(in: 0...200, using: &rng)).map { _ in
                    Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng)))
                })
        }
        let m = Self.member(lines)
        guard case .header(let h) = MemberHeader.parse(m) else { Issue.record("no header"); return }
        let out = try m.withUnsafeBytes { try MemberDecoder().decode($0, header: h).get() }
        #expect(String(decoding: out, as: UTF8.self) == lines.map { $0 + "\n" }.joined())
    }

    @Test func sealedTrailerIsAnEmptySealedMember() throws {
        let t = MemberEncoder(level: 1).sealedTrailer(index: 1)
        guard case .header(let h) = MemberHeader.parse(t) else { Issue.record("no header"); return }
        #expect(h.sealed && h.lineCount == 0 && Int(h.length) == t.count)
        #expect(try t.withUnsafeBytes { try MemberDecoder().decode($0, header: h).get() }.isEmpty)
    }

    /// Each corruption of the deflate data or trailer gets its specific reason.
    @Test(arguments: [
        ("crc", -8, "incorrect data check"),
        ("isize", -2, "incorrect length check")
    ])
    func trailerDamageIsNamed(name: String, fromEnd: Int, reason: String) throws {
        var m = Self.member(["hello", "world"])
        guard case .header(let h) = MemberHeader.parse(m) else { return }
        m[m.count + fromEnd] ^= 0xFF
        let result = m.withUnsafeBytes { MemberDecoder().decode($0, header: h) }
        guard case .failure(let c) = result else { Issue.record("\(name) damage not detected"); return }
        #expect(c.reason.contains(reason), "\(c.reason)")
    }

    @Test func lineCountMismatchIsCorrupt() throws {
        let text = Array("a\nb\n".utf8)
        let m = text.withUnsafeBytes {
            MemberEncoder(level: 1).encode($0, lineCount: 3, minTimestamp: 0, maxTimestamp: 0, index: 0)
        }
        guard case .header(let h) = MemberHeader.parse(m) else { return }
        guard case .failure(let c) = m.withUnsafeBytes({ MemberDecoder().decode($0, header: h) }) else {
            Issue.record("accepted"); return
        }
        #expect(c.reason == "member holds 2 lines, its header says 3")
    }

    @Test func memberNotEndingAtALineIsCorrupt() throws {
        let text = Array("a\nb".utf8)
        let m = text.withUnsafeBytes {
            MemberEncoder(level: 1).encode($0, lineCount: 1, minTimestamp: 0, maxTimestamp: 0, index: 0)
        }
        guard case .header(let h) = MemberHeader.parse(m) else { return }
        guard case .failure(let c) = m.withUnsafeBytes({ MemberDecoder().decode($0, header: h) }) else {
            Issue.record("accepted"); return
        }
        #expect(c.reason == "member does not end at a line boundary")
    }

    @Test(
        arguments: [
            (#"{"type":"counter","ts":123,"v":1}"#, Int64(123)),
            (#"{"a":{"ts":1},"ts":-42}"#, Int64(-42)),
            (#"{"s":"\"ts\":9","ts" : 7}"#, Int64(7)),
            (#"{"ts":1.5}"#, nil),
            (#"{"ts":"5"}"#, nil),
            (#"{"x":[{"ts":3}]}"#, nil),
            (#"{"ts":99999999999999999999}"#, nil),
            (#"{"tsx":1,"ts":2}"#, Int64(2))
        ] as [(String, Int64?)])
    func timestampIsTheTopLevelTsOnly(line: String, expected: Int64?) {
        var l = line
        let found = l.withUTF8 { LogTimestamp.find(in: UnsafeRawBufferPointer($0)) }
        #expect(found == expected)
    }
}

extension MemberTests {
    @Test func versionTwoHeadersCarryTheIndexAndTheFirstMemberFlag() {
        let h = MemberHeader(
            sealed: false, length: 100, lineCount: 1, minTimestamp: 1, maxTimestamp: 2, index: 0xBEEF,
            startsSegment: true)
        let bytes = h.encoded()
        #expect(bytes[16] == 2 && bytes[17] == 2 && bytes[18] == 0xEF && bytes[19] == 0xBE)
        #expect(MemberHeader.parse(bytes) == .header(h))
    }

    /// Version 1 headers (earlier writers) must have zero reserved bytes and only the sealed flag.
    @Test(arguments: [(17, UInt8(2)), (18, UInt8(1)), (19, UInt8(1)), (16, UInt8(3)), (16, UInt8(0))])
    func versionOneHeadersKeepTheirRules(byte: Int, value: UInt8) {
        var h = MemberHeader(sealed: false, length: 100, lineCount: 1, minTimestamp: 1, maxTimestamp: 2)
        h.version = 1
        var bytes = h.encoded()
        #expect(MemberHeader.parse(bytes) == .header(h))
        bytes[byte] = value
        let crc = bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress!, 44)) }
        for i in 0..<4 { bytes[44 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
        guard case .invalid = MemberHeader.parse(bytes) else {
            Issue.record("byte \(byte) = \(value) accepted in a version 1 header")
            return
        }
    }
}
