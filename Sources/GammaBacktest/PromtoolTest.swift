import GammaModel
public import GammaPromQL

/// A `promtool test rules` file that replays a backtest for Prometheus itself: the scraped series
/// as `input_series`, and Gamma's answer at each evaluation where the firing alerts changed as
/// `alert_rule_test` expectations. `promtool test rules FILE` passing means Prometheus fires what
/// Gamma says it would; a recorded incident becomes a regression test for the rules.
///
/// The test's time 0 is the first evaluation. Samples sit at `interval/2` steps: scrapes fall
/// half way between evaluation times (every other step, `_` in between), so no sample lies on
/// the edge of a range or of the lookback, where Prometheus 2 (closed ranges) and 3 (left-open)
/// would differ.
public enum PromtoolTest {
    public struct Refusal: Error, CustomStringConvertible {
        public var description: String
    }

    public static func write(
        _ result: PromBacktest.Result, ruleFile: String, scrape: Scraper.Options, defaultInterval: Int64
    ) throws(Refusal) -> String {
        guard let base = result.evaluations.first, let lastEvaluation = result.evaluations.last else {
            throw Refusal(description: "no evaluation to test (the range holds no record)")
        }
        let half = scrape.interval / 2
        guard scrape.interval % 2 == 0, (scrape.offset ?? half) == half, base % scrape.interval == 0 else {
            throw Refusal(
                description:
                    "a promtool test needs scrapes half way between evaluations: a scrape interval that divides the groups' intervals"
            )
        }
        // promtool evaluates every group at each tick of one evaluation_interval.
        let intervals = Set(result.file.groups.map(\.interval))
        guard intervals.count <= 1 else {
            throw Refusal(
                description: "promtool evaluates every group at one evaluation_interval: give the groups one interval")
        }
        let evaluationInterval = intervals.first ?? defaultInterval
        func duration(_ ms: Int64) -> String { ms % 1000 == 0 ? "\(ms / 1000)s" : "\(ms)ms" }
        var out = "# Written by gamma-backtest --promtool-test: run `promtool test rules` on this file.\n"
        out += "rule_files:\n  - \(yaml(ruleFile))\n"
        out += "evaluation_interval: \(duration(evaluationInterval))\n"
        out += "tests:\n  - interval: \(duration(half))\n    input_series:\n"
        for s in result.series.all {
            var tokens: [String] = []
            var blanks = 0
            func flush() {
                if blanks == 1 { tokens.append("_") } else if blanks > 1 { tokens.append("_x\(blanks)") }
                blanks = 0
            }
            var k: Int64 = 0
            for (t, v) in zip(s.times, s.values) where t >= base && t <= lastEvaluation {
                let step = (t - base) / half
                blanks += Int(step - k)
                flush()
                tokens.append(v.isStaleMarker ? "stale" : Template.goNumber(v))
                k = step + 1
            }
            guard !tokens.isEmpty else { continue }
            out +=
                "      - series: \(yaml(seriesText(s.labels)))\n        values: \(yaml(tokens.joined(separator: " ")))\n"
        }
        out += "    alert_rule_test:\n"
        let alertNames = result.file.groups.flatMap(\.rules).compactMap { r -> String? in
            if case .alert(let a) = r { return a.name }
            return nil
        }
        for (at, alerts) in result.firing {
            for name in alertNames {
                out += "      - eval_time: \(duration(at - base))\n        alertname: \(yaml(name))\n"
                let mine = alerts.filter { $0.rule == name }
                if mine.isEmpty {
                    out += "        exp_alerts: []\n"
                    continue
                }
                out += "        exp_alerts:\n"
                for a in mine {
                    out += "          - exp_labels:\n"
                    for p in a.labels.pairs where p.name != "alertname" {
                        out += "              \(yaml(p.name)): \(yaml(p.value))\n"
                    }
                    if a.annotations.isEmpty { continue }
                    out += "            exp_annotations:\n"
                    for (k, v) in a.annotations.sorted(by: { $0.key < $1.key }) {
                        out += "              \(yaml(k)): \(yaml(v))\n"
                    }
                }
            }
        }
        return out
    }

    /// A YAML double-quoted scalar.
    static func yaml(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if c.value < 0x20 {
                    out += "\\x" + String(c.value, radix: 16).leftPadded
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        return out + "\""
    }

    /// `name{a="x", b="y"}` in PromQL's series syntax.
    static func seriesText(_ l: Labels) -> String {
        let rest = l.pairs.filter { $0.name != "__name__" }.map { "\($0.name)=\"\(Labels.escape($0.value))\"" }
        return l.metricName + "{" + rest.joined(separator: ",") + "}"
    }
}

extension String {
    fileprivate var leftPadded: String { count < 2 ? "0" + self : self }
}
