/// Finds the top-level `"ts"` integer of a JSON-object line without parsing the rest.
///
/// The log needs a record's time for member headers, `--since`/`--until` and merged reading,
/// and nothing else of the record. Strings are skipped with their escapes, so `"ts"` inside a
/// value or a nested object never matches.
package enum LogTimestamp {
    /// The value of the first top-level `"ts"` key if it is an integer, else `nil`.
    package static func find(in line: UnsafeRawBufferPointer) -> Int64? {
        let n = line.count
        var i = 0
        var depth = 0
        var expectKey = false
        while i < n {
            let c = line[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = c == UInt8(ascii: "{")
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                i += 1
            case UInt8(ascii: ","):
                expectKey = true
                i += 1
            case UInt8(ascii: "\""):
                let start = i + 1
                i = start
                while i < n && line[i] != UInt8(ascii: "\"") { i += line[i] == UInt8(ascii: "\\") ? 2 : 1 }
                let isTS =
                    depth == 1 && expectKey && i - start == 2 && line[start] == UInt8(ascii: "t")
                    && line[start + 1] == UInt8(ascii: "s")
                i += 1
                if depth == 1 && expectKey {
                    expectKey = false
                    if isTS { return integer(line, after: i) }
                }
            default:
                i += 1
            }
        }
        return nil
    }

    /// Parses `: <integer>` after a key.
    static func integer(_ line: UnsafeRawBufferPointer, after start: Int) -> Int64? {
        var i = start
        let n = line.count
        while i < n && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        guard i < n && line[i] == UInt8(ascii: ":") else { return nil }
        i += 1
        while i < n && (line[i] == 0x20 || line[i] == 0x09) { i += 1 }
        var negative = false
        if i < n && line[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var value: Int64 = 0
        var digits = 0
        while i < n, line[i] >= 0x30, line[i] <= 0x39 {
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(line[i] - 0x30))
            if o1 || o2 { return nil }
            value = a
            digits += 1
            i += 1
        }
        guard digits > 0 else { return nil }
        if i < n && (line[i] == UInt8(ascii: ".") || line[i] == UInt8(ascii: "e") || line[i] == UInt8(ascii: "E")) {
            return nil
        }
        return negative ? -value : value
    }
}
