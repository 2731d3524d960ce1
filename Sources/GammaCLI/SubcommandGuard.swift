public import ArgumentParser

/// What a tool with subcommands says before parsing, where the parser alone would say too much or
/// too little: no subcommand gets a short usage with the list of subcommands (not the whole
/// help), and a mistyped one gets "did you mean" (as git does). Exit 64 in both cases.
public enum SubcommandGuard {
    /// The message for `arguments` (without the program name), or `nil` when the parser should
    /// take them: a known subcommand, an option such as `--help` or `--version`.
    public static func message(for arguments: [String], tool: String, subcommands: [String]) -> String? {
        let usage =
            "Usage: \(tool) <subcommand>; one of \(subcommands.joined(separator: ", "))\n"
            + "  See '\(tool) --help' for more information."
        guard let first = arguments.first else { return "Error: \(tool) needs a subcommand.\n" + usage }
        if first.hasPrefix("-") || subcommands.contains(first) || first == "help" { return nil }
        let nearest = subcommands.map { ($0, distance($0, first)) }.min { $0.1 < $1.1 }
        let suggestion = nearest.flatMap { $0.1 <= max(2, first.count / 3) ? " Did you mean '\($0.0)'?" : nil } ?? ""
        return "Error: '\(first)' is not a \(tool) subcommand.\(suggestion)\n" + usage
    }

    /// Prints the message, if any, to standard error and exits 64.
    public static func check(_ command: any ParsableCommand.Type) {
        let config = command.configuration
        let tool = config.commandName ?? "gamma"
        let names = config.subcommands.compactMap { $0.configuration.commandName }
        if let message = message(for: Array(CommandLine.arguments.dropFirst()), tool: tool, subcommands: names) {
            printError(message)
            command.exit(withError: ExitCode(64))
        }
    }

    /// Levenshtein's edit distance.
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        var row = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(1, y.count) where !y.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (x[i - 1] == y[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return x.isEmpty ? y.count : row[y.count]
    }
}
