import GammaTestKit

/// Deterministic record lines in the mix of DESIGN.md (counters, gauges, histograms, spans;
/// about 142 bytes a record), for benchmarks and the reference dataset.
struct ReferenceRecords {
    private var rng: SplitMix64
    private(set) var ts: Int64

    init(seed: UInt64 = 42, start: Int64 = 1_795_000_000_000_000_000) {
        rng = SplitMix64(seed: seed)
        ts = start
    }

    mutating func next() -> UInt64 { rng.next() }

    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }

    static let tools = ["search", "calculator", "read_file", "http_get", "clock"]
    static let models = ["scripted-small", "scripted-large"]

    static func hex(_ v: UInt64, _ digits: Int) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// The next record as one JSON line, and its timestamp.
    mutating func line() -> (String, Int64) {
        ts += Int64(next() % 2_000_000)  // up to 2 ms apart
        let r = next() % 100
        let tool = pick(Self.tools)
        switch r {
        case 0..<40:
            let ms = (uniform() * 800 + 20).rounded() / 10 * 10 / 10
            if r < 20 {
                return (
                    #"{"type":"histogram","ts":\#(ts),"name":"llm.latency_ms","labels":{"model":"\#(pick(Self.models))"},"value":\#(ms)}"#,
                    ts
                )
            }
            return (
                #"{"type":"histogram","ts":\#(ts),"name":"tools.execution_time_ms","labels":{"tool":"\#(tool)"},"value":\#(ms / 4)}"#,
                ts
            )
        case 40..<65:
            if r < 52 {
                return (
                    #"{"type":"counter","ts":\#(ts),"name":"tools.calls.total","labels":{"tool":"\#(tool)"},"value":1}"#,
                    ts
                )
            }
            return (
                #"{"type":"counter","ts":\#(ts),"name":"agent.iterations.total","labels":{"model":"\#(pick(Self.models))"},"value":1}"#,
                ts
            )
        case 65..<80:
            let value = (uniform() * 1000).rounded() / 10
            return (
                #"{"type":"gauge","ts":\#(ts),"name":"\#(pick(["system.cpu_percent", "system.memory_percent", "process.rss_mb"]))","labels":{},"value":\#(value)}"#,
                ts
            )
        default:
            let start = ts - Int64(next() % 900_000_000)
            let status = next() % 20 == 0 ? "error" : "ok"
            return (
                #"{"type":"span","ts":\#(ts),"trace_id":"\#(Self.hex(next(), 16))\#(Self.hex(next(), 16))","span_id":"\#(Self.hex(next(), 16))","parent_span_id":"\#(Self.hex(next(), 16))","name":"tool.\#(tool)","kind":"internal","start":\#(start),"end":\#(ts),"status":"\#(status)","attributes":{"gen_ai.tool.name":"\#(tool)"}}"#,
                ts
            )
        }
    }
}
