import ArgumentParser
import GammaModel
import GammaCLI
import GammaLog
import GammaReplay

/// `gamma-log verify`: every member checked; exit 1 on damage.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every member of a log: exit 0 when clean, 1 when damage is found.",
        discussion: HelpText.reflow(
            """
            Inflates every member and checks its CRC-32, length, line count and line
            boundaries. Each damage is printed with its file, byte offset and reason. A torn
            tail of a dead stream is repairable (gamma-log repair); the incomplete tail of a
            live stream is "not yet", not damage. With --records, every line is also checked
            as a record of schema v1 (docs/FORMAT.md), and each invalid one is printed with its
            file, member offset, line and reason.

            Examples:
              gamma-log verify samples/day
              gamma-log verify --records --quiet logs/
            """)
    )
    @OptionGroup var input: LogInputOptions
    @Flag(help: "Also check that every line is a record of schema v1, and report each one that is not with its place.")
    var records = false
    @Flag(help: "Print only the damage, no summary.") var quiet = false

    /// A member's invalid lines, found on the reader's workers.
    struct Checked: Sendable {
        var invalid: [RecordLines.Invalid] = []
        init(_ bytes: UnsafeRawBufferPointer) { RecordLines.forEach(in: bytes, invalid: &invalid) { _, _, _ in } }
    }

    func run() throws {
        ProcessSetup.ignoreFileSizeSignal()
        let reader = try input.reader()
        if reader.streams.isEmpty {  // nothing checked is no verdict of "clean"
            printError(
                "error: nothing to verify in \(input.paths.joined(separator: " ")) (no log segments or gzip files there)"
            )
            throw ExitCode(2)
        }
        let out = Output()
        var invalid: [ReplayIssue] = []
        let summary: ReadSummary
        if records {
            summary = try reader.forEachMember(preparing: Checked.init, onDamage: { _ in }) { member, checked in
                RecordLines.report(checked.invalid, reader, member) { invalid.append($0) }
            }
        } else {
            summary = try reader.forEachLine { _ in }
        }
        for d in summary.damages { out.line("DAMAGE \(d)\(d.repairable ? " [repairable]" : "")") }
        for issue in invalid { out.line("INVALID \(issue)") }
        if !quiet {
            for p in summary.pendingTails { out.line("live   \(p)") }
            let repairable = summary.damages.filter(\.repairable).count
            var problems: [String] = []
            if !summary.damages.isEmpty {
                problems.append(
                    "\(plural(summary.damages.count, "damaged place")) (\(repairable) repairable with gamma-log repair)"
                )
            }
            if !invalid.isEmpty { problems.append(plural(invalid.count, "invalid line")) }
            let verdict =
                !problems.isEmpty
                ? problems.joined(separator: ", ")
                : records ? "clean, every line a record" : "clean (records not checked: --records)"
            out.line(
                "\(plural(summary.segments, "segment")), \(plural(summary.membersRead, "member")) read, \(plural(summary.lines, "line")): "
                    + verdict)
        }
        try out.finish()
        if !summary.damages.isEmpty || !invalid.isEmpty { throw ExitCode.failure }
    }
}
