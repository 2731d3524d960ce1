#if canImport(Glibc)
import Glibc
#endif
import ArgumentParser
import GammaModel
import GammaCLI
import GammaLog
import GammaReplay

/// `gamma-log import`: JSON-lines files of other programs rewritten as Gamma segments.
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Rewrite JSON-lines files (gzip or not compressed) as the segments of a new stream.",
        discussion: HelpText.reflow(
            """
            Every line is checked as a record of schema v1 (docs/FORMAT.md); each invalid one
            is reported on stderr with its file and line, and left out. Lines keep their
            bytes; each member header carries the real smallest and largest "ts" of its lines,
            so later reads split the files by member, inflate them on every core and skip them
            by time. A gzip file is known by its bytes; its members are checked before their
            lines are taken, so a damaged member gives no line and is reported.

            Exit codes: 0 every line imported; 1 invalid lines or damage with --strict, or the
            log could not be written; 2 no line imported.

            Examples:
              gamma-log import export.jsonl.gz --log logs/
              gamma-log import --stream nightly-2026-12-01 part-*.jsonl --log logs/
            """)
    )
    @Argument(help: "Files of JSON lines, plain gzip or not compressed.") var sources: [String]
    @Option(help: "The log folder to write into (created if missing).") var log: String
    @Option(help: "The new stream's id (default: a fresh one, as a recorder makes).") var stream: String?
    @OptionGroup var strictness: StrictOptions

    func validate() throws {
        guard !sources.isEmpty else { throw ValidationError("name at least one file to import") }
    }

    func run() throws {
        ProcessSetup.ignoreFileSizeSignal()
        let warnings = Warnings(strictness)
        // Every source is checked before anything is written: a path that cannot be read is
        // named at once, and no stream is begun.
        for path in sources {
            if POSIX.isDirectory(path) == true {
                printError("error: \(path) is a folder: import reads files (gamma-log cat \(path) reads a log)")
                throw ExitCode(2)
            }
            do throws(LogError) { _ = try FileSource(path: path) } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
        }
        let summary: LogImport.Summary
        let writer: SegmentWriter
        do {
            if POSIX.isDirectory(log) == nil { mkdir(log, 0o755) }  // the writer names what is wrong
            writer = try SegmentWriter(directory: log, stream: stream)
            var shown = 0
            summary = try LogImport(sources: sources, writer: writer).run(
                onInvalid: { invalid in
                    shown += 1
                    if shown <= 100 { warnings.warn(invalid) }
                },
                onDamage: { warnings.warn($0) })
            if summary.invalid > 100 { warnings.warn("\(summary.invalid - 100) more invalid lines not shown") }
        } catch let error as LogError {
            printError("error: \(error)")
            throw ExitCode.failure
        }
        let w = summary.writer!
        print(
            "imported \(plural(summary.lines, "line")) of \(plural(summary.files, "file")) into \(log) as stream "
                + "\(writer.stream) (\(plural(w.segmentsCreated, "segment")), \(plural(w.membersWritten, "member")))"
                + (summary.invalid > 0 ? "; \(plural(summary.invalid, "invalid line")) left out" : ""))
        if summary.lines == 0 {
            printError("error: no line of \(sources.joined(separator: " ")) is a record: nothing imported")
            throw ExitCode(2)
        }
        try warnings.check()
    }
}
