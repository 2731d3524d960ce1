import ArgumentParser
import GammaCLI
import GammaLog
import GammaModel
import GammaReplay

/// `gamma-log ls`: streams and segments, from member headers.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List streams and segments: state, members, lines, bytes and time range.",
        discussion: HelpText.reflow(
            """
            Reads member headers only (48 bytes each), so it is fast on any size of log;
            plain gzip files from other tools are inflated to count their lines.

            States: sealed (closed cleanly), live (its writer is running), torn (a dead
            writer's cut-short tail: run gamma-log repair), unsealed (the writer died between
            flushes; nothing is lost), empty, foreign (gzip from another tool), invalid.

            Examples:
              gamma-log ls samples/day
              gamma-log ls logs/ other/export.jsonl.gz
            """)
    )
    @OptionGroup var input: LogInputOptions
    @Flag(help: "Also list every member: offset, length, lines and time range.") var members = false

    func run() throws {

        ProcessSetup.ignoreFileSizeSignal()
        let reader = try input.reader()
        let reports = reader.inventory()
        var table = TextTable(
            headers: ["STREAM", "SEQ", "STATE", "MEMBERS", "LINES", "BYTES", "FIRST", "LAST"],
            rightAligned: [1, 3, 4, 5])
        for r in reports {
            // A segment is <stream>-<seq>.jsonl.gz: its seq says which, without repeating the
            // stream's id; another file is a stream of its own, named by its file.
            let name = r.path.split(separator: "/").last.map(String.init) ?? r.path
            let seq = SegmentName.parse(name).map { String($0.seq) } ?? "-"
            table.add([
                r.stream, seq, r.state.rawValue,
                String(r.members), String(r.lines), HumanText.bytes(r.bytes),
                r.timeRange.map { TimeParser.format($0.lowerBound) } ?? "-",
                r.timeRange.map { TimeParser.format($0.upperBound) } ?? "-"
            ])
        }
        let out = Output()
        out.line(table.render())
        out.line(
            "\(plural(Set(reports.map(\.stream)).count, "stream")), \(plural(reports.count, "segment")), "
                + "\(plural(reports.reduce(0) { $0 + $1.members }, "member")), \(plural(reports.reduce(0) { $0 + $1.lines }, "line")), "
                + HumanText.bytes(reports.reduce(0) { $0 + $1.bytes }))
        if members {
            for stream in reader.streams {
                for segment in stream.segments {
                    guard let source = try? FileSource(path: segment.path),
                        let layout = try? SegmentScanner.scan(source),
                        layout.format == .gamma
                    else { continue }
                    out.line()
                    out.line(segment.path)
                    var t = TextTable(
                        headers: ["OFFSET", "LENGTH", "LINES", "MIN TS", "MAX TS", "FLAGS"], rightAligned: [0, 1, 2])
                    for m in layout.members {
                        let h = m.header
                        t.add([
                            String(m.offset), String(h.length), String(h.lineCount),
                            h.lineCount > 0 ? TimeParser.format(h.minTimestamp) : "-",
                            h.lineCount > 0 ? TimeParser.format(h.maxTimestamp) : "-", h.sealed ? "sealed" : ""
                        ])
                    }
                    out.line(t.render())
                }
            }
        }
        try out.finish()
        for r in reports { for d in r.damages { printError("warning: \(d)") } }
    }
}
