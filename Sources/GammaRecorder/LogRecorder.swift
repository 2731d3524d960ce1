public import GammaLog
public import GammaModel
import Synchronization

/// Records metrics and spans: the user-facing API under the metrics and tracing backends.
///
/// It encodes each record into a line and hands it to its ``RecordSink``: a log folder's
/// ``SegmentWriter`` (``init(directory:stream:resource:clock:redaction:options:metricObserver:)``),
/// where compression and I/O stay on the log's background thread, or any other sink
/// (``init(sink:resource:clock:redaction:metricObserver:)``), such as GammaTestKit's in-memory one.
/// Safe to call from any thread. In a log folder, every segment starts with the resource record and
/// the meta records of every name known so far, so any one segment can be read on its own; another
/// sink gets the resource record first.
///
/// Recording never throws (metrics and tracing APIs cannot); a failed append is counted in
/// ``failedRecords`` and its first error is thrown by ``close()``.
public final class LogRecorder: Sendable {
    public let sink: any RecordSink
    /// The log folder's writer, when recording into one.
    public let writer: SegmentWriter?
    public let clock: any EpochClock
    public let redaction: Redaction
    public let resource: Attributes

    private struct State {
        var metas: [String: MetaRecord] = [:]
        var metaOrder: [String] = []
        var failed = 0
        var firstError: LogError?
    }
    /// A class around the Mutex, so the writer's preamble closure can share it.
    private final class Shared: Sendable {
        let state = Mutex(State())
    }
    private let shared: Shared
    /// Ended spans waiting for their records to be written, off the caller's path.
    let deferredSpans = DeferredSpans()
    /// Sees every metric record as it is recorded, on the recording thread (live alerting's feed).
    public let metricObserver: (@Sendable (MetricRecord) -> Void)?

    /// Opens a new stream in `directory`.
    /// - Parameters:
    ///   - resource: attributes of the process (`service.name`, …); `host.name` and `process.pid` are added.
    ///   - clock: where record times come from (``SystemClock`` by default).
    ///   - metricObserver: called with every metric record as it is recorded, on the recording
    ///     thread: it must be quick (live alerting takes its samples this way).
    /// - Throws: ``LogError`` if the folder cannot be written.
    public init(
        directory: String, stream: String? = nil, resource: Attributes = [:], clock: any EpochClock = SystemClock(),
        redaction: Redaction = .init(), options: SegmentWriterOptions = .init(),
        metricObserver: (@Sendable (MetricRecord) -> Void)? = nil
    ) throws(LogError) {
        let shared = Shared()
        var resourceAttributes = redaction.apply(resource)
        if resourceAttributes["host.name"] == nil { resourceAttributes["host.name"] = .string(ProcFS.hostName()) }
        if resourceAttributes["process.pid"] == nil { resourceAttributes["process.pid"] = .int(Int64(ProcFS.pid())) }
        var options = options
        let streamID = stream ?? SegmentWriter.makeStreamID()
        let fixed = resourceAttributes
        options.segmentPreamble = { now in
            var lines = [
                (RecordEncoder.encode(.resource(ResourceRecord(ts: now, stream: streamID, attributes: fixed))), now)
            ]
            let metas = shared.state.withLock { s in s.metaOrder.map { s.metas[$0]! } }
            for var meta in metas {
                meta.ts = now
                lines.append((RecordEncoder.encode(.meta(meta)), now))
            }
            return lines
        }
        let writer = try SegmentWriter(directory: directory, stream: streamID, options: options)
        self.writer = writer
        self.sink = SegmentSink(writer: writer)
        self.clock = clock
        self.redaction = redaction
        self.resource = resourceAttributes
        self.shared = shared
        self.metricObserver = metricObserver
    }

    /// Records into `sink`, starting with the resource record.
    /// - Parameters:
    ///   - resource: attributes of the process (`service.name`, …); `host.name` and `process.pid` are added.
    ///   - metricObserver: as for a log folder.
    public init(
        sink: any RecordSink, resource: Attributes = [:], clock: any EpochClock = SystemClock(),
        redaction: Redaction = .init(), metricObserver: (@Sendable (MetricRecord) -> Void)? = nil
    ) {
        var resourceAttributes = redaction.apply(resource)
        if resourceAttributes["host.name"] == nil { resourceAttributes["host.name"] = .string(ProcFS.hostName()) }
        if resourceAttributes["process.pid"] == nil { resourceAttributes["process.pid"] = .int(Int64(ProcFS.pid())) }
        self.sink = sink
        self.writer = nil
        self.clock = clock
        self.redaction = redaction
        self.resource = resourceAttributes
        self.shared = Shared()
        self.metricObserver = metricObserver
        let now = clock.now()
        append(
            RecordEncoder.encode(
                .resource(ResourceRecord(ts: now, stream: sink.stream, attributes: resourceAttributes))), timestamp: now
        )
    }

    deinit { deferredSpans.stop() }  // nothing is queued (a queued span keeps its recorder): this ends the thread

    /// The stream id of this recorder's records.
    public var stream: String { sink.stream }

    /// Records `record` (attributes are redacted per ``redaction``).
    public func record(_ record: Record) {
        var record = record
        switch record {
        case .span(var span):
            var redacted = 0
            (span.attributes, redacted) = redaction.applyCounting(span.attributes)
            for i in span.events.indices {
                let (a, n) = redaction.applyCounting(span.events[i].attributes)
                span.events[i].attributes = a
                redacted += n
            }
            for i in span.links.indices {
                let (a, n) = redaction.applyCounting(span.links[i].attributes)
                span.links[i].attributes = a
                redacted += n
            }
            if let m = span.statusMessage {
                let (t, n) = redaction.applyCounting(text: m)
                span.statusMessage = t
                redacted += n
            }
            if redacted > 0 { span.attributes[Redaction.redactedCountKey] = .int(Int64(redacted)) }
            record = .span(span)
        case .alert(var alert):
            for (k, v) in alert.labels {
                let (t, n) = redaction.applyCounting(text: v)
                if n > 0 { alert.labels[k] = t }
            }
            record = .alert(alert)
        default:
            break
        }
        if case .metric(let m) = record {
            declare(m.name, kind: m.kind)
            metricObserver?(m)
        }
        append(RecordEncoder.encode(record), timestamp: record.ts)
    }

    /// Declares a metric name: its kind, unit and help. Writes a meta record the first time a name is
    /// declared (or used), and again at the head of every later segment. Later declarations add a unit
    /// or help not given before.
    public func declare(_ name: String, kind: MetricKind, unit: String? = nil, help: String? = nil) {
        let now = clock.now()
        let meta: MetaRecord? = shared.state.withLock { s in
            if var known = s.metas[name] {
                guard (known.unit == nil && unit != nil) || (known.help == nil && help != nil) else { return nil }
                known.unit = known.unit ?? unit
                known.help = known.help ?? help
                known.ts = now
                s.metas[name] = known
                return known
            }
            let meta = MetaRecord(ts: now, name: name, kind: kind, unit: unit, help: help)
            s.metas[name] = meta
            s.metaOrder.append(name)
            return meta
        }
        if let meta { append(RecordEncoder.encode(.meta(meta)), timestamp: now) }
    }

    /// Appends an encoded line. The metric handlers' fast path.
    @inline(__always)
    func append(_ line: UnsafeRawBufferPointer, timestamp: Int64) {
        do throws(LogError) {
            try sink.write(line, timestamp: timestamp)
        } catch {
            noteFailure(error)
        }
    }

    func append(_ line: [UInt8], timestamp: Int64) {
        line.withUnsafeBytes { append($0, timestamp: timestamp) }
    }

    private func noteFailure(_ error: LogError) {
        shared.state.withLock { s in
            s.failed += 1
            if s.firstError == nil { s.firstError = error }
        }
    }

    /// Records that could not be appended (each failure's first error is thrown by ``close()``).
    public var failedRecords: Int { shared.state.withLock { $0.failed } }

    /// Writes what was recorded so far; returns when it is on disk (in the page cache, or synced per the writer's durability).
    public func flush() throws(LogError) {
        deferredSpans.drain()
        try sink.flush()
    }

    /// Flushes and closes the sink (for a log folder: seals the segment and stops the writer;
    /// ``writer``'s `stats` then say what was written).
    /// - Throws: the first recording or writing error, if any happened.
    public func close() throws(LogError) {
        deferredSpans.stop()
        try sink.close()
        if let error = shared.state.withLock({ $0.firstError }) { throw error }
    }
}
