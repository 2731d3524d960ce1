/// Text made safe for HTML: every recorded string (span names, attributes, labels, rule names)
/// goes through ``escape(_:)`` before it reaches the page, so user input stays inert text in
/// element content and in quoted attribute values alike.
public enum HTMLText {
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\u{0}"..."\u{8}", "\u{B}", "\u{C}", "\u{E}"..."\u{1F}", "\u{7F}": out += "&#xFFFD;"  // not allowed in HTML
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }
}
