/// Parses the times the command lines accept, into nanoseconds since the Unix epoch (UTC).
///
/// - RFC 3339: `2026-11-29T04:00:00Z`, `2026-11-29T04:00:00.250+01:00`, `2026-11-29 04:00:00Z`;
///   without a zone (`2026-11-29T04:00:00`) it is UTC, and a date alone, `2026-11-29`, is its
///   midnight UTC.
/// - `@SECONDS`: Unix seconds, as `date +@%s` prints them; fractions allowed (`@1790000000.5`).
/// - A plain integer: nanoseconds, as the `ts` field of a record.
///
/// Times before 1970 and after 2262-04-11 (past `Int64` nanoseconds) are not times: `nil`.
public enum TimeParser {
    public static func parse(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        guard !s.isEmpty else { return nil }
        let t: Int64?
        if s[0] == UInt8(ascii: "@") {
            t = seconds(String(decoding: s.dropFirst(), as: UTF8.self))
        } else if s.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            t = Int64(text)
        } else {
            t = rfc3339(s)
        }
        guard let t, t >= 0 else { return nil }
        return t
    }

    static func seconds(_ text: String) -> Int64? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        // No sign: a time before 1970 is refused, `@-0.5` included.
        guard (1...2).contains(parts.count), parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber),
            let whole = Int64(parts[0])
        else { return nil }
        var nanos: Int64 = 0
        if parts.count == 2 {
            let frac = parts[1]
            guard !frac.isEmpty, frac.count <= 9, frac.allSatisfy(\.isNumber), let f = Int64(frac) else { return nil }
            nanos = f * pow10(9 - frac.count)
        }
        let (a, o1) = whole.multipliedReportingOverflow(by: 1_000_000_000)
        guard !o1 else { return nil }
        let (b, o2) = a.addingReportingOverflow(whole < 0 ? -nanos : nanos)
        return o2 ? nil : b
    }

    static func pow10(_ n: Int) -> Int64 { (0..<n).reduce(1) { r, _ in r * 10 } }

    static func rfc3339(_ s: [UInt8]) -> Int64? {
        var i = 0
        func digits(_ n: Int) -> Int64? {
            guard i + n <= s.count else { return nil }
            var v: Int64 = 0
            for k in 0..<n {
                let c = s[i + k]
                guard c >= 0x30 && c <= 0x39 else { return nil }
                v = v * 10 + Int64(c - 0x30)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var secondsOfDay: Int64 = 0, nanos: Int64 = 0, offset: Int64 = 0
        if i < s.count {
            guard s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: "t") || s[i] == UInt8(ascii: " ") else {
                return nil
            }
            i += 1
            guard let h = digits(2), expect(":"), let m = digits(2), expect(":"), let sec = digits(2),
                h < 24, m < 60, sec < 61
            else { return nil }
            secondsOfDay = h * 3600 + m * 60 + min(sec, 59)
            if i < s.count && s[i] == UInt8(ascii: ".") {
                i += 1
                let start = i
                while i < s.count && s[i] >= 0x30 && s[i] <= 0x39 { i += 1 }
                let count = i - start
                guard count > 0 else { return nil }
                for k in 0..<min(count, 9) { nanos = nanos * 10 + Int64(s[start + k] - 0x30) }
                if count < 9 { nanos *= pow10(9 - count) }
            }
            if i == s.count {
                // No zone: UTC, as the command lines' help says.
            } else if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
                i += 1
            } else {
                let sign: Int64 = s[i] == UInt8(ascii: "+") ? 1 : (s[i] == UInt8(ascii: "-") ? -1 : 0)
                guard sign != 0 else { return nil }
                i += 1
                guard let oh = digits(2), expect(":"), let om = digits(2), oh < 24, om < 60 else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            }
        }
        guard i == s.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let (ns, overflow) = (days * 86_400 + secondsOfDay - offset).multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (t, overflow2) = ns.addingReportingOverflow(nanos)
        return overflow2 ? nil : t
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// RFC 3339 in UTC with milliseconds, for output: `2026-11-29T04:00:00.000Z`.
    public static func format(_ nanos: Int64) -> String {
        // Floor division without overflow, for any Int64 (times before 1970 included).
        var seconds = nanos / 1_000_000_000, rest = nanos % 1_000_000_000
        if rest < 0 {
            seconds -= 1
            rest += 1_000_000_000
        }
        let millis = rest / 1_000_000
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let sod = seconds - days * 86_400
        let (y, m, d) = civil(fromDays: days)
        func pad(_ v: Int64, _ w: Int) -> String {
            let t = String(v)
            return String(repeating: "0", count: max(0, w - t.count)) + t
        }
        return
            "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(sod / 3600, 2)):\(pad(sod / 60 % 60, 2)):\(pad(sod % 60, 2)).\(pad(millis, 3))Z"
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
