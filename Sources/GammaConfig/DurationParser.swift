/// Parses durations: a number and a unit, or several (`90s`, `1.5h`, `1h30m`, `500ms`, `2d`).
/// Units: ns, us, ms, s, m, h, d.
public enum DurationParser {
    public static func parse(_ text: String) -> Int64? {
        let s = Array(text.utf8)
        guard !s.isEmpty else { return nil }
        var i = 0
        var total: Int64 = 0
        while i < s.count {
            let start = i
            while i < s.count, (s[i] >= 0x30 && s[i] <= 0x39) || s[i] == UInt8(ascii: ".") { i += 1 }
            guard i > start, let number = Double(String(decoding: s[start..<i], as: UTF8.self)) else { return nil }
            let unitStart = i
            while i < s.count, s[i] >= 0x61 && s[i] <= 0x7A { i += 1 }
            let factor: Double
            switch String(decoding: s[unitStart..<i], as: UTF8.self) {
            case "ns": factor = 1
            case "us": factor = 1e3
            case "ms": factor = 1e6
            case "s": factor = 1e9
            case "m": factor = 60e9
            case "h": factor = 3600e9
            case "d": factor = 86_400e9
            default: return nil
            }
            let part = number * factor
            guard part.isFinite, part < 9e18 else { return nil }
            total += Int64(part.rounded())
            guard total < 9_000_000_000_000_000_000 else { return nil }
        }
        return total
    }
}
