import CoreMetrics
import GammaLog
import GammaModel
@testable import GammaRecorder
import GammaTestKit
import Metrics
import Testing
#if canImport(Glibc)
import Glibc
#endif

@Suite struct MetricsBackendTests {
    /// Counters, gauges, histograms and timers through the public swift-metrics API come back exactly.
    @Test func everyMetricTypeComesBackExactly() throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let factory = GammaMetricsFactory(recorder: f.recorder)
        let t0 = f.clock.now()
        Counter(label: "tools.calls.total", dimensions: [("tool", "search")], factory: factory).increment(by: 3)
        f.clock.advance(by: 1000)
        FloatingPointCounter(label: "tokens.cost", dimensions: [], factory: factory).increment(by: 0.25)
        f.clock.advance(by: 1000)
        let meter = Meter(label: "queue.depth", dimensions: [("q", "a")], factory: factory)
        meter.set(5)
        meter.increment(by: 2)
        meter.decrement(by: 0.5)
        f.clock.advance(by: 1000)
        Recorder(label: "llm.latency_ms", dimensions: [("model", "m"), ("b", "2")], aggregate: true, factory: factory)
            .record(125.5)
        Recorder(label: "system.load", dimensions: [], aggregate: false, factory: factory).record(Int64(7))
        Timer(label: "http.duration", dimensions: [], factory: factory).recordNanoseconds(2_500_000)
        let records = try f.close()
        let metrics = records.compactMap(\.metric)
        #expect(
            metrics == [
                MetricRecord(kind: .counter, ts: t0, name: "tools.calls.total", labels: ["tool": "search"], value: 3),
                MetricRecord(kind: .counter, ts: t0 + 1000, name: "tokens.cost", value: 0.25),
                MetricRecord(kind: .gauge, ts: t0 + 2000, name: "queue.depth", labels: ["q": "a"], value: 5),
                MetricRecord(kind: .gauge, ts: t0 + 2000, name: "queue.depth", labels: ["q": "a"], value: 7),
                MetricRecord(kind: .gauge, ts: t0 + 2000, name: "queue.depth", labels: ["q": "a"], value: 6.5),
                MetricRecord(
                    kind: .histogram, ts: t0 + 3000, name: "llm.latency_ms", labels: ["b": "2", "model": "m"],
                    value: 125.5),
                MetricRecord(kind: .gauge, ts: t0 + 3000, name: "system.load", value: 7),
                MetricRecord(kind: .histogram, ts: t0 + 3000, name: "http.duration", value: 2.5)
            ])
        let metas = records.compactMap(\.meta)
        // A meta may repeat (inline, and in a segment's preamble); the names and their order of first use are fixed.
        var firstUse: [String] = []
        for m in metas where !firstUse.contains(m.name) { firstUse.append(m.name) }
        #expect(
            firstUse == [
                "tools.calls.total", "tokens.cost", "queue.depth", "llm.latency_ms", "system.load", "http.duration"
            ])
        #expect(metas.first { $0.name == "http.duration" }?.unit == "ms")
        #expect(records.first?.resource?.attributes["service.name"] == .string("test"))
    }

    @Test func handlersAreCachedByLabelAndSortedDimensions() throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let factory = GammaMetricsFactory(recorder: f.recorder)
        let a = factory.makeCounter(label: "c", dimensions: [("x", "1"), ("y", "2")])
        let b = factory.makeCounter(label: "c", dimensions: [("y", "2"), ("x", "1")])
        let c = factory.makeCounter(label: "c", dimensions: [("x", "1")])
        #expect(a === b)
        #expect(a !== c)
        factory.destroyCounter(a)
        #expect(factory.makeCounter(label: "c", dimensions: [("x", "1"), ("y", "2")]) !== a)
        _ = try f.close()
    }

    /// Concurrent recording from many threads loses nothing.
    @Test func concurrentIncrementsFromManyThreadsAllArrive() throws {
        let f = try RecorderFixture()
        defer { f.dir.remove() }
        let factory = GammaMetricsFactory(recorder: f.recorder)
        let threads = 8, perThread = 25_000
        runOnThreads(threads) { t in
            let counter = Counter(label: "hits", dimensions: [("thread", String(t % 2))], factory: factory)
            let hist = Recorder(label: "lat", dimensions: [], aggregate: true, factory: factory)
            for i in 0..<perThread {
                counter.increment()
                if i % 10 == 0 { hist.record(Double(i)) }
            }
        }
        let metrics = try f.close().compactMap(\.metric)
        #expect(metrics.filter { $0.name == "hits" }.reduce(0) { $0 + $1.value } == Double(threads * perThread))
        #expect(metrics.filter { $0.name == "lat" }.count == threads * perThread / 10)
    }

    @Test func theSegmentPreambleRepeatsResourceAndMetasInEverySegment() throws {
        var options = SegmentWriterOptions()
        options.memberBytes = 2048
        options.maxSegmentBytes = 8192
        let f = try RecorderFixture(options: options)
        defer { f.dir.remove() }
        let factory = GammaMetricsFactory(recorder: f.recorder)
        let counter = Counter(label: "c", dimensions: [], factory: factory)
        for _ in 0..<20_000 { counter.increment() }
        try f.recorder.close()
        let segments = Files.names(in: f.dir.path).filter { $0.hasSuffix(".jsonl.gz") }
        #expect(segments.count > 2)
        for name in segments {
            let records = try recordsIn(f.dir.file(name))
            #expect(records.first?.resource?.stream == "rec", "\(name) opens with the resource")
            #expect(
                records.dropFirst().first?.meta?.name == "c" || name.hasSuffix("00000000.jsonl.gz"),
                "\(name) repeats the meta")
        }
    }
}
