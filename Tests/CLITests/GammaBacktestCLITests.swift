import Foundation
import GammaTestKit
import GammaTestSupport
import Testing

/// gamma-backtest on the recorded sample day (samples/day) and the sample rules.
@Suite struct GammaBacktestCLITests {
    static var root: String { RepositoryPaths.root }
    static var day: String { root + "/samples/day" }
    static var rules: String { root + "/samples/rules/agent.yaml" }

    @Test func theSampleRulesFindTheIncidentsInEveryFormat() throws {
        let table = try Executables.run(
            "gamma-backtest", [Self.day, "--rules", Self.rules, "--timeline", "--width", "100"])
        #expect(table.status == 0, "\(table.stderr)")
        for expected in [
            "5760 evaluations every 15s, 5 rules", "ToolErrorRatio     error     tool=search  1",
            "never pending or firing: NoTraffic",
            "AgentRunsFailing   team=agents  2026-11-02T18:33:45.000Z  2026-11-02T18:48:00.000Z  14m15s", "TIMELINE"
        ] {
            #expect(table.stdout.contains(expected), "\(expected)\n\(table.stdout)")
        }
        let json = try Executables.run("gamma-backtest", [Self.day, "--rules", Self.rules, "--format", "json"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(doc["schema"] as? String == "gamma.backtest.v1" && (doc["rules"] as? [Any])?.count == 5)
        let csv = try Executables.run("gamma-backtest", [Self.day, "--rules", Self.rules, "--format", "csv"])
        let rows = csv.stdout.split(separator: "\r\n")
        #expect(rows.first == "rule,severity,labels,at,state,value,notify,suppressed_by" && rows.count == 17)
        #expect(
            rows.contains {
                $0.hasPrefix("AgentRunsFailing,critical,team=agents,1793644425000000000,firing,0.75,true,")
            })
    }

    @Test func theLiveHistoryMatchesTheBacktest() throws {
        let history = try Executables.run("gamma-backtest", [Self.day, "--history", "--format", "csv"])
        let backtest = try Executables.run("gamma-backtest", [Self.day, "--rules", Self.rules, "--format", "csv"])
        func keys(_ csv: String, time: Int, rule: Int, state: Int, value: Int) -> [String] {
            csv.split(separator: "\r\n").dropFirst().map { line in
                let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                return [f[rule], f[time], f[state], f[value]].joined(separator: " ")
            }
        }
        // history: ts,rule,state,severity,labels,value,threshold; backtest: rule,severity,labels,at,state,value,…
        #expect(
            keys(history.stdout, time: 0, rule: 1, state: 2, value: 5).sorted()
                == keys(backtest.stdout, time: 3, rule: 0, state: 4, value: 5).sorted())
        let onlyCritical = try Executables.run("gamma-backtest", [Self.day, "--history", "--severity", "critical"])
        #expect(
            onlyCritical.stdout.split(separator: "\n").count == 4 && onlyCritical.stdout.contains("AgentRunsFailing"))
    }

    @Test func failOnFiringExitsOneAndFiltersChooseTheRules() throws {
        let fails = try Executables.run("gamma-backtest", [Self.day, "--rules", Self.rules, "--fail-on", "firing"])
        #expect(fails.status == 1 && fails.stderr.contains("--fail-on firing is met"))
        let quiet = try Executables.run(
            "gamma-backtest", [Self.day, "--rules", Self.rules, "--rule", "NoTraffic", "--fail-on", "firing"])
        #expect(quiet.status == 0 && quiet.stdout.contains("1 rule,"), "\(quiet.stdout)")
        let severe = try Executables.run("gamma-backtest", [Self.day, "--rules", Self.rules, "--severity", "error"])
        #expect(severe.stdout.contains("2 rules") && !severe.stdout.contains("LLMLatencyHigh"))
        let early = try Executables.run(
            "gamma-backtest",
            [Self.day, "--rules", Self.rules, "--until", "2026-11-02T09:00:00Z", "--fail-on", "firing"])
        #expect(early.status == 0, "nothing fires before the first incident: \(early.stdout)")
    }

    @Test func compareShowsEarlierLaterAndOneSided() throws {
        let r = try Executables.run(
            "gamma-backtest", [Self.day, "--rules", Self.rules, "--compare", Self.root + "/samples/rules/agent-v2.yaml"]
        )
        #expect(r.status == 0)
        for expected in [
            "B 3m15s earlier", "B 13m15s later", "only in A (B has no such rule)", "only in B (A has no such rule)",
            "same start"
        ] {
            #expect(r.stdout.contains(expected), "\(expected)\n\(r.stdout)")
        }
    }

    @Test func badInputIsAClearError() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(
            dir.file("r.yaml"),
            Array("rules:\n  - name: x\n    metric: m\n    op: \">\"\n    threshold: 1\n    for: soon\n".utf8))
        let bad = try Executables.run("gamma-backtest", [Self.day, "--rules", dir.file("r.yaml")])
        #expect(
            bad.status == 2 && bad.stderr.contains("r.yaml:6:10: rules[0].for: 'soon' is not a duration"),
            "\(bad.stderr)")
        let missing = try Executables.run("gamma-backtest", [Self.day, "--rules", dir.file("none.yaml")])
        #expect(missing.status == 2 && missing.stderr.contains("none.yaml: cannot read the file"))
        let usage = try Executables.run("gamma-backtest", [Self.day])
        #expect(usage.status == 64 && usage.stderr.contains("--rules FILE"))
        let interval = try Executables.run("gamma-backtest", [Self.day, "--rules", Self.rules, "--interval", "0s"])
        #expect(interval.status == 64)
    }
}

/// gamma-backtest over a Prometheus rule file (docs/PROMQL.md).
@Suite struct PrometheusRulesCLITests {
    static let root = RepositoryPaths.root
    static let rules = root + "/samples/rules/agent.prom.yml"

    /// Around the 10:00 latency spike of the sample day: LLMLatencyHigh fires and resolves; the
    /// promtool test is written; the same run as JSON holds the episode.
    @Test func thePrometheusRulesFireInTheSpike() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let slice = ["--since", "2026-11-02T09:30:00Z", "--until", "2026-11-02T11:30:00Z"]
        let table = try Executables.run(
            "gamma-backtest",
            [Self.root + "/samples/day", "--rules", Self.rules, "--promtool-test", dir.file("t.yml")] + slice)
        #expect(table.status == 0, "\(table.stderr)")
        #expect(
            table.stdout.contains("LLMLatencyHigh  job=gamma severity=warning  2026-11-02T10:06"), "\(table.stdout)")
        #expect(table.stdout.contains("never firing: ToolErrorRatio, AgentRunsFailing, NoTraffic"), "\(table.stdout)")
        let test = String(decoding: Files.read(dir.file("t.yml")), as: UTF8.self)
        #expect(test.contains("input_series:") && test.contains("alertname: \"LLMLatencyHigh\""))
        let json = try Executables.run(
            "gamma-backtest", [Self.root + "/samples/day", "--rules", Self.rules, "--format", "json"] + slice)
        #expect(
            json.stdout.contains(#""schema":"gamma.prombacktest.v1""#)
                && json.stdout.contains(#""alert":"LLMLatencyHigh""#))
    }

    /// Two versions of a Prometheus rule file, episode by episode, over the same scraped series.
    @Test func twoPrometheusRuleFilesAreCompared() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let v1 = String(decoding: Files.read(Self.rules), as: UTF8.self)
        Files.write(dir.file("v2.yml"), Array(v1.replacing("> 2.5\n", with: "> 2.0\n").utf8))
        let r = try Executables.run(
            "gamma-backtest",
            [
                Self.root + "/samples/day", "--rules", Self.rules, "--compare", dir.file("v2.yml"), "--since",
                "2026-11-02T09:30:00Z", "--until", "2026-11-02T11:30:00Z"
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stdout.contains(
                "LLMLatencyHigh  job=gamma,severity=warning  2026-11-02T10:11:00.000Z  2026-11-02T10:10:00.000Z  B 1m earlier"
            ), "\(r.stdout)")
        let mixed = try Executables.run(
            "gamma-backtest",
            [Self.root + "/samples/log", "--rules", Self.rules, "--compare", Self.root + "/samples/rules/agent.yaml"])
        #expect(mixed.status == 64 && mixed.stderr.contains("compare files of one kind"), "\(mixed.stderr)")
    }

    @Test func aRuleOutsideTheSubsetIsRefusedWithItsPlace() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(
            dir.file("r.yml"),
            Array(
                "groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: predict_linear(x[5m], 60) > 0\n".utf8
            ))
        let r = try Executables.run("gamma-backtest", [Self.root + "/samples/log", "--rules", dir.file("r.yml")])
        #expect(r.status == 2)
        #expect(
            r.stderr.contains(
                "r.yml:5:15: groups[0].rules[0].expr: the function 'predict_linear' is not in the subset"),
            "\(r.stderr)")
    }

    /// A rule whose selector matches nothing (a misspelled name) is named, and --fail-on cannot
    /// pass for quiet on it unless --allow-no-data.
    @Test func aRuleThatReadsNothingIsNamedAndFailOnCannotPass() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(
            dir.file("r.yml"),
            Array(
                "groups:\n  - name: g\n    rules:\n      - alert: Typo\n        expr: rate(agent_runs_totl[5m]) > 1\n"
                    .utf8))
        let args = [Self.root + "/samples/log", "--rules", dir.file("r.yml"), "--fail-on", "firing"]
        let r = try Executables.run("gamma-backtest", args)
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("rule 'Typo': agent_runs_totl matches no series"), "\(r.stderr)")
        #expect(r.stderr.contains("cannot be answered: 1 rule read no series (Typo)"), "\(r.stderr)")
        #expect(try Executables.run("gamma-backtest", args + ["--allow-no-data"]).status == 0)
    }

    @Test func optionsOfTheOtherKindOfRuleFileAreRefused() throws {
        let prom = try Executables.run(
            "gamma-backtest", [Self.root + "/samples/log", "--rules", Self.rules, "--timeline"])
        #expect(prom.status == 64 && prom.stderr.contains("no --timeline"), "\(prom.stderr)")
        let gamma = try Executables.run(
            "gamma-backtest",
            [
                Self.root + "/samples/log", "--rules", Self.root + "/samples/rules/agent.yaml", "--promtool-test",
                "/tmp/x.yml"
            ])
        #expect(gamma.status == 64 && gamma.stderr.contains("are for Prometheus rule files"), "\(gamma.stderr)")
    }
}
