@testable import GammaLog
import GammaTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct RepairTests {
    @Test func repairTruncatesATornTailAndASecondRunChangesNothing() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, members) = try ReaderDamageTests.makeSegment(in: dir)
        let cutAt = Int(members.last!.offset) + 100
        SegmentCorrupter.truncate(path, to: cutAt)
        let first = try LogRepair.repair(paths: [dir.path])
        #expect(
            first.actions == [
                LogRepair.Action(
                    path: path, truncatedAt: members.last!.offset, bytesRemoved: 100,
                    reason: "member of \(members.last!.header.length) bytes cut short after 100 bytes")
            ])
        let after = Files.read(path)
        #expect(after.count == Int(members.last!.offset))
        let second = try LogRepair.repair(paths: [dir.path])
        #expect(second.actions.isEmpty && second.leftAlone.isEmpty)
        #expect(Files.read(path) == after)
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(read == Array(lines[..<75]))
        #expect(summary.damages.isEmpty)
    }

    @Test func dryRunChangesNothing() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, _, _) = try ReaderDamageTests.makeSegment(in: dir)
        SegmentCorrupter.append(path, [0x1F, 0x8B, 0x08])
        let before = Files.read(path)
        #expect(try LogRepair.repair(paths: [dir.path], dryRun: true).actions.count == 1)
        #expect(Files.read(path) == before)
    }

    @Test func repairLeavesLiveStreamsAlone() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, _, _) = try ReaderDamageTests.makeSegment(in: dir)
        SegmentCorrupter.append(path, [0x1F, 0x8B, 0x08, 0x04, 0, 0])
        let before = Files.read(path)
        let writer = try SegmentWriter(directory: dir.path, stream: "t")  // takes the lock: the stream is live
        let report = try LogRepair.repair(paths: [dir.path])
        #expect(report.liveStreams == ["t"] && report.actions.isEmpty)
        #expect(Files.read(path) == before)
        try writer.close()
    }

    @Test func repairLeavesCorruptMiddleMembersAndForeignFilesAlone() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, _, members) = try ReaderDamageTests.makeSegment(in: dir, sealed: true)
        SegmentCorrupter.flipByte(path, at: Int(members[1].offset) + 60)
        Files.write(dir.file("other.gz"), Array("not gzip at all".utf8))
        let before = Files.read(path)
        let report = try LogRepair.repair(paths: [dir.path])
        #expect(report.actions.isEmpty)
        #expect(Set(report.leftAlone.map(\.kind)) == [.corruptMember, .notASegment])
        #expect(Files.read(path) == before)
        #expect(Files.read(dir.file("other.gz")) == Array("not gzip at all".utf8))
    }
}
