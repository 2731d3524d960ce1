import GammaLog
import GammaTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct WriterTests {
    @Test func linesWrittenAreReadBackInOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = Fixtures.lines(count: 10_000)
        var options = SegmentWriterOptions()
        options.memberBytes = 8 << 10
        options.maxSegmentBytes = 64 << 10
        let stats = try Fixtures.writeStream(lines, to: dir.path, stream: "round", options: options)
        #expect(stats.linesWritten == 10_000)
        #expect(stats.segmentsCreated > 1)
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(read == lines.map(\.line))
        #expect(summary.damages.isEmpty)
        #expect(Files.names(in: dir.path).allSatisfy { $0.hasPrefix("round-") && $0.hasSuffix(".jsonl.gz") })
    }
}

extension WriterTests {
    @Test func manyThreadsAppendingLoseNothing() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.memberBytes = 16 << 10
        options.maxSegmentBytes = 128 << 10
        let writer = try SegmentWriter(directory: dir.path, stream: "mt", options: options)
        let threads = 8, perThread = 20_000
        runOnThreads(threads) { t in
            for (line, ts) in Fixtures.lines(count: perThread, start: t * perThread, stream: "t\(t)") {
                try! writer.append(line, timestamp: ts)
            }
        }
        let stats = try writer.close()
        #expect(stats.linesWritten == threads * perThread)
        let (read, summary) = try Fixtures.readAll([dir.path])
        #expect(summary.damages.isEmpty)
        #expect(read.count == threads * perThread)
        #expect(Set(read).count == threads * perThread)
        // Each thread's lines keep their order.
        for t in 0..<threads {
            let mine = read.filter { $0.contains("\"stream\":\"t\(t)\"") }
            #expect(mine == Fixtures.lines(count: perThread, start: t * perThread, stream: "t\(t)").map(\.line))
        }
    }

    @Test func segmentsRotateBySize() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.memberBytes = 4 << 10
        options.maxSegmentBytes = 20 << 10
        try Fixtures.writeStream(Fixtures.lines(count: 20_000), to: dir.path, stream: "r", options: options)
        let names = Files.names(in: dir.path)
        #expect(names.count > 3)
        #expect(names.first == "r-00000000.jsonl.gz")
        for name in names {
            let members = try SegmentCorrupter.members(dir.file(name))
            #expect(members.last?.header.sealed == true, "\(name) is sealed")
            // A segment is sealed as soon as it reaches the size, so it exceeds it by less than one member.
            #expect(members.last!.offset < Int64(options.maxSegmentBytes) + 4096)
        }
    }

    @Test func segmentsRotateByAge() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.maxSegmentAge = .milliseconds(50)
        let writer = try SegmentWriter(directory: dir.path, stream: "age", options: options)
        for i in 0..<3 {
            try writer.append("{\"ts\":\(i)}", timestamp: Int64(i))
            try writer.flush()
            usleep(80_000)
        }
        try writer.close()
        #expect(
            Files.names(in: dir.path) == ["age-00000000.jsonl.gz", "age-00000001.jsonl.gz", "age-00000002.jsonl.gz"])
    }

    @Test func linesReachDiskAfterTheFlushIntervalWithoutAFlushCall() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.flushInterval = .milliseconds(50)
        let writer = try SegmentWriter(directory: dir.path, stream: "i", options: options)
        try writer.append("{\"ts\":1}", timestamp: 1)
        var found: [String] = []
        for _ in 0..<100 where found.isEmpty {
            usleep(20_000)
            found = try Fixtures.readAll([dir.path]).lines
        }
        #expect(found == ["{\"ts\":1}"])
        try writer.close()
    }

    @Test func dropModeCountsWhatItDrops() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.overflow = .drop
        options.maxPendingMembers = 1
        options.memberBytes = 256
        options.compressionLevel = 9
        let writer = try SegmentWriter(directory: dir.path, stream: "d", options: options)
        let lines = Fixtures.lines(count: 50_000)
        for (l, t) in lines { try writer.append(l, timestamp: t) }
        let stats = try writer.close()
        #expect(stats.linesAppended == 50_000)
        #expect(stats.droppedLines > 0, "the compressor at level 9 with one pending member must fall behind")
        #expect(stats.linesWritten + stats.droppedLines == 50_000)
        let read = try Fixtures.readAll([dir.path]).lines
        #expect(read.count == stats.linesWritten)
    }

    @Test func blockModeLosesNothingWhenTheCompressorFallsBehind() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.maxPendingMembers = 1
        options.memberBytes = 256
        options.compressionLevel = 9
        let stats = try Fixtures.writeStream(Fixtures.lines(count: 20_000), to: dir.path, options: options)
        #expect(stats.droppedLines == 0 && stats.linesWritten == 20_000)
    }

    @Test(arguments: SegmentWriterOptions.Durability.allCases)
    func everyDurabilityPolicyWritesTheSameLines(_ durability: SegmentWriterOptions.Durability) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.durability = durability
        options.memberBytes = 2048
        let lines = Fixtures.lines(count: 500)
        try Fixtures.writeStream(lines, to: dir.path, options: options)
        #expect(try Fixtures.readAll([dir.path]).lines == lines.map(\.line))
    }

    @Test func aLineWithANewlineIsRejected() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try SegmentWriter(directory: dir.path)
        #expect(throws: LogError.lineContainsNewline(byteOffset: 3)) { try writer.append("abc\ndef", timestamp: 0) }
        try writer.close()
        #expect(throws: LogError.closed) { try writer.append("x", timestamp: 0) }
    }

    @Test func aStreamHeldByALiveWriterCannotBeOpenedTwice() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let first = try SegmentWriter(directory: dir.path, stream: "one")
        #expect(throws: LogError.streamInUse(stream: "one", lockPath: dir.file("one.lock"))) {
            _ = try SegmentWriter(directory: dir.path, stream: "one")
        }
        try first.close()
        #expect(!Files.names(in: dir.path).contains("one.lock"), "a clean close removes the lock file")
    }

    /// Reopening a dead stream continues at the next seq: never appends to a file it did not create.
    @Test func aReopenedStreamNeverAppendsToAnOldFile() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        try Fixtures.writeStream(Fixtures.lines(count: 10), to: dir.path, stream: "re")
        let before = Files.read(dir.file("re-00000000.jsonl.gz"))
        try Fixtures.writeStream(Fixtures.lines(count: 10, start: 10), to: dir.path, stream: "re")
        #expect(Files.read(dir.file("re-00000000.jsonl.gz")) == before)
        #expect(Files.names(in: dir.path) == ["re-00000000.jsonl.gz", "re-00000001.jsonl.gz"])
        #expect(try Fixtures.readAll([dir.path]).lines == Fixtures.lines(count: 20).map(\.line))
    }

    @Test(arguments: ["", "a/b", "bad id", ".hidden", String(repeating: "x", count: 129)])
    func invalidStreamIDsAreRejected(_ id: String) {
        #expect(throws: LogError.invalidStreamID(id)) { _ = try SegmentWriter(directory: "/tmp", stream: id) }
    }

    @Test func generatedStreamIDsParseBackFromFileNames() {
        let id = SegmentWriter.makeStreamID()
        #expect(SegmentName.isValidStream(id))
        #expect(SegmentName.parse(SegmentName.fileName(stream: id, seq: 42))! == (id, 42))
    }
}
