import GammaRules
import GammaModel
import GammaConfig
import GammaReplay
import GammaTestKit
import GammaTestSupport
import Testing

@Suite struct RuleFileTests {
    @Test func theSampleRulesLoad() throws {
        for name in ["agent.yaml", "agent-v2.yaml"] {
            let rules = try RuleFile.load(path: RepositoryPaths.root + "/samples/rules/" + name)
            #expect(rules.count == 5, "\(name)")
        }
        let rules = try RuleFile.load(path: RepositoryPaths.root + "/samples/rules/agent.yaml")
        let ratio = try #require(rules.first { $0.name == "ToolErrorRatio" })
        #expect(ratio.groupBy == ["tool"] && ratio.cooldown == 1_800_000_000_000 && ratio.severity == .error)
        guard case .ratio(.aggregate(let n, .increase, let window), .aggregate(let d, .increase, _)) = ratio.expression
        else {
            Issue.record("\(ratio.expression)")
            return
        }
        #expect(n.metric == "tools.errors.total" && d.metric == "tools.calls.total" && window == 600_000_000_000)
        #expect(n.matchers == [.init(label: "tool", operation: .matches, value: "search|http_get")])
        let anomaly = try #require(rules.first { $0.name == "LLMLatencyAnomaly" })
        #expect(
            anomaly.condition
                == .anomaly(
                    k: 5, baseline: 7_200_000_000_000, warmup: 3_600_000_000_000, minSamples: 100, direction: .above))
    }

    @Test func jsonRulesAreAccepted() throws {
        let rules = try RuleFile.parse(
            #"{"rules": [{"name": "x", "metric": "m", "aggregate": "rate", "op": ">", "threshold": 2, "match": {"tool": "search"}}]}"#,
            file: "r.json")
        #expect(
            rules[0].expression
                == .aggregate(
                    AlertSelector(metric: "m", matchers: [.init(label: "tool", operation: .equal, value: "search")]),
                    .rate, window: 300_000_000_000))
    }

    static let head = "rules:\n  - name: r\n    metric: m\n"
    static let refusals: [(String, String)] = [
        (
            "rules:\n  - name: r\n    metric: m\n    op: \">>\"\n    threshold: 1",
            "r.yaml:4:9: rules[0].op: unknown operator '>>' (operators: > < >= <= == !=)"
        ),
        (
            head + "    op: \">\"\n    threshold: 1\n    for: 5 minutes",
            "r.yaml:6:10: rules[0].for: '5 minutes' is not a duration"
        ),
        (
            head + "    op: \">\"\n    treshold: 1",
            "r.yaml:5:5: rules[0].treshold: unknown field 'treshold'; did you mean 'threshold'?"
        ),
        (head + "    op: \">\"", "r.yaml:2:5: rules[0]: 'threshold' is required"),
        (
            head + "    op: \">\"\n    threshold: high",
            "r.yaml:5:16: rules[0].threshold: expected a number, found 'high'"
        ),
        (
            head + "    aggregate: p42\n    op: \">\"\n    threshold: 1",
            "r.yaml:4:16: rules[0].aggregate: unknown aggregation 'p42'"
        ),
        (
            head + "    op: \">\"\n    threshold: 1\n    severity: urgent",
            "r.yaml:6:15: rules[0].severity: unknown severity 'urgent'"
        ),
        (
            head + "    op: \">\"\n    threshold: 1\n    match: [\"tool=~(\"]",
            "r.yaml:6:13: rules[0].match[0]: label matcher 'tool=~(': not a regular expression"
        ),
        (head + "    op: \">\"\n    threshold: 1\n    k: 3", "r.yaml:2:5: rules[0]: 'k' is for anomaly rules"),
        (
            head + "    op: \">\"\n    threshold: 1\n  - name: r\n    metric: m\n    op: \">\"\n    threshold: 2",
            "r.yaml:6:5: rules[1]: a second rule named 'r'"
        ),
        (
            "rules:\n  - name: r\n    ratio:\n      numerator: {metric: a}\n    op: \">\"\n    threshold: 1",
            "r.yaml:4:7: rules[0].ratio: 'denominator' is required"
        ),
        (
            "rules:\n  - name: r\n    type: anomaly\n    metric: m\n    k: 3\n    min_samples: 1",
            "r.yaml:6:18: rules[0].min_samples: must be at least 2"
        ),
        ("rules: [", "r.yaml:2:1: not valid YAML or JSON")
    ]

    @Test(arguments: refusals.indices) func badRulesAreRefusedWithThePlace(_ i: Int) {
        let (text, expected) = Self.refusals[i]
        do {
            _ = try RuleFile.parse(text, file: "r.yaml")
            Issue.record("accepted:\n\(text)")
        } catch {
            #expect(error.description.hasPrefix(expected), "\(error.description)")
        }
    }
}
