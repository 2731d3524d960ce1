import ArgumentParser
import GammaCLI
import GammaLog
import GammaModel

/// `gamma-log repair`: torn tails of dead streams truncated.
struct RepairCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "repair",
        abstract: "Truncate the torn tails of dead streams; touch nothing else.",
        discussion: HelpText.reflow(
            """
            A writer killed mid-write leaves its last member cut short. repair truncates each
            such segment to the end of its last valid member (one ftruncate and an fsync, so a
            crash during repair is harmless) and running it twice changes nothing. It holds
            each stream's lock while it works and leaves live streams, foreign gzip files and
            corrupt members in the middle of a segment alone (readers skip those). What it
            removes it first copies to a .<segment>.<offset>.quarantine file beside the segment.

            Examples:
              gamma-log repair --dry-run logs/     what would be cut, changing nothing
              gamma-log repair logs/
            """)
    )
    @Argument(help: ArgumentHelp("Log folders or segment files.", valueName: "path")) var paths: [String]
    @Flag(help: "Only say what would be truncated.") var dryRun = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("Please give at least one log folder or segment file.") }
    }

    func run() throws {

        ProcessSetup.ignoreFileSizeSignal()
        let report: LogRepair.Report
        do { report = try LogRepair.repair(paths: paths, dryRun: dryRun) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let out = Output()
        for a in report.actions { out.line((dryRun ? "would truncate " : "truncated ") + a.description) }
        for s in report.liveStreams { out.line("live   stream \(s): its writer is running; not touched") }
        for d in report.leftAlone { out.line("left   \(d)") }
        out.line(
            report.actions.isEmpty
                ? "nothing to repair"
                : "\(plural(report.actions.count, "segment")) \(dryRun ? "would be " : "")repaired"
        )
        try out.finish()
    }
}
