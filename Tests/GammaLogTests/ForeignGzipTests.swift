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
