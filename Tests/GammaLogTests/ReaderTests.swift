import Foundation
import GammaLog
import GammaTestKit
import Testing

@Suite struct ReaderTests {
    /// Members outside --since/--until are skipped by their headers, and lines are filtered exactly.
    @Test func aTimeRangeSkipsMembersByHeaderAndFiltersLines() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.memberBytes = 4 << 10
        let lines = Fixtures.lines(count: 10_000)
        try Fixtures.writeStream(lines, to: dir.path, options: options)
        let since = lines[3000].ts, until = lines[3500].ts
        let (read, summary) = try Fixtures.readAll([dir.path], options: ReadOptions(since: since, until: until))
        #expect(read == lines[3000..<3500].map(\.line))
        #expect(summary.membersSkipped > summary.membersRead * 10)
    }

    @Test func membersComeWholeAndInFileOrder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.memberBytes = 4 << 10
        let lines = Fixtures.lines(count: 2000)
        try Fixtures.writeStream(lines, to: dir.path, stream: "m", options: options)
        // Every member, the sealed trailer included: it is inflated and checked too.
        let headers = try SegmentCorrupter.members(dir.file("m-00000000.jsonl.gz"))
        var offsets: [Int64] = []
        var text = ""
        let summary = try LogReader(paths: [dir.path]).forEachMember { member in
            offsets.append(member.offset)
            text += String(decoding: member.bytes, as: UTF8.self)
        }
        #expect(offsets == headers.map(\.offset))
        #expect(text == lines.map { $0.line + "\n" }.joined())
        #expect(summary.lines == 2000 && summary.membersRead == headers.count)
    }

    @Test func mergedReadingOrdersStreamsByTimestamp() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.memberBytes = 2 << 10
        var all: [(line: String, ts: Int64)] = []
        for s in 0..<3 {
            // Interleaved times: stream s has ts = base + (3i + s) ms.
            let lines = Fixtures.lines(count: 3000, stream: "m\(s)").enumerated().map { i, l in
                let ts = Fixtures.baseTimestamp + Int64(3 * i + s) * 1_000_000
                return (l.line.replacingTS(with: ts), ts)
            }
            all += lines
            try Fixtures.writeStream(lines, to: dir.path, stream: "m\(s)", options: options)
        }
        var merged: [String] = []
        let summary = try LogReader(paths: [dir.path]).forEachLineMerged { merged.append($0.string) }
        #expect(summary.damages.isEmpty)
        #expect(merged == all.sorted { $0.ts < $1.ts }.map(\.line))
    }

    @Test func mergedReadingKeepsEachStreamsOrderUnderDisorder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let a: [(String, Int64)] = [
            ("{\"ts\":5,\"s\":\"a1\"}", 5), ("{\"ts\":3,\"s\":\"a2\"}", 3), ("{\"ts\":9,\"s\":\"a3\"}", 9)
        ]
        let b: [(String, Int64)] = [("{\"ts\":4,\"s\":\"b1\"}", 4), ("{\"ts\":6,\"s\":\"b2\"}", 6)]
        try Fixtures.writeStream(a.map { ($0.0, $0.1) }, to: dir.path, stream: "a")
        try Fixtures.writeStream(b.map { ($0.0, $0.1) }, to: dir.path, stream: "b")
        var merged: [String] = []
        try LogReader(paths: [dir.path]).forEachLineMerged { merged.append($0.string) }
        let order = merged.compactMap { $0.split(separator: "\"").dropLast().last.map(String.init) }
        #expect(order == ["b1", "a1", "a2", "b2", "a3"])
    }

    @Test func listsStreamsAndSegmentsOfFoldersAndFiles() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        var options = SegmentWriterOptions()
        options.maxSegmentBytes = 8 << 10
        try Fixtures.writeStream(Fixtures.lines(count: 3000), to: dir.path, stream: "x", options: options)
        try Fixtures.writeStream(Fixtures.lines(count: 10), to: dir.path, stream: "y")
        let streams = try LogCatalog.discover([dir.path])
        #expect(streams.map(\.id) == ["x", "y"])
        #expect(streams[0].segments.map(\.seq) == Array(0..<streams[0].segments.count))
        #expect(streams.allSatisfy { !$0.isLive })
        let one = try LogCatalog.discover([dir.file("y-00000000.jsonl.gz")])
        #expect(one.map(\.id) == ["y"])
        #expect(throws: LogError.noSuchPath("/no/such/log")) { _ = try LogCatalog.discover(["/no/such/log"]) }
        let report = try LogReader(paths: [dir.path]).inventory()
        #expect(report.allSatisfy { $0.state == .sealed })
        #expect(report.reduce(0) { $0 + $1.lines } == 3010)
    }

    @Test func aLiveWritersStreamIsLive() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let writer = try SegmentWriter(directory: dir.path, stream: "live")
        try writer.append("{\"ts\":1}", timestamp: 1)
        try writer.flush()
        #expect(try LogCatalog.discover([dir.path]).first?.isLive == true)
        #expect(try LogReader(paths: [dir.path]).inventory().first?.state == .live)
        try writer.close()
        #expect(try LogCatalog.discover([dir.path]).first?.isLive == false)
    }
}

extension String {
    func replacingTS(with ts: Int64) -> String {
        guard let r = range(of: "\"ts\":") else { return self }
        let end = self[r.upperBound...].firstIndex(of: ",")!
        return String(self[..<r.upperBound]) + String(ts) + String(self[end...])
    }
}
