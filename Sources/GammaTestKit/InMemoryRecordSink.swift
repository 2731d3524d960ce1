public import GammaLog
public import GammaModel
public import GammaRecorder
import Synchronization

/// A ``RecordSink`` that keeps every line in memory, for tests of code that records (as
/// MetricsTestKit's `TestMetrics` and swift-log's in-memory handler are): give a
/// ``LogRecorder`` this sink, run the code, then ask what was recorded, record by record.
///
/// ```swift
/// let sink = InMemoryRecordSink()
/// let recorder = LogRecorder(sink: sink, clock: ManualClock(start: 0))
/// let agent = Agent(..., metrics: GammaMetricsFactory(recorder: recorder), tracer: GammaTracer(recorder: recorder))
/// _ = await agent.run("What is 2 + 2?")
/// #expect(try sink.counterTotal("agent.runs.total", labels: ["outcome": "answered"]) == 1)
/// #expect(try sink.spans(named: "llm.call").count == 1)
/// ```
///
/// On the real clock, a ``GammaTracer`` writes spans off the caller's thread
/// (``GammaTracer/SpanWrites/deferred``): call `recorder.flush()` before asking for them.
///
/// Every line is decoded with the strict ``RecordDecoder``, so a test also fails when the recorder
/// writes a line that is not a valid record.
public final class InMemoryRecordSink: RecordSink {
    public let stream: String
    private let state = Mutex<(lines: [(line: [UInt8], ts: Int64)], closed: Bool)>(([], false))

    public init(stream: String = "memory") { self.stream = stream }

    public func write(_ line: UnsafeRawBufferPointer, timestamp: Int64) throws(LogError) {
        let copy = Array(line)
        let accepted = state.withLock { s -> Bool in
            guard !s.closed else { return false }
            s.lines.append((copy, timestamp))
            return true
        }
        if !accepted { throw LogError.closed }
    }

    public func flush() throws(LogError) {}

    public func close() throws(LogError) { state.withLock { $0.closed = true } }

    /// Whether ``close()`` was called.
    public var isClosed: Bool { state.withLock { $0.closed } }

    /// The lines written so far, in order.
    public var lines: [String] { state.withLock { $0.lines.map { String(decoding: $0.line, as: UTF8.self) } } }

    /// Forgets what was written.
    public func clear() { state.withLock { $0.lines.removeAll() } }

    /// Every record written so far, in order.
    /// - Throws: ``InMemoryRecordSinkError`` naming the first line that is not a record of schema v1.
    public func records() throws -> [Record] {
        let lines = state.withLock { $0.lines }
        var out: [Record] = []
        out.reserveCapacity(lines.count)
        for (index, entry) in lines.enumerated() {
            do {
                guard case .record(let r) = try RecordDecoder.decode(entry.line) else {
                    throw InMemoryRecordSinkError(
                        line: index + 1, text: String(decoding: entry.line, as: UTF8.self),
                        reason: "unknown record type")
                }
                out.append(r)
            } catch let error as InMemoryRecordSinkError {
                throw error
            } catch {
                throw InMemoryRecordSinkError(
                    line: index + 1, text: String(decoding: entry.line, as: UTF8.self), reason: "\(error)")
            }
        }
        return out
    }

    /// The metric records of `name` (every kind), optionally only those with exactly `labels`.
    public func metrics(named name: String, labels: [String: String]? = nil) throws -> [MetricRecord] {
        try records().compactMap { r in
            guard case .metric(let m) = r, m.name == name, labels == nil || m.labels == labels! else { return nil }
            return m
        }
    }

    /// The sum of a counter's increments (with exactly `labels`, or over every label set).
    public func counterTotal(_ name: String, labels: [String: String]? = nil) throws -> Double {
        try metrics(named: name, labels: labels).filter { $0.kind == .counter }.reduce(0) { $0 + $1.value }
    }

    /// A histogram's observations, in the order recorded.
    public func observations(_ name: String, labels: [String: String]? = nil) throws -> [Double] {
        try metrics(named: name, labels: labels).filter { $0.kind == .histogram }.map(\.value)
    }

    /// A gauge's last value, or `nil` if it was never set.
    public func lastGauge(_ name: String, labels: [String: String]? = nil) throws -> Double? {
        try metrics(named: name, labels: labels).last { $0.kind == .gauge }?.value
    }

    /// The spans named `name`, or every span, in the order they ended.
    public func spans(named name: String? = nil) throws -> [SpanRecord] {
        try records().compactMap { r in
            guard case .span(let s) = r, name == nil || s.name == name else { return nil }
            return s
        }
    }
}

/// A line an ``InMemoryRecordSink`` holds that is not a record: its number (from 1), its text and why.
public struct InMemoryRecordSinkError: Error, CustomStringConvertible {
    public var line: Int
    public var text: String
    public var reason: String
    public var description: String { "line \(line) is not a record (\(reason)): \(text)" }
}
