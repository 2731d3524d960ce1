import GammaLog
import GammaModel
import GammaRecorder
import GammaTestKit
import Testing

/// Reads every record of a folder back, failing the test on any damage or bad line.
func recordsIn(_ dir: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Record] {
    let (records, summary) = try RecordFixtures.read([dir])
    #expect(summary.damages.isEmpty, sourceLocation: sourceLocation)
    return records
}

/// A recorder on a manual clock in a fresh folder.
struct RecorderFixture {
    let dir = TemporaryDirectory(prefix: "gamma-recorder")
    let clock = ManualClock(start: 1_795_000_000_000_000_000)
    let recorder: LogRecorder

    init(options: SegmentWriterOptions = .init(), redaction: Redaction = .init()) throws {
        recorder = try LogRecorder(
            directory: dir.path, stream: "rec", resource: ["service.name": .string("test")],
            clock: clock, redaction: redaction, options: options)
    }

    func close() throws -> [Record] {
        try recorder.close()
        return try recordsIn(dir.path)
    }
}
