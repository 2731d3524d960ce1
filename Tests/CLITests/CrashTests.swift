import Foundation
import GammaLog
import GammaTestKit
import Testing

/// A writer killed with SIGKILL at random moments loses nothing it acknowledged.
@Suite struct CrashTests {
    /// The seq numbers of a stream's lines, in order.
    static func seqs(in dir: String, stream: String) throws -> (seqs: [Int], summary: ReadSummary) {
        let streams = try LogCatalog.discover([dir]).filter { $0.id == stream }
        var seqs: [Int] = []
        let summary = try LogReader(streams: streams).forEachLine { line in
            let s = line.string
            guard let r = s.range(of: "\"seq\":"), let n = Int(s[r.upperBound...].prefix { $0.isNumber }) else {
                Issue.record("line without seq: \(s)")
                return
            }
            seqs.append(n)
        }
        return (seqs, summary)
    }

    @Test func killNineAtRandomMomentsLosesNoAcknowledgedLine() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var rng = SystemRandomNumberGenerator()
        var unsealedSeen = 0
        for round in 0..<60 {
            let roundDir = dir.file("round-\(round)")
            mkdir(roundDir, 0o755)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Executables.path("gamma-crash-writer"))
            let flushEvery = [1, 7, 50, 400][round % 4]
            p.arguments = [
                roundDir, "--flush-every", String(flushEvery), "--member-bytes",
                String(Int.random(in: 512...8192, using: &rng)),
                "--segment-bytes", String(Int.random(in: 4096...65536, using: &rng))
            ]
            let out = Pipe()
            p.standardOutput = out
            try p.run()
            usleep(UInt32.random(in: 10_000...60_000, using: &rng))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal, "round \(round): the writer was killed, not finished")
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let lines = text.split(separator: "\n")
            guard let streamLine = lines.first(where: { $0.hasPrefix("stream ") }) else {
                continue  // killed before it opened its stream
            }
            let stream = String(streamLine.dropFirst(7))
            let acked = lines.compactMap { $0.hasPrefix("ack ") ? Int($0.dropFirst(4)) : nil }.max() ?? 0

            // verify: only repairable torn tails, in this stream.
            let (_, before) = try Self.seqs(in: roundDir, stream: stream)
            #expect(
                before.damages.allSatisfy { $0.kind == .tornTail && $0.repairable }, "round \(round): \(before.damages)"
            )
            unsealedSeen += try LogReader(paths: [roundDir]).inventory().filter { $0.state == .unsealed }.count
            let repair = try LogRepair.repair(paths: [roundDir])
            #expect(repair.leftAlone.isEmpty, "round \(round): \(repair.leftAlone)")
            #expect(try LogRepair.repair(paths: [roundDir]).actions.isEmpty, "a second repair changes nothing")

            let (seqs, after) = try Self.seqs(in: roundDir, stream: stream)
            #expect(after.damages.isEmpty)
            #expect(seqs.count >= acked, "round \(round): \(seqs.count) lines, \(acked) acknowledged")
            #expect(
                seqs == Array(1...max(1, seqs.count)).prefix(seqs.count).map { $0 },
                "round \(round): each line exactly once, in order")
        }
        // The kills must land while the writer is mid-stream, or this test proves little. (A kill cannot
        // split one member's write(2) to a regular file; torn members are covered by the truncation tables.)
        #expect(unsealedSeen > 30, "only \(unsealedSeen) of 60 kills left an unsealed segment")
    }

    @Test func severalProcessesWritingOneFolderLoseNothing() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writers = (0..<4).map { _ in
            let p = Process()
            p.executableURL = URL(fileURLWithPath: Executables.path("gamma-crash-writer"))
            p.arguments = [dir.path, "--lines", "25000", "--flush-every", "1000"]
            p.standardOutput = Pipe()
            return p
        }
        for p in writers { try p.run() }
        var streams: [String] = []
        for p in writers {
            let text = String(
                decoding: (p.standardOutput as! Pipe).fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            #expect(p.terminationStatus == 0)
            streams += text.split(separator: "\n").filter { $0.hasPrefix("done ") }.map { String($0.dropFirst(5)) }
        }
        #expect(Set(streams).count == 4)
        for stream in streams {
            let (seqs, summary) = try Self.seqs(in: dir.path, stream: stream)
            #expect(seqs == Array(1...25_000))
            #expect(summary.damages.isEmpty)
        }
        #expect(try LogReader(paths: [dir.path]).inventory().allSatisfy { $0.state == .sealed })
    }
}
