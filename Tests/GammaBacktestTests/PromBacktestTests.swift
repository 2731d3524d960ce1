import GammaBacktest
import GammaPromQL
import Testing

@Suite struct PromBacktestLimitTests {
    /// Intervals that cut the range too finely are refused with the count, not cut short.
    @Test func tooManyEvaluationsAreRefused() throws {
        let file = try PromRuleFile.parse(
            "groups:\n  - name: g\n    interval: 1ms\n    rules:\n      - alert: A\n        expr: x > 1\n",
            file: "r.yml")
        #expect(throws: PromBacktest.TooManyEvaluations.self) {
            try PromBacktest.evaluate(file, series: MemorySeries(), start: 0, end: 2_000_000)
        }
        let fits = try PromBacktest.evaluate(file, series: MemorySeries(), start: 0, end: 999)
        #expect(fits.evaluations.count == 1000 && fits.selectorsWithoutData.map(\.selector) == ["x"])
    }
}
