public import ArgumentParser
public import GammaLog
import GammaModel

/// The input every replay command takes: log folders or segment files, and a time range.
public struct LogInputOptions: ParsableArguments {
    @Argument(
        help: ArgumentHelp(
            "Log folders or segment files (.jsonl.gz; plain gzip files from other tools too).",
            valueName: "path"))
    public var paths: [String]

    // Unconditional: `--since -1h` is a value, not an option.
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "Leave out lines before this time: RFC 3339 (2026-11-29T04:00:00Z), @unix-seconds, nanoseconds, or -DURATION before the last record (-1h, -30m).",
            valueName: "time"))
    public var since: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Leave out lines at or after this time (same forms as --since).", valueName: "time"))
    public var until: String?

    public init() {}

    public mutating func validate() throws {
        if paths.isEmpty { throw ValidationError("Please give at least one log folder or segment file.") }
        for (name, value) in [("--since", since), ("--until", until)] {
            if let value, TimeArgument(value) == nil {
                throw ValidationError(
                    "\(name) '\(value)' is not a time: use RFC 3339 (2026-11-29T04:00:00Z; UTC without a zone), @unix-seconds, nanoseconds, or -DURATION (-1h30m) before the last record; times before 1970 are refused."
                )
            }
        }
        // Two absolute times compare without the data; relative ones are checked once the end of
        // the data is known (``reader()``). (Not here: after a ValidationError, ArgumentParser takes
        // the `h` of `-1h` for a request for help.)
        if let a = since.flatMap(TimeArgument.init), let b = until.flatMap(TimeArgument.init),
            !a.isRelative, !b.isRelative,
            let x = a.resolve(end: 0), let y = b.resolve(end: 0), x >= y
        {
            throw ValidationError("--since '\(since!)' is not before --until '\(until!)': the range is empty.")
        }
    }

    /// Opens a reader, turning a bad path into a message and exit code 2. A time relative to
    /// the end of the data is resolved from the member headers (the last record's time).
    public func reader() throws -> LogReader {
        let catalog: LogReader
        do { catalog = try LogReader(paths: paths) } catch {
            printError("error: \(error)")
            throw ExitCode(2)
        }
        let times = [since, until].map { $0.flatMap(TimeArgument.init) }
        var end: Int64?
        if times.contains(where: { if case .beforeEnd? = $0 { return true } else { return false } }) {
            end = catalog.inventory().compactMap(\.timeRange?.upperBound).max()
        }
        let options = ReadOptions(since: times[0]?.resolve(end: end), until: times[1]?.resolve(end: end))
        if let a = options.since, let b = options.until, a >= b {
            printError(
                "error: --since '\(since!)' is not before --until '\(until!)' (the input ends at \(end.map { TimeParser.format($0) } ?? "-")): the range is empty."
            )
            throw ExitCode(64)
        }
        return LogReader(streams: catalog.streams, options: options)
    }
}
