@testable import GammaLog
import GammaTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Truncation and corruption tables, in the manner of wlog's reader tests.
@Suite struct ReaderDamageTests {
    /// A dead stream's segment of 4 data members of 25 lines, without its sealed trailer.
    static func makeSegment(in dir: TemporaryDirectory, sealed: Bool = false) throws -> (
        path: String, lines: [String], members: [SegmentLayout.Member]
    ) {
        let lines = Fixtures.lines(count: 100)
        let writer = try SegmentWriter(directory: dir.path, stream: "t")
        for (i, (line, ts)) in lines.enumerated() {
            try writer.append(line, timestamp: ts)
            if (i + 1) % 25 == 0 { try writer.flush() }
        }
        try writer.close()
        let path = dir.file(SegmentName.fileName(stream: "t", seq: 0))
        var members = try SegmentCorrupter.members(path)
        if !sealed {
            SegmentCorrupter.truncate(path, to: Int(members.last!.offset))
            members.removeLast()
        }
        return (path, lines.map(\.line), members)
    }

    /// Cut the segment at every byte inside its last member: the reader returns exactly the lines
    /// of the complete members and reports one torn tail at the last member's offset.
    @Test func everyTruncationOfTheLastMemberKeepsTheCompleteMembers() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, members) = try Self.makeSegment(in: dir)
        let whole = Files.read(path)
        let last = members.last!
        for cut in Int(last.offset)..<whole.count {
            Files.write(path, Array(whole[..<cut]))
            let (read, summary) = try Fixtures.readAll([dir.path])
            #expect(read == Array(lines[..<75]), "cut at \(cut)")
            if cut == Int(last.offset) {
                #expect(summary.damages.isEmpty, "cut at a member boundary")
            } else {
                #expect(summary.damages.count == 1, "cut at \(cut)")
                #expect(summary.damages.first?.kind == .tornTail)
                #expect(summary.damages.first?.offset == last.offset)
                #expect(summary.damages.first?.repairable == true)
            }
        }
    }

    /// Every prefix of a whole segment, fed as bytes from memory: only whole members' lines come out.
    @Test func everyPrefixOfASegmentYieldsOnlyWholeMembers() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, members) = try Self.makeSegment(in: dir, sealed: true)
        let whole = Files.read(path)
        for n in 0...whole.count {
            let complete = members.filter { $0.end <= Int64(n) }.reduce(0) { $0 + Int($1.header.lineCount) }
            let source = MemorySource(Array(whole[..<n]), path: "prefix")
            let stream = LogStream(
                id: "t", directory: nil, isLive: false, segments: [LogSegment(path: "prefix", seq: 0, size: Int64(n))])
            var read: [String] = []
            try LogReader(streams: [stream], opener: { _ in source }).forEachLine { read.append($0.string) }
            #expect(read == Array(lines[..<complete]), "prefix \(n)")
        }
    }

    /// A live stream's incomplete tail is "not yet", not damage.
    @Test func aLiveStreamsTornTailIsPending() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, members) = try Self.makeSegment(in: dir)
        SegmentCorrupter.truncate(path, to: Int(members.last!.offset) + 30)
        let lock = try StreamLock.acquire(directory: dir.path, stream: "t").fd
        defer { _ = close(lock) }
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(read == Array(lines[..<75]))
        #expect(summary.damages.isEmpty)
        #expect(summary.pendingTails.map(\.offset) == [members.last!.offset])
    }

    enum Damage: String, CaseIterable, CustomTestStringConvertible {
        case headerByte, extraField, deflateData, crc, isize, zeroedBlock, garbageAppended, emptyFile, randomBytes,
            otherFormat
        var testDescription: String { rawValue }
    }

    /// A table of damage, each with the count of intact lines it must still yield and the damage it reports.
    @Test(arguments: Damage.allCases)
    func damagedSegmentsYieldTheirIntactLines(_ damage: Damage) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, members) = try Self.makeSegment(in: dir, sealed: true)
        let second = members[1]  // lines 25..<50
        let o = Int(second.offset)
        var expected = lines
        var kinds: [LogDamage.Kind] = []
        switch damage {
        case .headerByte:
            SegmentCorrupter.flipByte(path, at: o + 5)  // MTIME
            expected.removeSubrange(25..<50); kinds = [.corruptBytes]
        case .extraField:
            SegmentCorrupter.flipByte(path, at: o + 25)  // line count
            expected.removeSubrange(25..<50); kinds = [.corruptBytes]
        case .deflateData:
            SegmentCorrupter.flipByte(path, at: o + 60)
            expected.removeSubrange(25..<50); kinds = [.corruptMember]
        case .crc:
            SegmentCorrupter.flipByte(path, at: Int(second.end) - 8)
            expected.removeSubrange(25..<50); kinds = [.corruptMember]
        case .isize:
            SegmentCorrupter.flipByte(path, at: Int(second.end) - 1)
            expected.removeSubrange(25..<50); kinds = [.corruptMember]
        case .zeroedBlock:
            SegmentCorrupter.zero(path, at: o + 10, count: 64)
            expected.removeSubrange(25..<50); kinds = [.corruptBytes]
        case .garbageAppended:
            SegmentCorrupter.append(path, Array("garbage after the seal\n".utf8))
            kinds = [.tornTail]
        case .emptyFile:
            SegmentCorrupter.truncate(path, to: 0)
            expected = []
        case .randomBytes:
            var rng = SystemRandomNumberGenerator()
            Files.write(path, (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) })
            expected = []; kinds = [.notASegment]
        case .otherFormat:
            Files.write(dir.file("notes.gz"), Array("PK\u{3}\u{4} this is a zip, not gzip\n".utf8))
            kinds = [.notASegment]
        }
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(read == expected)
        #expect(summary.damages.map(\.kind) == kinds, "\(summary.damages)")
        for d in summary.damages { #expect(d.description.contains(" at byte "), "damage names the place: \(d)") }
    }

    /// Mutations of a valid segment never crash, hang or produce a line that was not written.
    @Test func randomMutationsNeverProduceForeignLines() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, _) = try Self.makeSegment(in: dir, sealed: true)
        let whole = Files.read(path)
        let known = Set(lines)
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<300 {
            var bytes = whole
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: bytes[i] = UInt8.random(in: 0...255, using: &rng)
                case 1: bytes.remove(at: i)
                default: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
                }
            }
            let source = MemorySource(bytes, path: "mutant")
            let stream = LogStream(
                id: "t", directory: nil, isLive: false,
                segments: [LogSegment(path: "mutant", seq: 0, size: Int64(bytes.count))])
            try LogReader(streams: [stream], opener: { _ in source }).forEachLine { line in
                #expect(known.contains(line.string))
            }
        }
    }
}

extension ReaderDamageTests {
    /// `verify` checks every member, the sealed trailer included, and nothing may follow a seal:
    /// a damaged trailer, and a segment with another appended after its seal, are damage, and the
    /// appended copy's lines are not read a second time.
    @Test func theSealIsCheckedAndNothingFollowsIt() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, members) = try Self.makeSegment(in: dir, sealed: true)
        let trailer = members.last!
        #expect(trailer.header.sealed && trailer.header.lineCount == 0)
        let intact = Files.read(path)

        var damagedTrailer = intact
        damagedTrailer[damagedTrailer.count - 6] ^= 0x01  // the trailer's CRC-32
        Files.write(path, damagedTrailer)
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(read == lines)
        #expect(summary.damages.map(\.kind) == [.corruptMember] && summary.damages[0].offset == trailer.offset)

        Files.write(path, intact + intact)  // the segment concatenated with itself
        let (twice, after) = try Fixtures.readAll([dir.path])
        #expect(twice == lines, "the appended copy's lines are not read again")
        #expect(
            after.damages.count == 1 && after.damages[0].reason.hasPrefix("data after the seal"), "\(after.damages)")
        #expect(after.damages.first?.offset == Int64(intact.count))
    }
}

extension ReaderDamageTests {
    /// Members carry their index in the segment (header version 2), so a member repeated byte for
    /// byte right after itself, a segment concatenated onto an unsealed one, and members cut out
    /// of the middle are damage; neither the repeat nor the appended segment is read.
    @Test func repeatedMembersAndAppendedSegmentsAreDamage() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, members) = try Self.makeSegment(in: dir)
        #expect(members.map(\.header.index) == [0, 1, 2, 3])
        #expect(members.map(\.header.startsSegment) == [true, false, false, false])
        let intact = Files.read(path)
        let second = members[1]
        let secondBytes = Array(intact[Int(second.offset)..<Int(second.end)])

        // The second member twice, then three times.
        for copies in [1, 2] {
            var repeated = Array(intact[..<Int(second.end)])
            for _ in 0..<copies { repeated += secondBytes }
            repeated += intact[Int(second.end)...]
            Files.write(path, repeated)
            let (read, summary) = try Fixtures.readAll([dir.path])
            #expect(read == lines, "the repeated lines are delivered once")
            #expect(summary.damages.map(\.kind) == Array(repeating: .corruptBytes, count: copies))
            #expect(summary.damages.first?.offset == second.end)
            #expect(summary.damages.allSatisfy { $0.reason.contains("member 1 repeated") }, "\(summary.damages)")
        }

        // An unsealed segment with another (here, itself: a kill, then `cat a b > a`) appended.
        Files.write(path, intact + intact)
        let (appended, after) = try Fixtures.readAll([dir.path])
        #expect(appended == lines)
        #expect(after.damages.map(\.kind) == [.corruptBytes])
        #expect(after.damages.first?.offset == Int64(intact.count))
        #expect(after.damages.first?.reason.hasPrefix("another segment's first member") == true)

        // The second member cut out: the gap is named, the rest is read.
        Files.write(path, Array(intact[..<Int(second.offset)]) + intact[Int(second.end)...])
        let (gapped, gap) = try Fixtures.readAll([dir.path])
        #expect(gapped == Array(lines[..<25] + lines[50...]))
        #expect(gap.damages.map(\.reason) == ["members missing: member 2 follows member 0"])
        #expect(gap.damages.first?.offset == second.offset)
    }

    /// Segments of earlier writers (header version 1: no index, no first-member flag) still read,
    /// with no index checks.
    @Test func versionOneSegmentsStillRead() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let (path, lines, members) = try Self.makeSegment(in: dir)
        var bytes = Files.read(path)
        for member in members {
            var header = member.header
            header.version = 1
            header.write(into: &bytes, at: Int(member.offset))
            #expect(
                bytes[Int(member.offset) + 16] == 1
                    && Array(bytes[(Int(member.offset) + 17)..<(Int(member.offset) + 20)]) == [0, 0, 0])
        }
        let first = members[0]
        bytes += bytes[Int(first.offset)..<Int(first.end)]  // not detectable without an index
        Files.write(path, bytes)
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(read == lines + lines[..<25])
        #expect(summary.damages.isEmpty)
    }
}
