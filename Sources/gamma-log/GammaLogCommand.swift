import ArgumentParser
import GammaCLI

/// `gamma-log`: look at, read, check and repair a Gamma log.
@main
struct GammaLogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gamma-log",
        abstract: "Inspect, read, verify and repair Gamma logs (folders of .jsonl.gz segments).",
        discussion: HelpText.reflow(
            """
            A Gamma log is a folder. Each writer process is a stream that owns
            files <stream>-<seq>.jsonl.gz, each a series of complete gzip
            members, so zcat, gzip -t, jq and DuckDB read them too. The format
            is specified in docs/FORMAT.md.

            Examples:
              gamma-log ls samples/log            streams, segments, states, times
              gamma-log cat samples/log | jq -c 'select(.type=="span")'
              gamma-log cat --merge --since 2026-11-18T11:06:50Z samples/log
              gamma-log verify samples/log        exit 0 clean, 1 damaged
              gamma-log repair --dry-run samples/log
              gamma-log import export.jsonl.gz --log logs/   other programs' JSON lines

            Exit codes: 0 success; 1 damage found (verify, or any command with --strict);
            2 a path could not be read; 64 bad usage.
            """),
        version: GammaVersion.text,
        subcommands: [ListCommand.self, CatCommand.self, VerifyCommand.self, RepairCommand.self, ImportCommand.self]
    )

    init() {}

    static func main() {
        SubcommandGuard.check(Self.self)
        main(nil)
    }
}
