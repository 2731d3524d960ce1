import Foundation
import GammaTestKit
import GammaTestSupport
import Testing

/// No crash on any record that parses: records with `ts` and span times drawn from the whole
/// `Int64` range (written by hand, not by Gamma's encoder), through every executable and format.
/// Times before 1970 are invalid records, warned with their place; every other time is read, and
/// every figure saturates instead of overflowing.
@Suite struct ExtremeTimesTests {
    static func time(_ rng: inout SplitMix64) -> Int64 {
        switch rng.next() % 6 {
        case 0: return .max
        case 1: return .min
        case 2: return 0
        case 3: return Int64.max - Int64(rng.next() % 1000)
        case 4: return Int64.min + Int64(rng.next() % 1000)
        default: return Int64(bitPattern: rng.next())
        }
    }

    static func writeLog(seed: UInt64, to dir: String) throws -> Int {
        var rng = SplitMix64(seed: seed)
        var lines: [(String, Int64)] = []
        var negative = 0
        for k in 0..<60 {
            let a = time(&rng), b = time(&rng)
            let (start, end) = (min(a, b), max(a, b))
            let ts = time(&rng)
            if ts < 0 { negative += 1 }
            if start < 0 { negative += 1 }  // the span line below
            let trace = String(format: "%032x", k % 7 + 1), span = String(format: "%016x", k + 1)
            let parent = k % 3 == 0 ? "" : #","parent_span_id":"\#(String(format: "%016x", k))""#
            lines += [
                (
                    #"{"type":"histogram","ts":\#(ts),"name":"lat","labels":{"k":"\#(k % 3)"},"value":\#(k)}"#,
                    max(ts, 0)
                ),
                (#"{"name":"c","type":"counter","ts":\#(ts),"value":1,"labels":{}}"#, max(ts, 0)),
                (#"{"value": \#(k), "labels": {}, "name": "g", "ts": \#(ts), "type": "gauge"}"#, max(ts, 0)),
                (
                    #"{"type":"span","ts":\#(end),"trace_id":"\#(trace)","span_id":"\#(span)"\#(parent),"name":"s\#(k % 4)","kind":"internal","start":\#(start),"end":\#(end),"status":"\#(k % 5 == 0 ? "error" : "ok")","attributes":{},"events":[{"name":"e","ts":\#(max(start, 0)),"attributes":{}}]}"#,
                    max(end, 0)
                )
            ]
            if ts < 0 { negative += 2 }  // the counter and the gauge
        }
        mkdir(dir, 0o755)
        try Fixtures.writeStream(lines, to: dir, stream: "x")
        return negative
    }

    static let commands: [[String]] = [
        ["gamma-log", "ls"], ["gamma-log", "ls", "--members"], ["gamma-log", "cat", "--merge"],
        ["gamma-log", "verify", "--records"],
        ["gamma-report"], ["gamma-report", "--format", "json"], ["gamma-report", "--format", "csv"],
        ["gamma-report", "--format", "prometheus", "--timestamps"], ["gamma-report", "--format", "openmetrics"],
        ["gamma-report", "--step", "1h"], ["gamma-report", "--format", "html"], ["gamma-report", "--since", "-1h"],
        ["gamma-traces"], ["gamma-traces", "--summary"], ["gamma-traces", "--summary", "--slowest", "3"],
        ["gamma-traces", "--format", "json"], ["gamma-traces", "--format", "otlp"],
        ["gamma-traces", "--format", "chrome"],
        ["gamma-traces", "--format", "jaeger"], ["gamma-traces", "--format", "zipkin"],
        ["gamma-traces", "--slowest", "2", "--events"],
        ["gamma-backtest", "--rules", RepositoryPaths.root + "/samples/rules/agent.yaml", "--interval", "1000000h"],
        ["gamma-backtest", "--rules", RepositoryPaths.root + "/samples/rules/agent.yaml"]
    ]

    @Test(arguments: [1, 2, 3] as [UInt64])
    func everyExecutableReadsTimesFromTheWholeRange(seed: UInt64) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let negative = try Self.writeLog(seed: seed, to: dir.file("log"))
        for command in Self.commands {
            let r = try Executables.run(command[0], Array(command.dropFirst()) + [dir.file("log")])
            #expect(
                r.status < 3 || r.status == 64,
                "\(command.joined(separator: " ")): exit \(r.status)\n\(r.stderr.suffix(600))")
            if negative > 0 && command[0] != "gamma-log" && r.status != 64 {
                #expect(
                    r.stderr.contains("must not be negative (nanoseconds since 1970)"),
                    "\(command): \(r.stderr.prefix(300))")
            }
        }
    }
}
