public import GammaLog

/// Lines shaped like Gamma records, with increasing timestamps.
public enum Fixtures {
    public static let baseTimestamp: Int64 = 1_790_000_000_000_000_000

    /// `count` record-like lines, `{"type":"counter","ts":…,"name":"fixture","seq":i,…}`, 1 ms apart.
    public static func lines(count: Int, start: Int = 0, stream: String = "s", payload: Int = 40) -> [(
        line: String, ts: Int64
    )] {
        let pad = String(repeating: "x", count: payload)
        return (start..<(start + count)).map { i in
            let ts = baseTimestamp + Int64(i) * 1_000_000
            return (
                "{\"type\":\"counter\",\"ts\":\(ts),\"name\":\"fixture\",\"labels\":{\"stream\":\"\(stream)\"},\"seq\":\(i),\"pad\":\"\(pad)\"}",
                ts
            )
        }
    }

    /// Writes `lines` through a new writer in `directory` and closes it.
    @discardableResult
    public static func writeStream(
        _ lines: [(line: String, ts: Int64)], to directory: String, stream: String? = nil,
        options: SegmentWriterOptions = .init()
    ) throws -> SegmentWriter.Stats {
        let writer = try SegmentWriter(directory: directory, stream: stream, options: options)
        for (line, ts) in lines { try writer.append(line, timestamp: ts) }
        return try writer.close()
    }

    /// Reads every line of `paths` as strings, with the summary.
    public static func readAll(_ paths: [String], options: ReadOptions = .init()) throws -> (
        lines: [String], summary: ReadSummary
    ) {
        var out: [String] = []
        let summary = try LogReader(paths: paths, options: options).forEachLine { out.append($0.string) }
        return (out, summary)
    }
}
