import GammaLog
import GammaModel
@testable import GammaReplay
import GammaTestKit

/// A log written from records, and the replay of it.
struct ReplayFixture {
    let dir = TemporaryDirectory(prefix: "gamma-replay")
    static let t0: Int64 = 1_795_000_000_000_000_000
    static let second: Int64 = 1_000_000_000

    /// Writes `records` as one stream (timestamps as given).
    func write(_ records: [Record], stream: String = "a", options: SegmentWriterOptions = .init()) throws {
        try RecordFixtures.write(records, to: dir.path, stream: stream, options: options)
    }

    /// Writes raw lines as one stream.
    func writeLines(_ lines: [(String, Int64)], stream: String) throws {
        let writer = try SegmentWriter(directory: dir.path, stream: stream)
        for (l, ts) in lines { try writer.append(l, timestamp: ts) }
        try writer.close()
    }

    func report(_ query: MetricQuery = .init(), since: Int64? = nil, until: Int64? = nil) throws -> (
        MetricReport, [ReplayIssue]
    ) {
        let reader = try LogReader(paths: [dir.path], options: ReadOptions(since: since, until: until))
        var issues: [ReplayIssue] = []
        let report = try MetricReplay(query: query).run(reader, onIssue: { issues.append($0) })
        return (report, issues)
    }

    static func metric(
        _ kind: MetricKind, _ name: String, _ labels: [String: String] = [:], _ value: Double, at seconds: Double
    ) -> Record {
        .metric(MetricRecord(kind: kind, ts: t0 + Int64(seconds * 1e9), name: name, labels: labels, value: value))
    }
}

extension MetricReport {
    func series(_ name: String, _ labels: [String: String] = [:]) -> MetricReport.Series? {
        let want = labels.map { Label($0.key, $0.value) }.sorted()
        return series.first { $0.key.name == name && $0.key.labels == want }
    }
}
