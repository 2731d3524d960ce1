public import GammaLog
public import GammaModel

/// Records to a log folder and back, for tests: written once here instead of in every suite.
public enum RecordFixtures {
    /// Writes `records` as one stream of the log folder `directory`, each encoded by
    /// ``RecordEncoder`` and appended with its own `ts`, and closes the stream.
    @discardableResult
    public static func write(
        _ records: [Record], to directory: String, stream: String = "a",
        options: SegmentWriterOptions = .init()
    ) throws -> SegmentWriter.Stats {
        let writer = try SegmentWriter(directory: directory, stream: stream, options: options)
        for r in records { try writer.append(RecordEncoder.encode(r), timestamp: r.ts) }
        return try writer.close()
    }

    /// Every record of `paths`, in file order, with the read's summary.
    /// - Throws: ``RecordFixtureError`` naming the first line that is not a record of schema v1.
    public static func read(_ paths: [String], options: ReadOptions = .init()) throws -> (
        records: [Record], summary: ReadSummary
    ) {
        var out: [Record] = []
        var failure: RecordFixtureError?
        let summary = try LogReader(paths: paths, options: options).forEachLine { line in
            guard failure == nil else { return }
            do {
                guard case .record(let r) = try RecordDecoder.decode(line.bytes) else {
                    failure = RecordFixtureError(
                        place: "segment \(line.segment) of stream \(line.stream), member at byte \(line.memberOffset)",
                        text: line.string, reason: "unknown record type")
                    return
                }
                out.append(r)
            } catch {
                failure = RecordFixtureError(
                    place: "segment \(line.segment) of stream \(line.stream), member at byte \(line.memberOffset)",
                    text: line.string, reason: "\(error)")
            }
        }
        if let failure { throw failure }
        return (out, summary)
    }
}

/// A line that is not a record: where (file and member offset), its text and why.
public struct RecordFixtureError: Error, CustomStringConvertible {
    public var place: String
    public var text: String
    public var reason: String
    public var description: String { "\(place): not a record (\(reason)): \(text)" }
}

extension Record {
    /// The metric record, if this is one.
    public var metric: MetricRecord? { if case .metric(let m) = self { m } else { nil } }
    /// The span record, if this is one.
    public var span: SpanRecord? { if case .span(let s) = self { s } else { nil } }
    /// The meta record, if this is one.
    public var meta: MetaRecord? { if case .meta(let m) = self { m } else { nil } }
    /// The resource record, if this is one.
    public var resource: ResourceRecord? { if case .resource(let r) = self { r } else { nil } }
}
