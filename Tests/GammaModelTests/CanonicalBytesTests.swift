@testable import GammaModel
import GammaTestKit
import Testing

/// The word-at-a-time steps of the canonical scanners against byte-at-a-time references:
/// whatever a step accepts must be what the general scanner reads.
@Suite struct CanonicalBytesTests {
    /// Runs `body` on a cursor over `text`; returns its result and where the cursor ended.
    static func step<T>(_ text: String, _ body: (inout CanonicalBytes) -> T?) -> (T?, Int) {
        Array(text.utf8).withUnsafeBytes { b in
            var c = CanonicalBytes(b)!
            let r = body(&c)
            return (r, c.i)
        }
    }

    /// The general scanner's number, and where it ended.
    static func scanned(_ text: String) -> (JSONScanner.Number, Int)? {
        Array(text.utf8).withUnsafeBytes { b in
            var s = JSONScanner(b)
            guard let n = try? s.number() else { return nil }
            return (n, s.i)
        }
    }

    @Test(arguments: [
        "0", "-0", "7", "00", "01", "-", "-01", "12345678", "123456789", "1234567890123456", "12345678901234567",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
        "99999999999999999999", "1795000000001275413", "1.5", "1e3", "1E3", "12,", "12}", "3x"
    ])
    func integersAreTheScannersIntegers(_ text: String) {
        let (fast, end) = Self.step(text) { $0.integer() }
        guard let fast else { return }  // refusing decides nothing
        guard case (.int(let v), let scannedEnd)? = Self.scanned(text) else {
            Issue.record("the fast step read \(fast) from \(text), which is not an integer")
            return
        }
        #expect(fast == v && end == scannedEnd, "\(text)")
    }

    @Test(arguments: [
        "0", "-0", "0.0", "-0.0", "43.1", "7.875", "-3", "1e-7", "123456.789", "0.1", "0.30000000000000004",
        "9007199254740992", "9007199254740993", "9007199254740991.5", "1.2345678901234567890123",
        "0.0000000000000000000001", "0.00000000000000000000001", "1.", ".5", "1.5e3", "2E2", "00.5", "-", "5}"
    ])
    func decimalsAreTheScannersNumbers(_ text: String) {
        let (fast, end) = Self.step(text) { $0.decimal() }
        guard let fast else { return }
        guard let (number, scannedEnd) = Self.scanned(text) else {
            Issue.record("the fast step read \(fast) from \(text), which the scanner rejects")
            return
        }
        #expect(fast.bitPattern == number.asDouble.bitPattern && end == scannedEnd, "\(text)")
    }

    /// Random digit strings of every length, with and without a sign and a fraction.
    @Test func randomNumbersAgree() {
        var rng = SplitMix64(seed: 3)
        var accepted = 0
        for _ in 0..<50_000 {
            var text = rng.next() % 4 == 0 ? "-" : ""
            let digits = Int(rng.next() % 21) + 1
            for k in 0..<digits {
                let digit: UInt64 = k == 0 && digits > 1 ? rng.next() % 9 + 1 : rng.next() % 10
                text += String(digit)
            }
            if rng.next() % 2 == 0 {
                text += "."
                for _ in 0..<Int(rng.next() % 24) + 1 { text += String(rng.next() % 10) }
            }
            text += ","
            let (fast, end) = Self.step(text) { $0.decimal() }
            guard let fast else { continue }
            accepted += 1
            let (number, scannedEnd) = Self.scanned(text)!
            #expect(fast.bitPattern == number.asDouble.bitPattern && end == scannedEnd, "\(text)")
            if case .int(let v) = number {
                #expect(Self.step(text) { $0.integer() }.0 == v, "\(text)")
            }
        }
        #expect(accepted > 20_000)
    }

    /// Every byte value at every position of a word: plain strings end exactly at the first quote
    /// and refuse escapes, control characters and non-ASCII bytes.
    @Test func plainStringsEndAtTheFirstSpecialByte() {
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 30] {
            for position in 0..<max(length, 1) {
                for byte in [0x00, 0x1F, 0x20, 0x21, 0x22, 0x23, 0x5B, 0x5C, 0x5D, 0x7E, 0x7F, 0x80, 0xC3, 0xFF]
                    as [UInt8]
                {
                    var bytes = [UInt8](repeating: UInt8(ascii: "a"), count: length) + [0x22, 0x7D]
                    if position < length { bytes[position] = byte }
                    let (range, end): (Range<Int>?, Int) = bytes.withUnsafeBytes { b in
                        var c = CanonicalBytes(b)!
                        let r = c.plainString()
                        return (r, c.i)
                    }
                    // The reference: byte by byte.
                    var expected: Range<Int>?
                    for (k, c) in bytes.enumerated() {
                        if c == 0x22 { expected = 0..<k; break }
                        if c < 0x20 || c == 0x5C || c >= 0x80 { break }
                    }
                    #expect(range == expected, "length \(length), byte \(byte) at \(position)")
                    if let expected { #expect(end == expected.upperBound + 1) }
                }
            }
        }
    }

    @Test func eightDigitsReadEveryDigitAndRefuseEverythingElse() {
        var rng = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in UInt8(ascii: "0") + UInt8(rng.next() % 10) }
            let value = bytes.reduce(UInt64(0)) { $0 * 10 + UInt64($1 - 0x30) }
            #expect(bytes.withUnsafeBufferPointer { CanonicalBytes.eightDigits($0.baseAddress!) } == value)
            bytes[Int(rng.next() % 8)] = UInt8(truncatingIfNeeded: rng.next())
            let allDigits = bytes.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
            #expect((bytes.withUnsafeBufferPointer { CanonicalBytes.eightDigits($0.baseAddress!) } != nil) == allDigits)
        }
    }

    @Test func eightHexReadLowerCaseHexAndRefuseEverythingElse() {
        let hex = Array("0123456789abcdef".utf8)
        var rng = SplitMix64(seed: 12)
        for _ in 0..<20_000 {
            var bytes = (0..<8).map { _ in hex[Int(rng.next() % 16)] }
            let value = UInt64(String(decoding: bytes, as: UTF8.self), radix: 16)
            #expect(bytes.withUnsafeBufferPointer { CanonicalBytes.eightHex($0.baseAddress!) } == value)
            bytes[Int(rng.next() % 8)] = UInt8(truncatingIfNeeded: rng.next())
            let allHex = bytes.allSatisfy { hex.contains($0) }
            #expect((bytes.withUnsafeBufferPointer { CanonicalBytes.eightHex($0.baseAddress!) } != nil) == allHex)
        }
    }

    /// Labels out of the writer's order (and so duplicates) go to the general path, which judges them.
    @Test(arguments: [
        (#"{"type":"counter","ts":1,"name":"n","labels":{"a":"1","b":"2"},"value":1}"#, true),
        (#"{"type":"counter","ts":1,"name":"n","labels":{"b":"1","a":"2"},"value":1}"#, false),
        (#"{"type":"counter","ts":1,"name":"n","labels":{"a":"1","a":"2"},"value":1}"#, false),
        (#"{"type":"counter","ts":1,"name":"n","labels":{"a":"1","ab":"2"},"value":1}"#, true),
        (#"{"type":"counter","ts":1,"name":"n","labels":{"ab":"1","a":"2"},"value":1}"#, false)
    ])
    func labelOrder(_ line: String, _ canonical: Bool) {
        Array(line.utf8).withUnsafeBytes { b in
            var view = RecordView()
            #expect(RecordView.scanCanonicalMetric(b, into: &view) == canonical)
        }
    }
}

/// The eight-at-a-time integer writer against Swift's own formatting.
@Suite struct DigitsTests {
    static func written(_ v: Int64) -> String {
        withUnsafeTemporaryAllocation(byteCount: 24, alignment: 8) { buf in
            String(decoding: UnsafeRawBufferPointer(rebasing: buf[..<Digits.write(v, buf, 0)]), as: UTF8.self)
        }
    }

    @Test func everyPowerOfTenAndItsNeighboursAndTheExtremes() {
        var values: [Int64] = [0, 1, 9, 10, 11, 99, 100, .max, .min, .max - 1, .min + 1, 1_795_000_000_001_275_413]
        var p: Int64 = 1
        for _ in 0..<18 {
            p *= 10
            values += [p - 1, p, p + 1, -p, 2 * p - 1, p / 3]
        }
        for v in values { #expect(Self.written(v) == String(v)) }
    }

    @Test func randomValuesOfEveryLength() {
        var rng = SplitMix64(seed: 21)
        for _ in 0..<100_000 {
            let v = Int64(bitPattern: rng.next()) >> Int64(rng.next() % 63)
            #expect(Self.written(v) == String(v))
        }
        for v in 0..<Int64(100_000) { #expect(Self.written(v) == String(v)) }
    }

    @Test func eightDigitsOfEveryFourDigitHalf() {
        // eight() splits into halves of four digits; every half value, in either half.
        for h in 0..<UInt64(10_000) {
            for v in [h, h * 10_000, h * 10_000 + 9_999 - h] {
                let word = Digits.eight(v)
                let text = withUnsafeBytes(of: word) { String(decoding: $0, as: UTF8.self) }
                let expected = String(repeating: "0", count: 8 - String(v).count) + String(v)
                #expect(text == expected)
            }
        }
    }
}
