/// Spells a JSON line as another writer might: keys in another order, whitespace around every
/// token, some characters of strings escaped (`\u00XX`, `\/`), unknown fields with nested
/// values. The record it holds is unchanged. Written without the project's codec, as a small
/// independent JSON reader and writer.
struct ForeignSpelling {
    indirect enum JSON {
        case object([(key: String, value: JSON)])
        case array([JSON])
        case string(String)
        case raw(String)  // numbers and literals, as written
    }

    var gen: RandomRecords

    static func parse(_ text: String) -> JSON {
        var chars = Array(text.unicodeScalars)[...]
        return value(&chars)
    }

    private static func value(_ c: inout ArraySlice<Unicode.Scalar>) -> JSON {
        switch c.first! {
        case "{":
            c.removeFirst()
            var members: [(String, JSON)] = []
            while c.first! != "}" {
                if c.first! == "," { c.removeFirst() }
                guard case .string(let k) = value(&c) else { fatalError("a key is a string") }
                c.removeFirst()  // ':'
                members.append((k, value(&c)))
            }
            c.removeFirst()
            return .object(members)
        case "[":
            c.removeFirst()
            var elements: [JSON] = []
            while c.first! != "]" {
                if c.first! == "," { c.removeFirst() }
                elements.append(value(&c))
            }
            c.removeFirst()
            return .array(elements)
        case "\"":
            c.removeFirst()
            var s = ""
            while c.first! != "\"" {
                var ch = c.removeFirst()
                if ch == "\\" {
                    let e = c.removeFirst()
                    switch e {
                    case "n": ch = "\n"
                    case "t": ch = "\t"
                    case "r": ch = "\r"
                    case "b": ch = "\u{8}"
                    case "f": ch = "\u{C}"
                    case "u":
                        let hex = String(String.UnicodeScalarView(c.prefix(4)))
                        c.removeFirst(4)
                        ch = Unicode.Scalar(UInt32(hex, radix: 16)!)!
                    default: ch = e
                    }
                }
                s.unicodeScalars.append(ch)
            }
            c.removeFirst()
            return .string(s)
        default:
            var s = ""
            while let ch = c.first, !",}]".unicodeScalars.contains(ch) { s.unicodeScalars.append(c.removeFirst()) }
            return .raw(s)
        }
    }

    mutating func space() -> String { ["", " ", "  ", "\t", " \n "][gen.int(0...4)] }

    mutating func quote(_ s: String, escaping p: Double) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "/" where gen.chance(0.5): out += "\\/"
            case let c where c.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(c.value, radix: 16).count)
                    + String(c.value, radix: 16)
            case let c where c.value < 0x80 && gen.chance(p):
                out += "\\u00" + (c.value < 16 ? "0" : "") + String(c.value, radix: 16, uppercase: gen.chance(0.5))
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }

    /// `keyEscapes`: the chance of escaping a key's character; `valueEscapes`: a string value's.
    mutating func spell(_ j: JSON, keyEscapes: Double, valueEscapes: Double, unknownFields: Bool) -> String {
        switch j {
        case .object(var members):
            members.shuffle(using: &gen)
            if unknownFields && gen.chance(0.5) {
                members.insert(
                    ("x_\(gen.int(0...9))", .array([.object([("deep", .raw("null"))]), .raw("1.5e3"), .string("é")])),
                    at: gen.int(0...members.count))
            }
            let body = members.map {
                space() + quote($0.key, escaping: keyEscapes) + space() + ":" + space()
                    + spell($0.value, keyEscapes: keyEscapes, valueEscapes: valueEscapes, unknownFields: false)
                    + space()
            }
            return "{" + body.joined(separator: ",") + "}"
        case .array(let elements):
            let body = elements.map {
                space() + spell($0, keyEscapes: keyEscapes, valueEscapes: valueEscapes, unknownFields: false) + space()
            }
            return "[" + body.joined(separator: ",") + "]"
        case .string(let s): return quote(s, escaping: valueEscapes)
        case .raw(let r): return r
        }
    }
}

extension RandomRecords: RandomNumberGenerator {}
