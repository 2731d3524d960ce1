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
        let before = Files.read(path)
        let first = try LogRepair.repair(paths: [dir.path])
        let quarantine = dir.file(".t-00000000.jsonl.gz.\(members.last!.offset).quarantine")
        #expect(
            first.actions == [
                LogRepair.Action(
                    path: path, truncatedAt: members.last!.offset, bytesRemoved: 100,
                    reason: "member of \(members.last!.header.length) bytes cut short after 100 bytes",
                    quarantine: quarantine)
            ])
        let after = Files.read(path)
        // Undoable: the segment and its quarantine file together are the segment as it was.
        #expect(after + Files.read(quarantine) == before)
        #expect(after.count == Int(members.last!.offset))
        let second = try LogRepair.repair(paths: [dir.path])
        #expect(second.actions.isEmpty && second.leftAlone.isEmpty)
        #expect(Files.read(path) == after)
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(read == Array(lines[..<75]))
        #expect(summary.damages.isEmpty)
    }

    /// Repair never deletes a readable line: a tail that is a complete gzip member (as `zcat`
    /// reads it) stays, whatever Gamma thinks of its header. One row per way to get there, each
    /// followed by the lines `zcat` reads before and after repair.
    @Test(arguments: ["mtime", "lineCount", "headerCRC", "plainGzipAfterTheLastMember"])
    func repairNeverDeletesAReadableLine(_ damage: String) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, _, members) = try ReaderDamageTests.makeSegment(in: dir)  // no trailer, as a kill leaves it
        let last = Int(members.last!.offset)
        var bytes = Files.read(path)
        switch damage {
        case "mtime": bytes[last + 4] ^= 0x01  // MTIME, which the header CRC covers
        case "lineCount": bytes[last + 24] ^= 0x01
        case "headerCRC": bytes[last + 44] ^= 0x01
        default:
            bytes += Self.gzip(#"{"type":"counter","ts":1,"name":"appended","labels":{},"value":1}"# + "\n")
        }
        Files.write(path, bytes)
        let zcatBefore = Self.zcatLines(path)
        _ = try LogRepair.repair(paths: [dir.path])
        let unchanged = Files.read(path) == bytes
        #expect(unchanged, "the segment is unchanged")
        #expect(Self.zcatLines(path) == zcatBefore)
        let quarantined = Files.names(in: dir.path).filter { $0.hasSuffix(".quarantine") }
        #expect(quarantined.isEmpty)
    }

    /// `gzip -c` of `text`.
    static func gzip(_ text: String) -> [UInt8] {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(dir.file("x"), Array(text.utf8))
        system("gzip -c '\(dir.file("x"))' > '\(dir.file("x.gz"))'")
        return Files.read(dir.file("x.gz"))
    }

    /// The number of lines `zcat` reads (to its first error).
    static func zcatLines(_ path: String) -> Int {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        system("zcat '\(path)' 2>/dev/null | wc -l > '\(dir.file("n"))'")
        return Int(String(decoding: Files.read(dir.file("n")), as: UTF8.self).filter(\.isNumber)) ?? -1
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
