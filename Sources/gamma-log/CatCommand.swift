import ArgumentParser
import GammaCLI
import GammaLog

/// `gamma-log cat`: the lines of a log, decompressed.
struct CatCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cat",
        abstract: "Print the lines of a log, decompressed, one record per line.",
        discussion: HelpText.reflow(
            """
            Lines come stream by stream in file order, or with --merge, all streams merged
            by each line's "ts". --since/--until skip whole members by their headers and
            then filter lines by "ts". Damage is reported on stderr and skipped.

            Examples:
              gamma-log cat samples/day | jq -c 'select(.type == "span")'
              gamma-log cat --merge --since 2026-11-02T10:00:00Z logs/
            """)
    )
    @OptionGroup var input: LogInputOptions
    @Flag(help: "Merge streams by timestamp instead of printing one stream after another.") var merge = false
    @OptionGroup var streams: StreamOptions
    @OptionGroup var strictness: StrictOptions

    func run() throws {

        ProcessSetup.ignoreFileSizeSignal()
        let warnings = Warnings(strictness)
        let unselected = try input.reader()
        // cat recovers what zcat would: a foreign member's lines stream before its CRC is
        // checked, and a member that then fails is a warning that says its lines may be wrong.
        var options = unselected.options
        options.checkForeignMembersFirst = false
        let reader = streams.select(LogReader(streams: unselected.streams, options: options), warnings: warnings)
        let out = Output()
        let onDamage: (LogDamage) -> Void = { warnings.warn($0) }
        let write: (LogLine) throws -> Void = { line in
            line.withBytes { out.write($0) }
            out.write("\n")
            if out.failed { try out.finish() }  // a closed pipe ends the run quietly; any other failure is an error
        }
        let summary =
            merge
            ? try reader.forEachLineMerged(onDamage: onDamage, write)
            : try reader.forEachLine(onDamage: onDamage, write)
        try out.finish()
        if summary.lines == 0 {
            try EmptyInput.check(reader, input: unselected, paths: input.paths, warnings: warnings)
        }
        try warnings.check()
    }
}
