public import ArgumentParser
import GammaLog
import GammaReplay

/// `gamma-log`: look at, read, check and repair a Gamma log.
public struct GammaLogCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gamma-log",
        abstract: "Inspect, read, verify and repair Gamma logs (folders of .jsonl.gz segments).",
        discussion: """
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

            Exit codes: 0 success; 1 damage found (verify, or any command with --strict);
            2 a path could not be read; 64 bad usage.
            """,
        subcommands: [List.self, Cat.self, Verify.self, Repair.self]
    )

    public init() {}

    // MARK: - ls

    public struct List: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "ls",
            abstract: "List streams and segments: state, members, lines, bytes and time range.",
            discussion: """
                Reads member headers only (48 bytes each), so it is fast on any size of log;
                plain gzip files from other tools are inflated to count their lines.

                States: sealed (closed cleanly), live (its writer is running), torn (a dead
                writer's cut-short tail: run gamma-log repair), unsealed (the writer died between
                flushes; nothing is lost), empty, foreign (gzip from another tool), invalid.
                """
        )
        @OptionGroup public var input: LogInputOptions
        @Flag(help: "Also list every member: offset, length, lines and time range.") public var members = false

        public init() {}

        public func run() throws {
            let reader = try input.reader()
            let reports = reader.inventory()
            var table = TextTable(headers: ["STREAM", "SEGMENT", "STATE", "MEMBERS", "LINES", "BYTES", "FIRST", "LAST"],
                                  rightAligned: [3, 4, 5])
            for r in reports {
                table.add([r.stream, r.path.split(separator: "/").last.map(String.init) ?? r.path, r.state.rawValue,
                           String(r.members), String(r.lines), formatBytes(r.bytes),
                           r.timeRange.map { TimeParser.format($0.lowerBound) } ?? "-",
                           r.timeRange.map { TimeParser.format($0.upperBound) } ?? "-"])
            }
            let out = Output()
            out.line(table.render())
            out.line("\(plural(Set(reports.map(\.stream)).count, "stream")), \(plural(reports.count, "segment")), "
                     + "\(plural(reports.reduce(0) { $0 + $1.members }, "member")), \(plural(reports.reduce(0) { $0 + $1.lines }, "line")), "
                     + formatBytes(reports.reduce(0) { $0 + $1.bytes }))
            if members {
                for stream in reader.streams {
                    for segment in stream.segments {
                        guard let source = try? FileSource(path: segment.path),
                              let layout = try? SegmentScanner.scan(source, nameSaysGamma: segment.seq != nil),
                              layout.format == .gamma else { continue }
                        out.line()
                        out.line(segment.path)
                        var t = TextTable(headers: ["OFFSET", "LENGTH", "LINES", "MIN TS", "MAX TS", "FLAGS"], rightAligned: [0, 1, 2])
                        for m in layout.members {
                            let h = m.header
                            t.add([String(m.offset), String(h.length), String(h.lineCount),
                                   h.lineCount > 0 ? TimeParser.format(h.minTimestamp) : "-",
                                   h.lineCount > 0 ? TimeParser.format(h.maxTimestamp) : "-", h.sealed ? "sealed" : ""])
                        }
                        out.line(t.render())
                    }
                }
            }
            for r in reports { for d in r.damages { printError("warning: \(d)") } }
        }
    }

    // MARK: - cat

    public struct Cat: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "cat",
            abstract: "Print the lines of a log, decompressed, one record per line.",
            discussion: """
                Lines come stream by stream in file order, or with --merge, all streams merged
                by each line's "ts". --since/--until skip whole members by their headers and
                then filter lines by "ts". Damage is reported on stderr and skipped.
                """
        )
        @OptionGroup public var input: LogInputOptions
        @Flag(help: "Merge streams by timestamp instead of printing one stream after another.") public var merge = false
        @Option(help: ArgumentHelp("Only this stream (repeatable).", valueName: "id")) public var stream: [String] = []
        @Flag(help: "Exit 1 if any damage was found.") public var strict = false

        public init() {}

        public func run() throws {
            var reader = try input.reader()
            if !stream.isEmpty {
                reader = LogReader(streams: reader.streams.filter { stream.contains($0.id) }, options: reader.options)
            }
            let out = Output()
            let onDamage: (LogDamage) -> Void = { printError("warning: \($0)") }
            let write: (LogLine) throws -> Void = { line in
                out.write(line.bytes)
                out.write("\n")
                if out.failed { throw ExitCode.success }  // the pipe's reader went away (head, less)
            }
            let summary = merge ? try reader.forEachLineMerged(onDamage: onDamage, write) : try reader.forEachLine(onDamage: onDamage, write)
            out.flush()
            if strict && !summary.damages.isEmpty { throw ExitCode.failure }
        }
    }

    // MARK: - verify

    public struct Verify: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check every member of a log: exit 0 when clean, 1 when damage is found.",
            discussion: """
                Inflates every member and checks its CRC-32, length, line count and line
                boundaries. Each damage is printed with its file, byte offset and reason. A torn
                tail of a dead stream is repairable (gamma-log repair); the incomplete tail of a
                live stream is "not yet", not damage.
                """
        )
        @OptionGroup public var input: LogInputOptions
        @Flag(help: "Print only the damage, no summary.") public var quiet = false

        public init() {}

        public func run() throws {
            let reader = try input.reader()
            let summary = try reader.forEachLine { _ in }
            let out = Output()
            for d in summary.damages { out.line("DAMAGE \(d)\(d.repairable ? " [repairable]" : "")") }
            if !quiet {
                for p in summary.pendingTails { out.line("live   \(p)") }
                let repairable = summary.damages.filter(\.repairable).count
                out.line("\(plural(summary.segments, "segment")), \(plural(summary.membersRead, "member")) read, \(plural(summary.lines, "line")): "
                         + (summary.damages.isEmpty ? "clean"
                            : "\(summary.damages.count) damage\(summary.damages.count == 1 ? "" : "s") (\(repairable) repairable with gamma-log repair)"))
            }
            out.flush()
            if !summary.damages.isEmpty { throw ExitCode.failure }
        }
    }

    // MARK: - repair

    public struct Repair: ParsableCommand {
        public static let configuration = CommandConfiguration(
            commandName: "repair",
            abstract: "Truncate the torn tails of dead streams; touch nothing else.",
            discussion: """
                A writer killed mid-write leaves its last member cut short. repair truncates each
                such segment to the end of its last valid member (one ftruncate and an fsync, so a
                crash during repair is harmless) and running it twice changes nothing. It holds
                each stream's lock while it works and leaves live streams, foreign gzip files and
                corrupt members in the middle of a segment alone (readers skip those).
                """
        )
        @Argument(help: ArgumentHelp("Log folders or segment files.", valueName: "path")) public var paths: [String]
        @Flag(help: "Only say what would be truncated.") public var dryRun = false

        public init() {}

        public func validate() throws {
            if paths.isEmpty { throw ValidationError("Please give at least one log folder or segment file.") }
        }

        public func run() throws {
            let report: LogRepair.Report
            do { report = try LogRepair.repair(paths: paths, dryRun: dryRun) } catch {
                printError("error: \(error)")
                throw ExitCode(2)
            }
            let out = Output()
            for a in report.actions { out.line((dryRun ? "would truncate " : "truncated ") + a.description) }
            for s in report.liveStreams { out.line("live   stream \(s): its writer is running; not touched") }
            for d in report.leftAlone { out.line("left   \(d)") }
            out.line(report.actions.isEmpty ? "nothing to repair" : "\(report.actions.count) segment\(report.actions.count == 1 ? "" : "s") \(dryRun ? "would be " : "")repaired")
            out.flush()
        }
    }
}
