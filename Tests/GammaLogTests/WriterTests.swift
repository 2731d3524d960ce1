import GammaLog
import GammaTestKit
import Testing

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
