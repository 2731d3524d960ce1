#if canImport(Glibc)
import Glibc
#endif

extension RecordView {
    /// The writer's own layout of a metric line, checked in one pass without closures or String keys:
    /// `{"type":"<kind>","ts":<int>,"name":"<ascii>","labels":{("<ascii>":"<ascii>",?)*},"value":<number>}`.
    ///
    /// Returns `false`, leaving nothing decided, for anything else: other layouts, whitespace,
    /// escapes, non-ASCII text, more than 16 labels, non-finite values. The caller then takes the
    /// general path, so what is accepted is exactly what ``RecordDecoder`` accepts.
    static func scanCanonicalMetric(_ line: UnsafeRawBufferPointer, into view: inout RecordView) -> Bool {
        guard let base = line.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        let n = line.count
        var i = 0

        @inline(__always) func match(_ literal: StaticString) -> Bool {
            let count = literal.utf8CodeUnitCount
            guard i + count <= n, memcmp(base + i, literal.utf8Start, count) == 0 else { return false }
            i += count
            return true
        }
        /// A string of printable ASCII without `"` or `\`, from after its opening quote to its closing one.
        @inline(__always) func plainString() -> Range<Int>? {
            let start = i
            while i < n {
                let c = base[i]
                if c == 0x22 { i += 1; return start..<(i - 1) }
                if c < 0x20 || c == 0x5C || c >= 0x80 { return nil }
                i += 1
            }
            return nil
        }

        let kind: Kind
        if match(#"{"type":"counter","ts":"#) { kind = .counter }
        else if match(#"{"type":"histogram","ts":"#) { kind = .histogram }
        else if match(#"{"type":"gauge","ts":"#) { kind = .gauge }
        else { return false }

        var s = JSONScanner(line)
        s.i = i
        guard i < n, base[i] == UInt8(ascii: "-") || (base[i] >= 0x30 && base[i] <= 0x39),
              case .int(let ts)? = try? s.number() else { return false }
        i = s.i
        guard match(#","name":""#), let name = plainString(), match(#","labels":{"#) else { return false }

        let labelsStart = i - 1
        var keys: [Range<Int>] = []
        if i < n && base[i] == UInt8(ascii: "}") {
            i += 1
        } else {
            while true {
                guard match("\""), let key = plainString(), match(":\""), plainString() != nil else { return false }
                for k in keys where k.count == key.count && memcmp(base + k.lowerBound, base + key.lowerBound, k.count) == 0 {
                    return false  // a duplicate label: the general path reports it
                }
                keys.append(key)
                guard keys.count <= 16, i < n else { return false }
                if base[i] == UInt8(ascii: "}") { i += 1; break }
                guard base[i] == 0x2C else { return false }
                i += 1
            }
        }
        let labels = labelsStart..<i
        guard match(#","value":"#), i < n, base[i] == UInt8(ascii: "-") || (base[i] >= 0x30 && base[i] <= 0x39) else { return false }
        s.i = i
        guard let number = try? s.number() else { return false }
        i = s.i
        guard i + 1 == n, base[i] == UInt8(ascii: "}") else { return false }

        view = RecordView()
        view.kind = kind
        view.type = 9..<(9 + (kind == .counter ? 7 : kind == .gauge ? 5 : 9))
        view.ts = ts
        view.name = name
        view.labels = labels
        view.value = number.asDouble
        return true
    }
}
