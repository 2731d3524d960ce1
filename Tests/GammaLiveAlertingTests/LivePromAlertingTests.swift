import GammaLiveAlerting
import GammaModel
import GammaPromQL
import Synchronization
import Testing

/// A Prometheus rule file evaluated live: alerts recorded as they change, and evaluations that
/// fail counted and reported, not dropped in silence.
@Suite struct LivePromAlertingTests {
    static let t0: Int64 = 1_794_999_990_000_000_000
    static let second: Int64 = 1_000_000_000

    static func live(_ rules: String, _ records: (LivePromAlerting) -> Void) throws -> (LivePromAlerting, [AlertRecord])
    {
        let file = try PromRuleFile.parse(
            "groups:\n  - name: g\n    interval: 15s\n    rules:\n" + rules, file: "r.yml")
        let written = Box()
        let live = LivePromAlerting(
            file: file, stream: "s", units: [:], notifiers: [], write: { r in written.add(r) })
        records(live)
        return (live, written.records)
    }

    @Test func alertsAreRecordedAsTheyChange() throws {
        let (live, records) = try Self.live("      - alert: Busy\n        expr: sum(rate(calls_total[1m])) > 1\n") {
            live in
            for s in 0..<300 {
                let busy = (100..<200).contains(s)
                for _ in 0..<(busy ? 3 : 1) {
                    live.observe(
                        MetricRecord(kind: .counter, ts: Self.t0 + Int64(s) * Self.second, name: "calls", value: 1))
                }
                live.evaluate(before: Self.t0 + Int64(s + 1) * Self.second)
            }
            live.finish(at: Self.t0 + 300 * Self.second)
        }
        #expect(records.map(\.state.rawValue).filter { $0 != "pending" } == ["firing", "resolved"])
        #expect(live.evaluationFailures.count == 0)
    }

    @Test func failedEvaluationsAreCountedWithTheFirst() throws {
        let (live, _) = try Self.live("      - alert: M2M\n        expr: a / on (job) b\n") { live in
            for s in 0..<60 {
                let ts = Self.t0 + Int64(s) * Self.second
                live.observe(MetricRecord(kind: .gauge, ts: ts, name: "a", value: 1))
                for tool in ["x", "y"] {
                    live.observe(MetricRecord(kind: .gauge, ts: ts, name: "b", labels: ["tool": tool], value: 1))
                }
                live.evaluate(before: ts + Self.second)
            }
        }
        let failures = live.evaluationFailures
        #expect(failures.count >= 3)
        #expect(failures.first?.contains("group 'g' at ") == true && failures.first?.contains("many-to-many") == true)
    }
}

/// The records written, from any thread.
private final class Box: Sendable {
    private let list = Mutex<[AlertRecord]>([])
    func add(_ r: AlertRecord) { list.withLock { $0.append(r) } }
    var records: [AlertRecord] { list.withLock { $0 } }
}
