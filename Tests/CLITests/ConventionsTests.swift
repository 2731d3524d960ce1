import GammaTestKit
import GammaTestSupport
import Testing

/// What users of git, jq and promtool expect of a command line: `--version` everywhere, a short
/// usage (not the whole help) for a missing subcommand, "did you mean" for a mistyped one, and
/// one exit code for one problem.
@Suite struct ConventionsTests {
    @Test(arguments: ["gamma-log", "gamma-report", "gamma-traces", "gamma-backtest", "gamma-agent"])
    func everyExecutableHasAVersion(_ tool: String) throws {
        let r = try Executables.run(tool, ["--version"])
        #expect(r.status == 0 && r.stdout.hasPrefix("0.") && r.stdout.contains("schema v1"), "\(r.stdout)")
    }

    @Test func subcommandsAreSuggestedAndAMissingOneGetsAShortUsage() throws {
        let typo = try Executables.run("gamma-log", ["lss", "samples"])
        #expect(typo.status == 64 && typo.stderr.contains("Did you mean 'ls'?"), "\(typo.stderr)")
        let agent = try Executables.run("gamma-agent", ["simulat"])
        #expect(agent.status == 64 && agent.stderr.contains("Did you mean 'simulate'?"))
        let far = try Executables.run("gamma-agent", ["xyzzy"])
        #expect(far.status == 64 && !far.stderr.contains("Did you mean") && far.stderr.contains("one of run, simulate"))
        let none = try Executables.run("gamma-log", [])
        #expect(none.status == 64 && none.stderr.utf8.count < 400, "\(none.stderr)")
        #expect(none.stderr.contains("ls, cat, verify, repair, import") && none.stderr.contains("--help"))
    }

    /// An unknown profile is bad usage wherever it is named.
    @Test func anUnknownProfileIsBadUsageEverywhere() throws {
        let show = try Executables.run("gamma-agent", ["profiles", "--show", "nope"])
        let simulate = try Executables.run("gamma-agent", ["simulate", "--profile", "nope", "--runs", "1"])
        #expect(show.status == 64 && simulate.status == 64)
        #expect(show.stderr.contains("no preset 'nope'") && simulate.stderr.contains("no preset 'nope'"))
    }
}

extension ConventionsTests {
    /// An option that would do nothing in a combination is refused, with what to do instead.
    @Test(arguments: [
        ("gamma-backtest", ["--rules", "samples/rules/agent.yaml", "--timeline", "--format", "json"], "table format"),
        ("gamma-backtest", ["--rules", "samples/rules/agent.yaml", "--width", "120"], "use it with --timeline"),
        ("gamma-report", ["--interval", "1m"], "give --rules"),
        ("gamma-report", ["--timestamps", "--format", "json"], "prometheus or openmetrics")
    ])
    func optionsThatWouldDoNothingAreRefused(_ tool: String, _ args: [String], _ message: String) throws {
        let root = RepositoryPaths.root
        let r = try Executables.run(
            tool, args.map { $0.hasPrefix("samples/") ? root + "/" + $0 : $0 } + [root + "/samples/day"])
        #expect(r.status == 64 && r.stderr.contains(message), "\(r.stderr)")
    }
}

extension ConventionsTests {
    /// Long reads show progress on a terminal's standard error (here a pseudo-terminal made by
    /// `script`), and not with --no-progress; stdout never sees it.
    @Test(arguments: [
        ("gamma-traces", ["--summary"]), ("gamma-traces", ["--format", "otlp"]),
        ("gamma-backtest", ["--rules", RepositoryPaths.root + "/samples/rules/agent.yaml"])
    ])
    func longReadsShowProgressOnATerminal(_ tool: String, _ args: [String]) throws {
        let traces = Executables.path(tool)
        let day = RepositoryPaths.root + "/samples/day"
        let dir = TemporaryDirectory(prefix: "gamma-tty")
        defer { dir.remove() }
        func run(_ extra: String) throws -> String {
            let command = "'\(traces)' \(args.joined(separator: " ")) \(extra) '\(day)' > /dev/null"
            let typescript = dir.file("typescript")
            _ = try Executables.shell("script -q -e -c \"\(command)\" '\(typescript)' > /dev/null 2>&1 < /dev/null")
            return String(decoding: Files.read(typescript), as: UTF8.self)
        }
        let marker = tool == "gamma-report" ? "% read" : "% read and"
        #expect(try run("").contains(marker))
        #expect(!(try run("--no-progress")).contains(marker))
    }
}

extension ConventionsTests {
    /// At the end of a simulation, the notifications still under way are shown while they are
    /// waited for (here a webhook that never answers, up to a 1 s deadline).
    @Test func theDrainAtTheEndShowsWhatItWaitsFor() throws {
        let hook = StubHTTPServer { _, _ in .hang }
        defer { hook.stop() }
        let dir = TemporaryDirectory(prefix: "gamma-drain")
        defer { dir.remove() }
        Files.write(
            dir.file("always.yaml"),
            Array(
                "rules:\n  - name: Always\n    metric: llm.latency_ms\n    aggregate: count\n    window: 1m\n    op: \">\"\n    threshold: 0\n"
                    .utf8))
        let agent = Executables.path("gamma-agent")
        let command =
            "'\(agent)' simulate --runs 30 --log '\(dir.file("log"))' --rules '\(dir.file("always.yaml"))' "
            + "--webhook \(hook.baseURL)/hook --quiet-alerts --notify-deadline 1s > /dev/null"
        _ = try Executables.shell(
            "script -q -e -c \"\(command)\" '\(dir.file("typescript"))' > /dev/null 2>&1 < /dev/null")
        let screen = String(decoding: Files.read(dir.file("typescript")), as: UTF8.self)
        #expect(screen.contains("notifications to be delivered (at most 1s)"), "\(screen.suffix(400))")
    }
}

extension ConventionsTests {
    /// Help fits 80 columns: prose is left to the parser's wrapping (no hand breaks that leave a
    /// word alone on a line), and every example line is at most 80 columns by itself.
    @Test(arguments: [
        ["gamma-log"], ["gamma-log", "ls"], ["gamma-log", "cat"], ["gamma-log", "verify"], ["gamma-log", "repair"],
        ["gamma-log", "import"], ["gamma-report"], ["gamma-traces"], ["gamma-backtest"], ["gamma-agent"],
        ["gamma-agent", "run"], ["gamma-agent", "simulate"], ["gamma-agent", "profiles"]
    ])
    func helpFitsEightyColumns(_ command: [String]) throws {
        let tool = Executables.path(command[0])
        let args = command.dropFirst().joined(separator: " ")
        let narrow = try Executables.shell("COLUMNS=80 '\(tool)' \(args) --help").stdout
        for line in narrow.split(separator: "\n") where !line.hasPrefix("USAGE:") {
            #expect(line.count <= 80, "\(command.joined(separator: " ")): \(line)")
        }
        // Wide, nothing is wrapped: an example (a line that starts with the tool's name) must fit anyway.
        let wide = try Executables.shell("COLUMNS=250 '\(tool)' \(args) --help").stdout
        for line in wide.split(separator: "\n") where line.trimmingPrefix(" ").hasPrefix("gamma-") {
            #expect(line.count <= 80, "\(command.joined(separator: " ")): \(line)")
        }
        // A paragraph is one line in the source: at 250 columns no prose line ends early with
        // the next one starting in lower case, as a hand break would.
        let lines = wide.split(separator: "\n", omittingEmptySubsequences: false)
        for (a, b) in zip(lines, lines.dropFirst())
        where !a.hasPrefix(" ") && !b.hasPrefix(" ") && !a.isEmpty && a.count < 120 && !a.hasSuffix(":") {
            #expect(!(b.first?.isLowercase ?? false), "a hand break in \(command.joined(separator: " ")): \(a) / \(b)")
        }
    }
}

extension ConventionsTests {
    /// A value that starts with '-' is taken as the option's value: where a negative one is
    /// wrong, the message says what is wrong with it, not that the value is missing.
    @Test(arguments: [
        ("gamma-report", ["--step", "-5m"], "--step '-5m' is not a duration"),
        ("gamma-traces", ["--limit", "-3"], "--limit must be at least 1"),
        ("gamma-backtest", ["--rules", "samples/rules/agent.yaml", "--interval", "-15s"], "--interval '-15s'")
    ])
    func negativeValuesAreJudgedNotMissing(_ tool: String, _ args: [String], _ message: String) throws {
        let root = RepositoryPaths.root
        let r = try Executables.run(
            tool, args.map { $0.hasPrefix("samples/") ? root + "/" + $0 : $0 } + [root + "/samples/day"])
        #expect(r.status == 64 && r.stderr.contains(message) && !r.stderr.contains("Missing value"), "\(r.stderr)")
    }
}
