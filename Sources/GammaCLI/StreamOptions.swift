public import ArgumentParser
public import GammaLog

/// `--stream ID` (repeatable): read only these streams of the input.
public struct StreamOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this stream (repeatable).", valueName: "id"))
    public var stream: [String] = []

    public init() {}

    /// `reader` cut to the chosen streams; an id the input does not hold is a warning naming it.
    public func select(_ reader: LogReader, warnings: Warnings) -> LogReader {
        guard !stream.isEmpty else { return reader }
        let unknown = stream.filter { id in !reader.streams.contains { $0.id == id } }
        if !unknown.isEmpty { warnings.warn("no stream \(unknown.joined(separator: ", ")) in the input") }
        return LogReader(streams: reader.streams.filter { stream.contains($0.id) }, options: reader.options)
    }
}
