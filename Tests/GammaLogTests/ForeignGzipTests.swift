import Foundation
import GammaLog
import GammaTestKit
import Testing

/// Plain gzip files made by other tools read too, only without header-based skipping and splitting.
@Suite struct ForeignGzipTests {
    static func run(_ command: String) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(command)")
    }

    static let text = (0..<5000).map { #"{"type":"gauge","ts":\#(1_000 + $0),"name":"g","value":\#($0)}"# }

    @Test func gzipCommandOutputReads() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(dir.file("plain.jsonl"), Array(Self.text.map { $0 + "\n" }.joined().utf8))
        try Self.run("gzip -6 \(dir.file("plain.jsonl"))")
        let (lines, summary) = try Fixtures.readAll([dir.path])
        #expect(lines == Self.text)
        #expect(summary.damages.isEmpty)
    }

    /// Logs are recognized by their bytes, not their names: plain gzip named like a segment reads
    /// as foreign gzip, a tiny one (shorter than a Gamma header) too, and a file named like a
    /// segment that is not gzip at all is damage that says so, which repair leaves alone.
    @Test func filesAreRecognizedByTheirBytesNotTheirNames() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        for seq in 1...3 {
            let name = dir.file("x-0000000\(seq).jsonl")
            Files.write(name, Array(Self.text.map { $0 + "\n" }.joined().utf8))
            try Self.run("gzip -1 \(name)")
        }
        Files.write(dir.file("tiny-00000000.jsonl"), Array("{}\n".utf8))
        try Self.run("gzip -9 -n \(dir.file("tiny-00000000.jsonl"))")
        #expect(Files.read(dir.file("tiny-00000000.jsonl.gz")).count < 48)
        Files.write(dir.file("junk-00000000.jsonl.gz"), Array("not gzip at all\n".utf8))
        let (lines, summary) = try Fixtures.readAll([dir.path])
        #expect(lines.count == 3 * Self.text.count + 1)
        #expect(summary.damages.map(\.kind) == [.notASegment])
        #expect(summary.damages.first?.path.hasSuffix("junk-00000000.jsonl.gz") == true)
        let repair = try LogRepair.repair(paths: [dir.path])
        #expect(repair.actions.isEmpty)
        #expect(Files.read(dir.file("junk-00000000.jsonl.gz")) == Array("not gzip at all\n".utf8))
    }

    /// Many members, with lines split across member boundaries (`cat a.gz b.gz`, Python's gzip).
    @Test func multiMemberFilesWithLinesAcrossMembersRead() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let all = Self.text.map { $0 + "\n" }.joined()
        let cut = all.index(all.startIndex, offsetBy: 1234)  // mid-line
        Files.write(dir.file("a"), Array(all[..<cut].utf8))
        Files.write(dir.file("b"), Array(all[cut...].utf8))
        try Self.run("cd \(dir.path) && gzip a && gzip b && cat a.gz b.gz > joined.gz && rm a.gz b.gz")
        try Self.run(
            """
            python3 -c "
            import gzip
            data = open('\(dir.path)/joined.gz','rb').read()
            with open('\(dir.path)/py.gz','wb') as f:
                text = gzip.decompress(data)
                for i in range(0, len(text), 7000): f.write(gzip.compress(text[i:i+7000]))
            "
            """)
        for name in ["joined.gz", "py.gz"] {
            let (lines, summary) = try Fixtures.readAll([dir.file(name)])
            #expect(lines == Self.text, "\(name)")
            #expect(summary.damages.isEmpty, "\(name): \(summary.damages)")
        }
    }

    @Test func aLastLineWithoutNewlineIsWhole() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(dir.file("x"), Array("one\ntwo".utf8))
        try Self.run("gzip \(dir.file("x"))")
        #expect(try Fixtures.readAll([dir.file("x.gz")]).lines == ["one", "two"])
    }

    @Test func aTruncatedForeignFileKeepsWholeLinesAndReportsTheCut() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(dir.file("x"), Array(Self.text.map { $0 + "\n" }.joined().utf8))
        try Self.run("gzip \(dir.file("x"))")
        let whole = Files.read(dir.file("x.gz"))
        Files.write(dir.file("x.gz"), Array(whole[..<(whole.count / 2)]))
        let (lines, summary) = try Fixtures.readAll([dir.file("x.gz")])
        #expect(Set(lines).isSubset(of: Set(Self.text)))
        #expect(summary.damages.count == 1)
        #expect(summary.damages.first?.reason.contains("cut short") == true)
    }

    /// Gamma segments are valid gzip: `gzip -t` passes and `zcat` yields exactly the lines written.
    @Test func gammaSegmentsAreValidGzipForOtherTools() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = Fixtures.lines(count: 20_000)
        var options = SegmentWriterOptions()
        options.maxSegmentBytes = 100 << 10
        try Fixtures.writeStream(lines, to: dir.path, options: options)
        try Self.run("cd \(dir.path) && for f in *.jsonl.gz; do gzip -t \"$f\" || exit 1; done")
        try Self.run("cd \(dir.path) && zcat $(ls *.jsonl.gz | sort) > all.txt")
        #expect(
            String(decoding: Files.read(dir.file("all.txt")), as: UTF8.self) == lines.map { $0.line + "\n" }.joined())
    }
}

extension ForeignGzipTests {
    /// No wrong line from a damaged foreign member reaches a reader that counts: one byte flipped
    /// in the middle of a single-member gzip of many lines gives no line at all, held or checked in
    /// a first pass, while `cat`'s streaming mode gives what zcat gives and says they may be wrong.
    @Test(arguments: [32 << 20, 4096])
    func aDamagedForeignMemberGivesNoLine(bufferLimit: Int) throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let text = (0..<60_000).map {
            #"{"type":"gauge","ts":\#(1_790_000_000_000_000_000 + $0),"name":"g","labels":{},"value":\#($0)}"#
        }
        Files.write(dir.file("big.jsonl"), Array(text.map { $0 + "\n" }.joined().utf8))
        try Self.run("gzip -6 -n \(dir.file("big.jsonl"))")
        let path = dir.file("big.jsonl.gz")
        var options = ReadOptions()
        options.foreignBufferLimit = bufferLimit
        let (whole, clean) = try Fixtures.readAll([path], options: options)
        #expect(whole == text && clean.damages.isEmpty, "an intact member reads whole, however it is held")
        var bytes = Files.read(path)
        bytes[bytes.count / 2] ^= 0x55
        Files.write(path, bytes)
        let (lines, summary) = try Fixtures.readAll([path], options: options)
        #expect(lines.isEmpty, "\(lines.count) lines of a damaged member were delivered")
        #expect(summary.damages.count == 1 && summary.damages[0].reason.contains("none of its lines were delivered"))
        var streaming = options
        streaming.checkForeignMembersFirst = false
        let (streamed, streamedSummary) = try Fixtures.readAll([path], options: streaming)
        #expect(!streamed.isEmpty && streamedSummary.damages.first?.reason.contains("may be wrong") == true)
    }
}

extension ForeignGzipTests {
    /// Workers decode foreign files while the consumer reads them: several files, large and
    /// small, one damaged, one of many members, one without a final newline, beside a Gamma
    /// segment, read the same with 1 to 4 workers and every buffer limit, the lines of each
    /// member prepared by the worker exactly as the consumer would; and a consumer that stops
    /// early stops the workers.
    @Test func foreignFilesDecodedByWorkersReadAsTheConsumerWouldReadThem() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        func lines(_ file: Int, _ n: Int) -> [String] {
            (0..<n).map { #"{"type":"gauge","ts":\#(1_000_000 * file + $0),"name":"f\#(file)","value":\#($0)}"# }
        }
        Files.write(dir.file("a.jsonl"), Array(lines(1, 200_000).map { $0 + "\n" }.joined().utf8))
        Files.write(dir.file("b1"), Array(lines(2, 3000).prefix(1500).map { $0 + "\n" }.joined().utf8))
        Files.write(dir.file("b2"), Array(lines(2, 3000).suffix(1500).map { $0 + "\n" }.joined().utf8))
        Files.write(dir.file("c.jsonl"), Array(lines(3, 10).joined(separator: "\n").utf8))
        Files.write(dir.file("d.jsonl"), Array(lines(4, 50_000).map { $0 + "\n" }.joined().utf8))
        try Self.run(
            "cd \(dir.path) && gzip -n a.jsonl c.jsonl d.jsonl && (gzip -c b1; gzip -c b2) > b.jsonl.gz && rm b1 b2")
        var damaged = Files.read(dir.file("d.jsonl.gz"))
        damaged[damaged.count / 2] ^= 0x10
        Files.write(dir.file("d.jsonl.gz"), damaged)
        let writer = try SegmentWriter(directory: dir.path, stream: "g")
        for (line, ts) in Fixtures.lines(count: 500) { try writer.append(line, timestamp: ts) }
        try writer.close()

        var reference: [String]?
        var referenceDamages: [LogDamage]?
        for workers in 1...4 {
            for limit in [32 << 20, 100_000] {
                var options = ReadOptions()
                options.workers = workers
                options.foreignBufferLimit = limit
                let reader = try LogReader(paths: [dir.path], options: options)
                var read: [String] = []
                var preparedLines = 0
                let summary = try reader.forEachMember(preparing: { LineSplitter.count($0) }) { member, prepared in
                    #expect(prepared == LineSplitter.count(member.bytes))
                    preparedLines += prepared
                    member.forEachLine { read.append(String(decoding: $0, as: UTF8.self)) }
                }
                #expect(preparedLines == read.count && summary.lines == read.count)
                #expect(read.count == 200_000 + 3000 + 10 + 500, "workers \(workers), limit \(limit)")
                if let reference {
                    #expect(read == reference, "workers \(workers), limit \(limit)")
                    #expect(summary.damages == referenceDamages)
                } else {
                    reference = read
                    referenceDamages = summary.damages
                }
                #expect(summary.damages.count == 1 && summary.damages[0].path.hasSuffix("d.jsonl.gz"))
            }
        }
        // A consumer that fails at once: the read ends, and the workers with it.
        struct Stop: Error {}
        var options = ReadOptions()
        options.workers = 2
        for _ in 0..<20 {
            #expect(throws: Stop.self) {
                try LogReader(paths: [dir.path], options: options).forEachLine { _ in throw Stop() }
            }
        }
    }
}
