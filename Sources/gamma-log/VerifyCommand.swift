import ArgumentParser
import GammaCLI
import GammaLog

/// `gamma-log verify`: every member checked; exit 1 on damage.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check every member of a log: exit 0 when clean, 1 when damage is found.",
        discussion: """
            Inflates every member and checks its CRC-32, length, line count and line
            boundaries. Each damage is printed with its file, byte offset and reason. A torn
            tail of a dead stream is repairable (gamma-log repair); the incomplete tail of a
            live stream is "not yet", not damage.
            """
    )
    @OptionGroup var input: LogInputOptions
    @Flag(help: "Print only the damage, no summary.") var quiet = false

    func run() throws {
        let reader = try input.reader()
        let summary = try reader.forEachLine { _ in }
        let out = Output()
        for d in summary.damages { out.line("DAMAGE \(d)\(d.repairable ? " [repairable]" : "")") }
        if !quiet {
            for p in summary.pendingTails { out.line("live   \(p)") }
            let repairable = summary.damages.filter(\.repairable).count
            out.line(
                "\(plural(summary.segments, "segment")), \(plural(summary.membersRead, "member")) read, \(plural(summary.lines, "line")): "
                    + (summary.damages.isEmpty
                        ? "clean"
                        : "\(summary.damages.count) damage\(summary.damages.count == 1 ? "" : "s") (\(repairable) repairable with gamma-log repair)")
            )
        }
        try out.finish()
        if !summary.damages.isEmpty { throw ExitCode.failure }
    }
}
