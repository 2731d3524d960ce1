import GammaConfig
import GammaModel
@testable import GammaPromQL
import Testing

/// Prometheus rule files: what loads, and what is refused with its place and the construct named.
@Suite struct RuleFileTests {
    static let valid = """
        groups:
          - name: agent
            interval: 30s
            rules:
              - record: job:runs:rate5m
                expr: sum by (job) (rate(agent_runs_total[5m]))
                labels: {source: gamma}
              - alert: Slow
                expr: job:runs:rate5m > 1
                for: 5m
                keep_firing_for: 1m
                labels:
                  severity: warning
                annotations:
                  summary: "{{ $labels.job }} at {{ $value | humanize }}"
          - name: other
            rules: []
        """

    @Test func aValidFileLoads() throws {
        let f = try PromRuleFile.parse(Self.valid, file: "rules.yml")
        #expect(f.groups.map(\.name) == ["agent", "other"])
        #expect(f.groups[0].interval == 30_000 && f.groups[1].interval == 60_000)
        guard case .record(let r) = f.groups[0].rules[0], case .alert(let a) = f.groups[0].rules[1] else {
            Issue.record("rules of the wrong kinds")
            return
        }
        #expect(r.name == "job:runs:rate5m" && r.labels.map(\.name) == ["source"])
        #expect(a.name == "Slow" && a.holdFor == 300_000 && a.keepFiringFor == 60_000 && a.severity == "warning")
        #expect(a.annotations[0].value.render(labels: ["job": "api"], value: 1234) == "api at 1.234k")
        #expect(PromRuleFile.isPrometheus(try ConfigDocument.parse(Self.valid, file: "x")))
        #expect(!PromRuleFile.isPrometheus(try ConfigDocument.parse("rules: []", file: "x")))
    }

    /// The selectors a rule reads, but those `absent` asks to be missing.
    @Test func selectorsLeaveOutWhatAbsentAsksFor() throws {
        let e = try Parser.parse(#"absent(x{a="1"}) or sum by (j) (rate(y[5m])) / on (j) z{b=~"2|3"} offset 1m"#)
        #expect(e.selectors.map(\.description) == ["y", #"z{b=~"2|3"}"#])
    }

    /// Valid for Prometheus, outside the subset: refused at load, never evaluated wrongly.
    @Test(
        arguments: [
            ("label_replace(up, \"a\", \"b\", \"c\", \"d\") > 0", "5:15", "the function 'label_replace'"),
            ("rate(up[5m:1m]) > 0", "5:22", "subqueries"),
            ("up @ 100 > 0", "5:18", "the @ modifier"),
            ("stddev(up) > 0", "5:15", "the aggregation 'stddev'"),
            ("rate(up) > 0", "5:15", "argument 1 of rate must be a range vector"),
            ("up > on (a) group_left sum(up)", "5:18", ""),
            ("sum(up", "5:21", "expected ')'")
        ] as [(String, String, String)])
    func expressionsOutsideTheSubsetAreRefusedWithTheirPlace(expr: String, place: String, construct: String) {
        let text = """
            groups:
              - name: g
                rules:
                  - alert: A
                    expr: \(expr)
            """
        do {
            _ = try PromRuleFile.parse(text, file: "rules.yml")
            if !construct.isEmpty { Issue.record("\(expr) was accepted") }
        } catch {
            #expect(error.description.hasPrefix("rules.yml:\(place): "), "\(error)")
            #expect(error.description.contains(construct), "\(error)")
        }
    }

    @Test(
        arguments: [
            ("    limit: 10\n", "'limit' is valid for Prometheus but not in the subset"),
            ("    query_offset: 1m\n", "'query_offset' is valid for Prometheus"),
            ("    interval: soon\n", "'soon' is not a duration"),
            (
                "    rules:\n      - alert: A\n        expr: up\n        annotations: {s: \"{{ range $x }}\"}\n",
                "the template action '{{ range $x }}'"
            ),
            (
                "    rules:\n      - alert: A\n        expr: up\n        keep_firing: 1m\n",
                "unknown field 'keep_firing' (known: alert, expr, for, keep_firing_for"
            ),
            ("    rules:\n      - record: not a name\n        expr: up\n", "'not a name' is not a valid metric name")
        ] as [(String, String)])
    func groupsAndRulesOutsideTheSubsetAreRefused(extra: String, message: String) {
        do {
            _ = try PromRuleFile.parse("groups:\n  - name: g\n" + extra, file: "rules.yml")
            Issue.record("accepted: \(extra)")
        } catch {
            #expect(error.description.hasPrefix("rules.yml:") && error.description.contains(message), "\(error)")
        }
    }
}

/// Templates render as Go's text/template and Prometheus' functions do, so promtool agrees.
@Suite struct TemplateTests {
    func render(_ t: String, _ value: Double, _ labels: [String: String] = [:]) throws -> String {
        try Template(t).render(labels: labels, value: value)
    }

    @Test func valuesPrintAsGoPrintsThem() throws {
        #expect(try render("{{ $value }}", 3551.1125280815077) == "3551.1125280815077")
        #expect(try render("{{ .Value }}", 1e6) == "1e+06")
        #expect(try render("{{ $value }}", 123456) == "123456")
        #expect(try render("{{ $value }}", 1234567) == "1.234567e+06")
        #expect(try render("{{ $value }}", 0.0001) == "0.0001")
        #expect(try render("{{ $value }}", 0.00001) == "1e-05")
        #expect(try render("{{ $value }}", -2.5) == "-2.5")
        #expect(try render("{{ $value }}", .nan) == "NaN")
        #expect(try render("{{ $value }}", .infinity) == "+Inf")
    }

    @Test func prometheusFunctions() throws {
        #expect(try render("{{ $value | humanize }}", 1234) == "1.234k")
        #expect(try render("{{ humanize $value }}", 0.5) == "500m")
        #expect(try render("{{ $value | humanize }}", 0) == "0")
        #expect(try render("{{ $value | humanize }}", 2_500_000) == "2.5M")
        #expect(try render("{{ $value | humanizeDuration }}", 3661) == "1h 1m 1s")
        #expect(try render("{{ $value | humanizeDuration }}", 90061) == "1d 1h 1m 1s")
        #expect(try render("{{ $value | humanizeDuration }}", 0.5) == "500ms")
        #expect(try render("{{ $value | humanizeDuration }}", 12.3456) == "12.35s")
        #expect(try render("{{ $value | humanizePercentage }}", 0.1234) == "12.34%")
        #expect(try render("{{ printf \"%.2f\" $value }}", 3.14159) == "3.14")
        #expect(try render("{{ $value | printf \"%.1f%%\" }}", 12.34) == "12.3%")
    }

    @Test func labelsTextAndTrimming() throws {
        #expect(try render("{{ $labels.tool }} failed", 1, ["tool": "search"]) == "search failed")
        #expect(try render("{{ .Labels.missing }}|", 1) == "|")
        #expect(try render("a   {{- $labels.x -}}   b", 1, ["x": "X"]) == "aXb")
        #expect(try render("no action", 1) == "no action")
    }

    @Test(arguments: ["{{ range $x }}", "{{ if $value }}", "{{ query \"up\" }}", "{{ $value", "{{ $externalLabels.x }}"]
    )
    func otherActionsAreRefused(_ text: String) {
        #expect(throws: PromQLError.self) { try Template(text) }
    }
}
