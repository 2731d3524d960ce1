/// Help text that the argument parser wraps itself: a discussion is written in the source as
/// paragraphs of short lines, and each paragraph is joined into one line here, so the parser's
/// wrapping to the terminal's width leaves no word alone on a line. Indented lines (examples,
/// lists) and blank lines are kept as they are.
public enum HelpText {
    public static func reflow(_ text: String) -> String {
        var out: [String] = []
        var paragraph: [String] = []
        func flush() {
            if !paragraph.isEmpty { out.append(paragraph.joined(separator: " ")) }
            paragraph = []
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.isEmpty || line.hasPrefix(" ") {
                flush()
                out.append(line)
            } else {
                paragraph.append(line)
            }
        }
        flush()
        return out.joined(separator: "\n")
    }
}
