public import ArgumentParser

/// `-o/--output FILE`: where a replay command writes what it answers.
public struct OutputOptions: ParsableArguments {
    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Write to this file instead of standard output (replaced only by a complete new one).",
            valueName: "file"))
    public var output: String?

    public init() {}

    /// The output to write to: see ``Output/opening(_:)``.
    public func open() throws -> Output { try Output.opening(output) }
}
