public import GammaLog

// MARK: - Library SPI, implemented by sinks

/// Where a ``LogRecorder`` sends its records, as encoded lines: the segment writer of a log folder
/// (``SegmentSink``), or anything else that keeps them (GammaTestKit's `InMemoryRecordSink`).
///
/// Implementation requirements:
/// - ``write(_:timestamp:)`` is called from any thread, concurrently, on the recording path of
///   every metric and span: it must be quick, must not block on I/O, and must not call back into
///   the recorder.
/// - A line is one record as ``GammaModel/RecordEncoder`` wrote it: valid JSON, no newline. The
///   bytes are valid only during the call: copy what you keep.
/// - A sink reports failure by throwing; the recorder counts each failed record and throws the
///   first error from ``LogRecorder/close()``.
public protocol RecordSink: Sendable {
    /// The stream id the records belong to (named in the resource record).
    var stream: String { get }
    /// Takes one record's line, with its time (nanoseconds since the epoch).
    func write(_ line: UnsafeRawBufferPointer, timestamp: Int64) throws(LogError)
    /// Returns once everything written before it is stored.
    func flush() throws(LogError)
    /// Flushes and releases what the sink holds; nothing is written after it.
    func close() throws(LogError)
}

/// The sink of a log folder: a ``SegmentWriter``, whose segments each open with the recorder's
/// resource and meta records.
public struct SegmentSink: RecordSink {
    public let writer: SegmentWriter

    public init(writer: SegmentWriter) { self.writer = writer }

    public var stream: String { writer.stream }

    @inline(__always)
    public func write(_ line: UnsafeRawBufferPointer, timestamp: Int64) throws(LogError) {
        // Encoded records never hold a raw newline; lines over the writer's limit are its to reject.
        if line.count > writer.options.maxLineBytes {
            try writer.append(line, timestamp: timestamp)
        } else {
            try writer.appendTrusted(line, timestamp: timestamp)
        }
    }

    public func flush() throws(LogError) { try writer.flush() }

    public func close() throws(LogError) { _ = try writer.close() }
}
