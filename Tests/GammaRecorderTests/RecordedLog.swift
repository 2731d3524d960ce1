import GammaLog
import GammaModel
import GammaRecorder
import GammaTestKit
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Reads every record of a folder back, failing the test on any damage or bad line.
func recordsIn(_ dir: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [Record] {
    var out: [Record] = []
    let summary = try LogReader(paths: [dir]).forEachLine { line in
        if getenv("GAMMA_DEBUG_LINES") != nil { print("LINE", line.string) }
        do {
            guard case .record(let r) = try RecordDecoder.decode(line.bytes) else {
                Issue.record("unknown record type: \(line.string)", sourceLocation: sourceLocation)
                return
            }
            out.append(r)
        } catch {
            Issue.record("bad line \(line.string): \(error)", sourceLocation: sourceLocation)
        }
    }
    #expect(summary.damages.isEmpty, sourceLocation: sourceLocation)
    return out
}

extension Record {
    var metric: MetricRecord? { if case .metric(let m) = self { m } else { nil } }
    var span: SpanRecord? { if case .span(let s) = self { s } else { nil } }
    var meta: MetaRecord? { if case .meta(let m) = self { m } else { nil } }
    var resource: ResourceRecord? { if case .resource(let r) = self { r } else { nil } }
}

/// A recorder on a manual clock in a fresh folder.
struct RecorderFixture {
    let dir = TemporaryDirectory(prefix: "gamma-recorder")
    let clock = ManualClock(start: 1_795_000_000_000_000_000)
    let recorder: Recorder

    init(options: SegmentWriterOptions = .init(), redaction: Redaction = .init()) throws {
        recorder = try Recorder(directory: dir.path, stream: "rec", resource: ["service.name": .string("test")],
                                clock: clock, redaction: redaction, options: options)
    }

    func close() throws -> [Record] {
        try recorder.close()
        return try recordsIn(dir.path)
    }
}
