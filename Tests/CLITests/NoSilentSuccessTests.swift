import Foundation
import GammaLog
import GammaModel
import GammaTestKit
import GammaTestSupport
import Testing

/// Every command either answers the question asked or says why not: a table per kind of
/// failure, over the real executables (exit code, a piece of stderr, the files afterwards).
@Suite struct NoSilentSuccessTests {
    static var root: String { RepositoryPaths.root }
    static var day: String { root + "/samples/day" }
    static var rules: String { root + "/samples/rules/agent.yaml" }

    /// Inputs that are not what they seem, made once: an empty folder, a gzip of lines that are not
    /// records (written by gzip, not by Gamma), a file that is not gzip, and rule files.
    static let inputs: String = {
        let dir = TemporaryDirectory(prefix: "gamma-silent")
        mkdir(dir.file("empty"), 0o755)
        Files.write(dir.file("x.txt"), Array("hello\n".utf8))
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/bin/sh")
        gz.arguments = ["-c", "printf 'a\\nb\\n' | gzip > '\(dir.file("notlog.gz"))'"]
        try? gz.run()
        gz.waitUntilExit()
        Files.write(
            dir.file("nodata.yaml"),
            Array(
                "rules:\n  - name: Nothing\n    metric: no.such.metric\n    aggregate: avg\n    window: 1m\n    op: \">\"\n    threshold: 1\n"
                    .utf8))
        Files.write(dir.file("none.yaml"), Array("rules: []\n".utf8))
        return dir.path
    }()

    struct Case: CustomTestStringConvertible, Sendable {
        var tool: String
        var args: [String]
        var status: Int32
        var stderr: String
        var testDescription: String { "\(tool) \(args.joined(separator: " "))" }
    }

    static func cases() -> [Case] {
        let i = inputs, day = day, rules = rules
        return [
            Case(
                tool: "gamma-backtest", args: ["--rules", i + "/nodata.yaml", day], status: 0,
                stderr: "rule 'Nothing' had no data"),
            Case(
                tool: "gamma-backtest", args: ["--rules", i + "/nodata.yaml", "--fail-on", "firing", day], status: 1,
                stderr: "--allow-no-data"),
            Case(
                tool: "gamma-backtest",
                args: ["--rules", i + "/nodata.yaml", "--fail-on", "firing", "--allow-no-data", day], status: 0,
                stderr: "had no data"),
            Case(
                tool: "gamma-backtest", args: ["--rules", i + "/nodata.yaml", "--strict", day], status: 1,
                stderr: "(--strict)"),
            Case(
                tool: "gamma-backtest", args: ["--rules", rules, "--rule", "Nope*", day], status: 0,
                stderr: "matches --rule 'Nope*'"),
            Case(
                tool: "gamma-backtest", args: ["--rules", rules, "--rule", "Nope*", "--fail-on", "firing", day],
                status: 1, stderr: "no rule was evaluated"),
            Case(
                tool: "gamma-backtest", args: ["--rules", i + "/none.yaml", "--fail-on", "firing", day], status: 1,
                stderr: "no enabled rule"),
            Case(tool: "gamma-backtest", args: ["--rules", rules, i + "/empty"], status: 2, stderr: "no records in"),
            Case(
                tool: "gamma-backtest", args: ["--rules", rules, "--since", "2027-01-01T00:00:00Z", day], status: 0,
                stderr: "no records from 2027-01-01"),
            Case(tool: "gamma-backtest", args: ["--history", i + "/empty"], status: 2, stderr: "no records in"),
            Case(tool: "gamma-report", args: [i + "/empty"], status: 2, stderr: "no log segments or gzip files there"),
            Case(tool: "gamma-report", args: [i + "/notlog.gz"], status: 2, stderr: "none of them a record"),
            Case(tool: "gamma-report", args: [i + "/x.txt"], status: 2, stderr: "no readable line"),
            Case(
                tool: "gamma-report", args: ["--metric", "nosuch", day], status: 0,
                stderr: "--metric 'nosuch' matches no series"),
            Case(tool: "gamma-report", args: ["--metric", "nosuch", "--strict", day], status: 1, stderr: "(--strict)"),
            Case(
                tool: "gamma-report", args: ["--match", "tool=zzz", day], status: 0,
                stderr: "no series match --match 'tool=zzz'"),
            Case(tool: "gamma-report", args: ["--stream", "nosuch", day], status: 0, stderr: "no stream nosuch"),
            Case(tool: "gamma-report", args: ["--format", "html", i + "/empty"], status: 2, stderr: "no records in"),
            Case(tool: "gamma-log", args: ["cat", "--stream", "nosuch", day], status: 0, stderr: "no stream nosuch"),
            Case(
                tool: "gamma-log", args: ["cat", "--stream", "nosuch", "--strict", day], status: 1, stderr: "(--strict)"
            ),
            Case(tool: "gamma-log", args: ["cat", i + "/empty"], status: 2, stderr: "no records in"),
            Case(tool: "gamma-log", args: ["verify", i + "/empty"], status: 2, stderr: "nothing to verify in"),
            Case(tool: "gamma-traces", args: [i + "/x.txt"], status: 2, stderr: "no records in"),
            Case(
                tool: "gamma-traces", args: ["--summary", i + "/notlog.gz"], status: 2, stderr: "none of them a record"),
            Case(
                tool: "gamma-traces", args: ["--name", "nosuch*", day], status: 0,
                stderr: "no trace matches --name 'nosuch*'"),
            Case(
                tool: "gamma-traces", args: ["--format", "json", "--errors", "--min-duration", "1h", day], status: 0,
                stderr: "no trace matches --errors --min-duration 1h")
        ]
    }

    @Test(arguments: cases())
    func aSelectionOfNothingIsSaid(_ c: Case) throws {
        let r = try Executables.run(c.tool, c.args)
        #expect(r.status == c.status && r.stderr.contains(c.stderr), "exit \(r.status)\n\(r.stderr)")
        #expect(!r.stdout.contains("1970"), "a 1970 range for an empty selection:\n\(r.stdout)")
    }

    @Test(arguments: [
        ["gamma-log", "cat", day], ["gamma-log", "ls", day], ["gamma-log", "verify", day], ["gamma-report", day],
        ["gamma-traces", "--summary", day], ["gamma-backtest", "--rules", rules, day],
        ["gamma-agent", "profiles", "--show", "day"],
        ["gamma-agent", "profiles"]
    ])
    func aFullDiskOnStandardOutputIsAnError(_ command: [String]) throws {
        let r = try Executables.shell(
            command.map { "'\($0)'" }.joined(separator: " ").replacingOccurrences(
                of: "'\(command[0])'", with: "'\(Executables.path(command[0]))'")
                + " > /dev/full")
        #expect(
            r.status == 2 && r.stderr.contains("cannot write to standard output: No space left on device"),
            "\(r.status) \(r.stderr)")
    }

    @Test(arguments: [
        ["gamma-report", "-o", "/dev/full", day], ["gamma-traces", "-o", "/dev/full", day],
        ["gamma-backtest", "-o", "/dev/full", "--rules", rules, day]
    ])
    func aFullDiskOnTheOutputFileIsAnError(_ command: [String]) throws {
        let r = try Executables.run(command[0], Array(command.dropFirst()))
        #expect(
            r.status == 2 && r.stderr.contains("cannot write /dev/full: No space left on device"),
            "\(r.status) \(r.stderr)")
        var info = stat()
        #expect(stat("/dev/full", &info) == 0 && (info.st_mode & S_IFMT) == S_IFCHR, "/dev/full is still the device")
    }

    @Test func aClosedPipeStaysQuiet() throws {
        let r = try Executables.shell("'\(Executables.path("gamma-log"))' cat '\(Self.day)' | head -1 > /dev/null")
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
    }

    @Test func aRefusedOrFailedRunLeavesTheOutputFileAsItWas() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        // Two names that clash once exposed to Prometheus: the run is refused.
        mkdir(dir.file("log"), 0o755)
        try Fixtures.writeStream(
            [
                (
                    #"{"ts":1795000000000000000,"type":"gauge","value":1,"name":"a.b","labels":{}}"#,
                    1_795_000_000_000_000_000
                ),
                (
                    #"{"type":"gauge", "name":"a_b", "labels":{}, "value":2, "ts":1795000001000000000}"#,
                    1_795_000_001_000_000_000
                )
            ], to: dir.file("log"), stream: "x")
        let out = dir.file("out.prom")
        Files.write(out, Array("OLD".utf8))
        let refused = try Executables.run("gamma-report", ["--format", "prometheus", "-o", out, dir.file("log")])
        #expect(refused.status == 1 && refused.stderr.contains("'a.b'"), "\(refused.stderr)")
        #expect(Files.read(out) == Array("OLD".utf8))
        Files.write(dir.file("typo.yaml"), Array("rules:\n  - name: X\n    metrik: a.b\n".utf8))
        let typo = try Executables.run("gamma-backtest", ["--rules", dir.file("typo.yaml"), "-o", out, dir.file("log")])
        #expect(typo.status == 2 && Files.read(out) == Array("OLD".utf8), "\(typo.stderr)")
        let ok = try Executables.run("gamma-report", ["--format", "json", "-o", out, dir.file("log")])
        #expect(ok.status == 0 && Files.read(out).starts(with: Array("{".utf8)))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["log", "out.prom", "typo.yaml"])
    }

    @Test(
        arguments: [
            (
                ["gamma-report", "--since", "2026-11-02T12:00:00Z", "--until", "2026-11-02T10:00:00Z", day], Int32(64),
                "is not before --until"
            ),
            (["gamma-report", "--since", "-1h", "--until", "-2h", day], 64, "is not before --until"),
            (["gamma-report", "--since", "2026-11-02T23:00:00Z", "--until", "-1h", day], 64, "the range is empty"),
            (["gamma-report", "--since", "@-5", day], 64, "times before 1970 are refused"),
            (["gamma-report", "--since", "2026-11-02T10:00:00", "--until", "2026-11-02T10:01:00", day], 0, ""),
            (["gamma-backtest", "--rules", rules, "--interval", "1ms", day], 64, "--force"),
            (
                ["gamma-backtest", "--rules", rules, "--interval", "48h", day], 0,
                "shorter than --interval 48h: 1 evaluation"
            ),
            (
                ["gamma-agent", "simulate", "--runs", "3", "--start", "2026-03-02T08:00:00", "--log", "/dev/null/x"], 2,
                "/dev/null/x"
            )
        ] as [([String], Int32, String)])
    func timesAreCheckedAsTheHelpSays(_ command: [String], _ status: Int32, _ stderr: String) throws {
        let r = try Executables.run(command[0], Array(command.dropFirst()))
        #expect(r.status == status && (stderr.isEmpty || r.stderr.contains(stderr)), "exit \(r.status)\n\(r.stderr)")
    }

    @Test func aFileGivenAsALogFolderIsNamedAsOne() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(dir.file("afile"), Array("x".utf8))
        for args in [
            ["simulate", "--runs", "3", "--log", dir.file("afile")], ["run", "--log", dir.file("afile"), "What is 2+2?"]
        ] {
            let r = try Executables.run("gamma-agent", args)
            #expect(r.status == 2 && r.stderr.contains("afile is a file, not a folder"), "\(args): \(r.stderr)")
        }
    }

    /// A file-size limit is a write error that names the file, never a kill (SIGXFSZ is ignored).
    @Test func aFileSizeLimitIsAnErrorNotAKill() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let r = try Executables.shell(
            "ulimit -f 20; '\(Executables.path("gamma-agent"))' simulate --runs 500 --log '\(dir.file("log"))'")
        #expect(r.status == 2 && r.stderr.contains("File too large"), "exit \(r.status): \(r.stderr)")
        let verify = try Executables.run("gamma-log", ["verify", dir.file("log")])
        #expect(verify.status == 0, "what was stored before the limit is intact: \(verify.stdout)")
    }

    @Test func unitsAndHelpSurviveATimeRange() throws {
        let table = try Executables.run(
            "gamma-report", ["--since", "2026-11-02T10:00:00Z", "--metric", "llm.latency_ms", Self.day])
        #expect(table.status == 0 && table.stdout.contains("llm.latency_ms (ms)"), "\(table.stdout)")
        let prom = try Executables.run(
            "gamma-report", ["--since", "2026-11-02T10:00:00Z", "--format", "prometheus", "--metric", "llm.*", Self.day]
        )
        #expect(
            prom.stdout.contains("# HELP llm_latency_seconds ") && prom.stdout.contains("llm_latency_seconds_count"),
            "\(prom.stdout)")
    }

    @Test func verifyRecordsChecksEveryLine() throws {
        let plain = try Executables.run("gamma-log", ["verify", Self.inputs + "/notlog.gz"])
        #expect(plain.status == 0 && plain.stdout.contains("records not checked"))
        let records = try Executables.run("gamma-log", ["verify", "--records", Self.inputs + "/notlog.gz"])
        #expect(
            records.status == 1 && records.stdout.contains("notlog.gz: member at byte 0, line 2: invalid record"),
            "\(records.stdout)")
        let day = try Executables.run("gamma-log", ["verify", "--records", Self.day])
        #expect(day.status == 0 && day.stdout.contains("clean, every line a record"), "\(day.stdout)")
    }

    @Test func notificationTargetsAreCheckedAtStart() throws {
        let log = TemporaryDirectory()
        defer { log.remove() }
        for (args, status, stderr) in [
            (["--webhook", "notaurl"], Int32(64), "is not an http or https URL"),
            (["--smtp", "127.0.0.1:25", "--smtp-to", "notanaddress"], 64, "is not an email address"),
            (["--webhook", "http://127.0.0.1:9/hook"], 2, "cannot be reached")
        ] {
            let r = try Executables.run(
                "gamma-agent", ["simulate", "--runs", "3", "--rules", Self.rules, "--log", log.file("x")] + args)
            #expect(r.status == status && r.stderr.contains(stderr), "\(args): exit \(r.status)\n\(r.stderr)")
        }
    }

    @Test func aHangingWebhookHoldsTheEndNoLongerThanTheDeadline() throws {
        let hook = StubHTTPServer { _, _ in .hang }
        defer { hook.stop() }
        let log = TemporaryDirectory()
        defer { log.remove() }
        let started = ContinuousClock.now
        let r = try Executables.run(
            "gamma-agent",
            [
                "simulate", "--profile", "incidents", "--rules", Self.rules, "--webhook", hook.baseURL + "/hook",
                "--notify-deadline", "1s",
                "--quiet-alerts", "--log", log.path
            ])
        let took = ContinuousClock.now - started
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("not delivered within the 1s deadline at exit"), "\(r.stderr)")
        #expect(r.stdout.contains("8 notifications, 8 undelivered (recorded)"), "\(r.stdout)")
        #expect(took < .seconds(60), "the end waited \(took)")  // generous: a loaded machine; each of 8 hangs would be 4 × 5 s in turn
        let history = try Executables.run("gamma-backtest", ["--history", "--format", "csv", log.path])
        #expect(
            history.stdout.split(separator: "\r\n").filter {
                $0.contains("webhook,not delivered within the 1s deadline")
            }.count == 8)
    }

    /// A counter that beats every 10 s for an hour and a gauge recorded for two: the silence rule
    /// on the counter fires after the beat stops, whatever else is evaluated with it.
    @Test func aRulesEpisodesDoNotDependOnTheOtherRules() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let t0: Int64 = 1_795_000_000_000_000_000, s: Int64 = 1_000_000_000
        var lines: [(String, Int64)] = []
        for k in 0..<720 {
            let t = t0 + Int64(k) * 10 * s
            // Written by hand, as another program would: other key orders and spaces.
            if k < 360 {
                lines.append((#"{"name": "beat", "type": "counter", "labels": {}, "ts": \#(t), "value": 1}"#, t))
            }
            lines.append(
                (#"{"ts":\#(t),"value":\#(Double(k) / 10),"type":"gauge","name":"temp","labels":{"room":"a"}}"#, t))
        }
        mkdir(dir.file("log"), 0o755)
        try Fixtures.writeStream(lines, to: dir.file("log"), stream: "s")
        let silence = """
              - name: Silent
                metric: beat
                aggregate: increase
                window: 5m
                op: "<"
                threshold: 1
                for: 1m
                severity: warning
            """
        let gauge = """
              - name: Hot
                metric: temp
                aggregate: max
                window: 1m
                op: ">"
                threshold: 1000
                severity: info
            """
        Files.write(dir.file("one.yaml"), Array("rules:\n\(silence)\n".utf8))
        Files.write(dir.file("two.yaml"), Array("rules:\n\(gauge)\n\(silence)\n".utf8))
        func episodes(_ args: [String]) throws -> String {
            let r = try Executables.run("gamma-backtest", args + ["--format", "csv", dir.file("log")])
            #expect(r.status == 0, "\(args): \(r.stderr)")
            return r.stdout.split(separator: "\r\n").filter { $0.hasPrefix("Silent,") }.joined(separator: "\n")
        }
        let alone = try episodes(["--rules", dir.file("one.yaml")])
        #expect(alone.contains(",firing,"), "the silence rule fires once the beat stops:\n\(alone)")
        #expect(try episodes(["--rules", dir.file("two.yaml")]) == alone)
        #expect(try episodes(["--rules", dir.file("two.yaml"), "--rule", "Silent"]) == alone)
        #expect(try episodes(["--rules", dir.file("two.yaml"), "--severity", "warning"]) == alone)
        let compared = try Executables.run(
            "gamma-backtest",
            ["--rules", dir.file("one.yaml"), "--compare", dir.file("two.yaml"), "--format", "json", dir.file("log")])
        #expect(
            compared.status == 0 && compared.stdout.contains(#""rule":"Silent""#)
                && !compared.stdout.contains("only in"), "\(compared.stdout)")
    }
}
