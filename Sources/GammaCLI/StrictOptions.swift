public import ArgumentParser
import GammaModel

/// `--strict`: a warning (damage, an invalid line) fails the run.
public struct StrictOptions: ParsableArguments {
    @Flag(help: "Exit 1 if the log is damaged or holds invalid lines.")
    public var strict = false

    public init() {}
}

/// The warnings of one run: each printed to standard error as it comes (`warning: …`) and
/// counted; ``check()`` fails the run under `--strict` once the output is written.
public final class Warnings {
    public private(set) var count = 0
    public let strict: Bool
    /// Called before a warning is printed (to clear a progress line).
    private let before: () -> Void

    public init(_ options: StrictOptions, before: @escaping () -> Void = {}) {
        strict = options.strict
        self.before = before
    }

    public func warn(_ message: some CustomStringConvertible) {
        count += 1
        before()
        printError("warning: \(message)")
    }

    /// Under `--strict`, any warning is an error (exit 1).
    public func check() throws {
        guard strict && count > 0 else { return }
        printError("error: \(plural(count, "warning")) (--strict)")
        throw ExitCode.failure
    }
}
