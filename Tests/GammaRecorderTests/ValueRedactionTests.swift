import GammaModel
import GammaRecorder
import GammaTestKit
import Instrumentation
import Testing
import Tracing

/// Secrets are kept out of the log by value: in span, event and link attributes, status messages,
/// resource attributes and alert labels; a span says how many values were redacted.
@Suite struct ValueRedactionTests {
    @Test func aSpansSecretsAreReplacedAndCounted() throws {
        let sink = InMemoryRecordSink()
        let recorder = LogRecorder(
            sink: sink, resource: ["deploy.url": .string("https://ci:hunter2@ci.example.com/")],
            clock: ManualClock(start: 1))
        let tracer = GammaTracer(recorder: recorder)
        let span = tracer.startSpan("tool.http_get", context: .topLevel, ofKind: .client, at: DefaultTracerClock.now)
        span.attributes["tool.arguments"] = #"{"url":"https://api.example.com/v1?api_key=abc123"}"#
        span.attributes["gen_ai.usage.input_tokens"] = 12
        span.attributes["note"] = "nothing secret here"
        span.addEvent(SpanEvent(name: "retry", attributes: ["header": "Bearer abcdefghijklmnop"]))
        span.setStatus(SpanStatus(code: .error, message: "401 for key sk-abcdefghijklmnopqrstuvwx"))
        span.end()
        try recorder.close()
        let s = try #require(try sink.spans().first)
        #expect(s.attributes["tool.arguments"] == .string(#"{"url":"https://api.example.com/v1?api_key=[REDACTED]"}"#))
        #expect(s.attributes["note"] == .string("nothing secret here"))
        #expect(s.attributes["gen_ai.usage.input_tokens"] == .int(12))
        #expect(s.events.first?.attributes["header"] == .string("Bearer [REDACTED]"))
        #expect(s.statusMessage == "401 for key [REDACTED]")
        #expect(s.attributes[Redaction.redactedCountKey] == .int(3))
        let resource = try #require(try sink.records().first?.resource)
        #expect(resource.attributes["deploy.url"] == .string("https://[REDACTED]@ci.example.com/"))
        #expect(!sink.lines.joined().contains("abc123") && !sink.lines.joined().contains("hunter2"))
    }

    @Test func aSpanWithoutSecretsCarriesNoCount() throws {
        let sink = InMemoryRecordSink()
        let recorder = LogRecorder(sink: sink, clock: ManualClock(start: 1))
        let span = GammaTracer(recorder: recorder).startSpan(
            "x", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now)
        span.attributes["query"] = "how long do refunds take?"
        span.end()
        try recorder.close()
        #expect(try sink.spans().first?.attributes[Redaction.redactedCountKey] == nil)
    }

    @Test func spansMadeElsewhereAndAlertLabelsAreRedactedToo() throws {
        let sink = InMemoryRecordSink()
        let recorder = LogRecorder(sink: sink, clock: ManualClock(start: 1))
        recorder.record(
            .span(
                SpanRecord(
                    traceID: 1, spanID: 2, name: "s", start: 1, end: 2, status: .error,
                    statusMessage: "GET https://u:pw@h/ failed",
                    attributes: ["a": .stringArray(["ok", "ghp_1234567890abcdefghijABCDEFGHIJ123456"])])))
        recorder.record(
            .alert(
                AlertRecord(
                    ts: 3, rule: "r", state: .firing, severity: "info",
                    labels: ["tool": "sk-abcdefghijklmnopqrstuvwxyz"])))
        try recorder.close()
        let s = try #require(try sink.spans().first)
        #expect(s.statusMessage == "GET https://[REDACTED]@h/ failed")
        #expect(s.attributes["a"] == .stringArray(["ok", "[REDACTED]"]))
        #expect(s.attributes[Redaction.redactedCountKey] == .int(2))
        let alert = try #require(try sink.records().compactMap { if case .alert(let a) = $0 { a } else { nil } }.first)
        #expect(alert.labels["tool"] == "[REDACTED]")
    }

    @Test func valuePatternsCanBeTurnedOff() throws {
        let sink = InMemoryRecordSink()
        var redaction = Redaction()
        redaction.values = .none
        let recorder = LogRecorder(sink: sink, clock: ManualClock(start: 1), redaction: redaction)
        let span = GammaTracer(recorder: recorder).startSpan(
            "x", context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now)
        span.attributes["k"] = "sk-abcdefghijklmnopqrstuvwxyz"
        span.end()
        try recorder.close()
        #expect(try sink.spans().first?.attributes["k"] == .string("sk-abcdefghijklmnopqrstuvwxyz"))
    }
}
