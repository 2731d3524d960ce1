import GammaModel

/// One series' record line with the time and value left out: `{"type":"counter","ts":` + T +
/// `,"name":"…","labels":{…},"value":` + V + `}`. Built once per handler, so recording a value
/// formats two numbers and copies, without allocating.
struct MetricLineTemplate: Sendable {
    let kind: MetricKind
    let name: String
    let labels: [String: String]
    /// `head` then `tail`, in one allocation that lives as long as the handler (no retain per use).
    private let storage: TemplateBytes
    // Views into `storage`, which is immutable after init and kept alive by this struct.
    nonisolated(unsafe) private let head: UnsafeRawBufferPointer
    nonisolated(unsafe) private let tail: UnsafeRawBufferPointer

    init(kind: MetricKind, name: String, labels: [String: String]) {
        self.kind = kind
        self.name = name
        self.labels = labels
        var w = JSONWriter()
        RecordEncoder.encodeMetric(kind: kind, ts: 0, name: name, labels: labels, value: 0, into: &w)
        // Split the encoded line around its "0" time and "0" value.
        let line = w.bytes
        let tsAt = line.firstIndex(of: UInt8(ascii: "0"))!
        let headBytes = Array(line[..<tsAt])
        let tailBytes = Array(line[(tsAt + 1)..<(line.count - 2)])  // drops the value "0" and the closing "}"
        storage = TemplateBytes(headBytes + tailBytes)
        head = UnsafeRawBufferPointer(rebasing: storage.bytes[..<headBytes.count])
        tail = UnsafeRawBufferPointer(rebasing: storage.bytes[headBytes.count...])
    }

    @inline(__always)
    func emit(ts: Int64, int value: Int64, to recorder: LogRecorder) {
        if let observe = recorder.metricObserver {
            observe(MetricRecord(kind: kind, ts: ts, name: name, labels: labels, value: Double(value)))
        }
        withUnsafeTemporaryAllocation(byteCount: head.count + tail.count + 48, alignment: 1) { buf in
            var p = copy(head, buf, 0)
            p = Digits.write(ts, buf, p)
            p = copy(tail, buf, p)
            p = Digits.write(value, buf, p)
            buf[p] = UInt8(ascii: "}")
            recorder.append(UnsafeRawBufferPointer(rebasing: buf[..<(p + 1)]), timestamp: ts)
        }
    }

    @inline(__always)
    func emit(ts: Int64, double value: Double, to recorder: LogRecorder) {
        if value == value.rounded(.towardZero) && abs(value) < 9_007_199_254_740_992
            && !(value == 0 && value.sign == .minus)
        {
            emit(ts: ts, int: Int64(value), to: recorder)
            return
        }
        if let observe = recorder.metricObserver {
            observe(MetricRecord(kind: kind, ts: ts, name: name, labels: labels, value: value))
        }
        var w = JSONWriter(capacity: 32)
        w.double(value)
        withUnsafeTemporaryAllocation(byteCount: head.count + tail.count + w.count + 24, alignment: 1) { buf in
            var p = copy(head, buf, 0)
            p = Digits.write(ts, buf, p)
            p = copy(tail, buf, p)
            p = w.withBytes { copy($0, buf, p) }
            buf[p] = UInt8(ascii: "}")
            recorder.append(UnsafeRawBufferPointer(rebasing: buf[..<(p + 1)]), timestamp: ts)
        }
    }

    @inline(__always)
    private func copy(_ bytes: UnsafeRawBufferPointer, _ buf: UnsafeMutableRawBufferPointer, _ at: Int) -> Int {
        (buf.baseAddress! + at).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
        return at + bytes.count
    }
}

/// Immutable bytes in one allocation, freed with the last template that uses them.
final class TemplateBytes: Sendable {
    nonisolated(unsafe) let bytes: UnsafeMutableRawBufferPointer  // written once in init, then only read

    init(_ content: [UInt8]) {
        bytes = .allocate(byteCount: max(1, content.count), alignment: 1)
        content.withUnsafeBytes { bytes.copyMemory(from: $0) }
    }

    deinit { bytes.deallocate() }
}
