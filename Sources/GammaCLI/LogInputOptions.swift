public import ArgumentParser
public import GammaLog

/// The input every replay command takes: log folders or segment files, and a time range.
public struct LogInputOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("Log folders or segment files (.jsonl.gz; plain gzip files from other tools too).",
                                 valueName: "path"))
    public var paths: [String]

    @Option(help: ArgumentHelp("Leave out lines before this time: RFC 3339 (2026-11-29T04:00:00Z), @unix-seconds, or nanoseconds.",
                               valueName: "time"))
    public var since: String?

    @Option(help: ArgumentHelp("Leave out lines at or after this time (same forms as --since).", valueName: "time"))
    public var until: String?

    public init() {}

    public mutating func validate() throws {
        if paths.isEmpty { throw ValidationError("Please give at least one log folder or segment file.") }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeParser.parse(value) == nil {
                throw ValidationError("\(name) '\(value)' is not a time: use RFC 3339 (2026-11-29T04:00:00Z), @unix-seconds, or nanoseconds.")
            }
        }
    }

    /// Read options with the parsed time range.
    public var readOptions: ReadOptions {
        ReadOptions(since: since.flatMap(TimeParser.parse), until: until.flatMap(TimeParser.parse))
    }

    /// Opens a reader, turning a bad path into a message and exit code 2.
    public func reader() throws -> LogReader {
        do { return try LogReader(paths: paths, options: readOptions) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
    }
}
