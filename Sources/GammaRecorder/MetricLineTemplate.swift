import GammaModel

/// One series' record line with the time and value left out: `{"type":"counter","ts":` + T +
/// `,"name":"…","labels":{…},"value":` + V + `}`. Built once per handler, so recording a value
/// formats two numbers and copies, without allocating.
struct MetricLineTemplate: Sendable {
    let kind: MetricKind
    let name: String
    let labels: [String: String]
    private let head: [UInt8]
    private let tail: [UInt8]

    init(kind: MetricKind, name: String, labels: [String: String]) {
        self.kind = kind
        self.name = name
        self.labels = labels
        var w = JSONWriter()
        RecordEncoder.encodeMetric(kind: kind, ts: 0, name: name, labels: labels, value: 0, into: &w)
        // Split the encoded line around its "0" time and "0" value.
        let line = w.bytes
        let tsAt = line.firstIndex(of: UInt8(ascii: "0"))!
        head = Array(line[..<tsAt])
        tail = Array(line[(tsAt + 1)..<(line.count - 2)])  // drops the value "0" and the closing "}"
    }

    @inline(__always)
    func emit(ts: Int64, int value: Int64, to recorder: Recorder) {
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
    func emit(ts: Int64, double value: Double, to recorder: Recorder) {
        if value == value.rounded(.towardZero) && abs(value) < 9_007_199_254_740_992 && !(value == 0 && value.sign == .minus) {
            emit(ts: ts, int: Int64(value), to: recorder)
            return
        }
        var w = JSONWriter(capacity: 32)
        w.double(value)
        withUnsafeTemporaryAllocation(byteCount: head.count + tail.count + w.bytes.count + 24, alignment: 1) { buf in
            var p = copy(head, buf, 0)
            p = Digits.write(ts, buf, p)
            p = copy(tail, buf, p)
            p = copy(w.bytes, buf, p)
            buf[p] = UInt8(ascii: "}")
            recorder.append(UnsafeRawBufferPointer(rebasing: buf[..<(p + 1)]), timestamp: ts)
        }
    }

    @inline(__always)
    private func copy(_ bytes: [UInt8], _ buf: UnsafeMutableRawBufferPointer, _ at: Int) -> Int {
        bytes.withUnsafeBytes { (buf.baseAddress! + at).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return at + bytes.count
    }
}

/// Decimal digits of an integer, into a buffer.
enum Digits {
    @inline(__always)
    static func write(_ v: Int64, _ buf: UnsafeMutableRawBufferPointer, _ at: Int) -> Int {
        var p = at
        var n: UInt64
        if v < 0 {
            buf[p] = UInt8(ascii: "-")
            p += 1
            n = v == .min ? UInt64(Int64.max) + 1 : UInt64(-v)
        } else {
            n = UInt64(v)
        }
        var digits = 1
        var t = n
        while t >= 10 { t /= 10; digits += 1 }
        var i = p + digits - 1
        repeat {
            buf[i] = 0x30 + UInt8(n % 10)
            n /= 10
            i -= 1
        } while n > 0
        return p + digits
    }
}
