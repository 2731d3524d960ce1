import Dispatch
import GammaLog
import GammaModel
@testable import GammaRecorder
import GammaTestKit
import Testing
import Tracing

/// Spans on the real clock are written by the recorder's span thread (``DeferredSpans``): the
/// caller only queues them. Nothing may be lost or changed on the way, and a flush still covers
/// every span ended before it.
@Suite struct DeferredSpanTests {
    @Test func theDefaultIsDeferredOnTheRealClockOnlyWithRandomIDs() throws {
        let sink = InMemoryRecordSink()
        #expect(GammaTracer(recorder: LogRecorder(sink: sink)).writes == .deferred)
        #expect(GammaTracer(recorder: LogRecorder(sink: sink), idSeed: 7).writes == .atEnd)
        #expect(GammaTracer(recorder: LogRecorder(sink: sink, clock: ManualClock(start: 0))).writes == .atEnd)
        #expect(GammaTracer(recorder: LogRecorder(sink: sink), writes: .atEnd).writes == .atEnd)
    }

    /// Eight threads end 4,000 spans each, with attributes, status and events; after `flush()`
    /// every one is in the sink exactly once, decoded to what was set.
    @Test func spansEndedOnManyThreadsAreAllWrittenByTheFlush() throws {
        let sink = InMemoryRecordSink()
        let recorder = LogRecorder(sink: sink)
        let tracer = GammaTracer(recorder: recorder)
        let threads = 8, perThread = 4000
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread {
                let span = tracer.startSpan("op\(t)", context: .topLevel)
                span.attributes["i"] = i
                span.attributes["secret"] = "sk-abcdefghijklmnopqrstuvwx"
                if i % 7 == 0 { span.setStatus(.init(code: .error, message: "failed \(i)")) }
                if i % 11 == 0 { span.addEvent("retry") }
                span.end()
            }
        }
        #expect(tracer.openSpanCount == 0)
        try recorder.flush()
        let spans = try sink.records().compactMap { r -> SpanRecord? in if case .span(let s) = r { s } else { nil } }
        #expect(spans.count == threads * perThread)
        #expect(Set(spans.map(\.spanID)).count == threads * perThread)
        for t in 0..<threads {
            let mine = spans.filter { $0.name == "op\(t)" }
            #expect(
                Set(mine.compactMap { if case .int(let i)? = $0.attributes["i"] { i } else { nil } }).count == perThread
            )
            #expect(
                mine.allSatisfy { s in
                    guard case .int(let i)? = s.attributes["i"] else { return false }
                    return (s.status == .error) == (i % 7 == 0) && (s.events.count == 1) == (i % 11 == 0)
                        && s.attributes["secret"] != .string("sk-abcdefghijklmnopqrstuvwx")
                })
        }
        try recorder.close()
    }

    /// Without a flush, the span thread writes within milliseconds; `close()` writes the rest, and
    /// a span ended after it is written by its caller (and fails as any record after a close).
    @Test func theThreadWritesWithoutAFlushAndCloseWritesTheRest() async throws {
        let sink = InMemoryRecordSink()
        let recorder = LogRecorder(sink: sink)
        let tracer = GammaTracer(recorder: recorder)
        tracer.startSpan("early", context: .topLevel).end()
        var waited = 0
        while !sink.lines.contains(where: { $0.contains(#""name":"early""#) }) && waited < 2000 {
            try await Task.sleep(for: .milliseconds(1))
            waited += 1
        }
        #expect(waited < 2000)
        for i in 0..<1000 { tracer.startSpan("late\(i)", context: .topLevel).end() }
        try recorder.close()
        #expect(sink.lines.filter { $0.contains(#""name":"late"#) }.count == 1000)
        tracer.startSpan("after", context: .topLevel).end()
        #expect(recorder.failedRecords == 1)
    }

    /// Three times as many spans as the queue holds, ended by four threads at once, faster than
    /// one thread can write them: whatever overflows is written by its caller, and nothing is lost.
    @Test func aFloodOfSpansLosesNothing() throws {
        let sink = InMemoryRecordSink()
        let recorder = LogRecorder(sink: sink)
        let tracer = GammaTracer(recorder: recorder)
        let count = DeferredSpans.limit * 3
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<(count / 4) { tracer.startSpan("s\(t)-\(i)", context: .topLevel).end() }
        }
        try recorder.flush()
        #expect(sink.lines.filter { $0.contains(#""type":"span""#) }.count == count)
    }
}
