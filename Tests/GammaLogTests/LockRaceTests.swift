import GammaLog
import GammaTestKit
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// One writer per stream, always: writers that each loop (open the stream, append, flush, close)
/// on one stream id never hold it at once, and lose no line.
@Suite struct LockRaceTests {
    final class Tally: Sendable {
        let holders = Atomic<Int>(0)
        let doubleHolds = Atomic<Int>(0)
        let written = Atomic<Int>(0)
        let failures = Mutex<[String]>([])
    }

    @Test func writersThatOpenAndCloseOneStreamNeverHoldItTogether() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let tally = Tally()
        let deadline = ContinuousClock.now + .seconds(10)
        runOnThreads(3) { worker in
            var round = 0
            while ContinuousClock.now < deadline {
                let writer: SegmentWriter
                do { writer = try SegmentWriter(directory: dir.path, stream: "s") } catch {
                    if case .streamInUse = error as? LogError { continue }
                    tally.failures.withLock { $0.append("open: \(error)") }
                    continue
                }
                if tally.holders.add(1, ordering: .sequentiallyConsistent).newValue > 1 {
                    tally.doubleHolds.add(1, ordering: .relaxed)
                }
                do {
                    for k in 0..<5 {
                        try writer.append(
                            #"{"type":"counter","ts":1,"name":"w\#(worker)","labels":{},"value":\#(round * 10 + k)}"#,
                            timestamp: 1)
                    }
                    try writer.flush()
                    tally.written.add(5, ordering: .relaxed)
                } catch {
                    tally.failures.withLock { $0.append("write: \(error)") }
                }
                tally.holders.subtract(1, ordering: .sequentiallyConsistent)
                do { _ = try writer.close() } catch { tally.failures.withLock { $0.append("close: \(error)") } }
                round += 1
            }
        }
        #expect(tally.doubleHolds.load(ordering: .relaxed) == 0, "two writers held the stream at once")
        #expect(tally.failures.withLock { $0 }.isEmpty, "\(tally.failures.withLock { $0.prefix(5) })")
        let (lines, summary) = try Fixtures.readAll([dir.path])
        #expect(summary.damages.isEmpty)
        #expect(
            lines.count == tally.written.load(ordering: .relaxed) && lines.count > 0,
            "lines lost: \(lines.count) read of \(tally.written.load(ordering: .relaxed))")
        #expect(Set(lines).count == lines.count, "no line twice")
        #expect(access(dir.file("s.lock"), F_OK) != 0, "the last writer removed its lock file")
    }

    @Test func noRepairLeavesALockFileBehind() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Fixtures.writeStream(Fixtures.lines(count: 50), to: dir.path, stream: "s")
        #expect(access(dir.file("s.lock"), F_OK) != 0)
        _ = try LogRepair.repair(paths: [dir.path])
        #expect(access(dir.file("s.lock"), F_OK) != 0, "repair made no lock file it left behind")
        let report = try LogRepair.repair(paths: [dir.path], dryRun: true)
        #expect(report.actions.isEmpty && report.liveStreams.isEmpty)
        #expect(access(dir.file("s.lock"), F_OK) != 0)
    }
}
