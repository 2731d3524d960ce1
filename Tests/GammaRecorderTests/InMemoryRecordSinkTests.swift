import CoreMetrics
import GammaLog
import GammaModel
import GammaRecorder
import GammaTestKit
import Metrics
import Testing

@Suite struct InMemoryRecordSinkTests {
    @Test func aRecorderOverTheSinkWritesTheResourceFirstThenEveryRecord() throws {
        let sink = InMemoryRecordSink(stream: "mem")
        let recorder = LogRecorder(sink: sink, resource: ["service.name": .string("t")], clock: ManualClock(start: 5))
        let factory = GammaMetricsFactory(recorder: recorder)
        Counter(label: "calls", dimensions: [("tool", "a")], factory: factory).increment(by: 2)
        Counter(label: "calls", dimensions: [("tool", "b")], factory: factory).increment()
        Metrics.Recorder(label: "lat", dimensions: [], aggregate: true, factory: factory).record(1.5)
        Metrics.Recorder(label: "lat", dimensions: [], aggregate: true, factory: factory).record(2.5)
        Gauge(label: "depth", factory: factory).record(7)
        try recorder.close()

        let records = try sink.records()
        #expect(records.first?.resource?.stream == "mem")
        #expect(records.first?.resource?.attributes["service.name"] == .string("t"))
        #expect(records.compactMap(\.meta).map(\.name) == ["calls", "lat", "depth"])
        #expect(try sink.counterTotal("calls") == 3)
        #expect(try sink.counterTotal("calls", labels: ["tool": "a"]) == 2)
        #expect(try sink.observations("lat") == [1.5, 2.5])
        #expect(try sink.lastGauge("depth") == 7)
        #expect(try sink.lastGauge("missing") == nil)
    }

    @Test func aLineThatIsNotARecordIsNamedByItsNumber() throws {
        let sink = InMemoryRecordSink()
        try #"{"type":"counter","ts":1,"name":"x","labels":{},"value":1}"#.utf8.withContiguousStorageIfAvailable {
            try sink.write(UnsafeRawBufferPointer($0), timestamp: 1)
        }
        try #"{"type":"counter","ts":1,"name":"x","value":"one"}"#.utf8.withContiguousStorageIfAvailable {
            try sink.write(UnsafeRawBufferPointer($0), timestamp: 1)
        }
        #expect(throws: InMemoryRecordSinkError.self) { try sink.records() }
        do { _ = try sink.records() } catch let error as InMemoryRecordSinkError { #expect(error.line == 2) }
        sink.clear()
        #expect(try sink.records().isEmpty)
    }

    @Test func aClosedSinkRefusesAndTheRecorderCountsIt() throws {
        let sink = InMemoryRecordSink()
        let recorder = LogRecorder(sink: sink, clock: ManualClock(start: 0))
        try sink.close()
        recorder.record(.metric(MetricRecord(kind: .counter, ts: 1, name: "late", value: 1)))
        #expect(recorder.failedRecords >= 1)
        #expect(throws: LogError.closed) { try recorder.close() }
    }
}
