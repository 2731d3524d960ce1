#if canImport(Glibc)
import Glibc
#endif
import GammaLog
import CZlib

/// Issue 2, item 8: writing at level 1 takes at most 1.2x the time zlib's own deflate needs for the same bytes.
struct LogWriteBenchmark {
    var megabytes: Int
    var runs: Int

    func run() throws {
        var gen = ReferenceRecords()
        var text: [UInt8] = []
        text.reserveCapacity(megabytes * 1_000_000 + 4096)
        var lines: [(start: Int, end: Int, ts: Int64)] = []
        while text.count < megabytes * 1_000_000 {
            let (line, ts) = gen.line()
            let start = text.count
            text.append(contentsOf: line.utf8)
            lines.append((start, text.count, ts))
            text.append(0x0A)
        }
        print(
            "log-write: \(lines.count) records, \(text.count / 1_000_000) MB of JSON lines, \(runs) runs each, alternating"
        )
        var zlibTimes: [Double] = [], writerTimes: [Double] = []
        var compressed = 0, written: Int64 = 0
        for _ in 0..<runs {
            let t0 = now()
            compressed = deflateAll(text)
            zlibTimes.append(now() - t0)

            let dir = "/tmp/gamma-bench-write-\(getpid())"
            mkdir(dir, 0o755)
            var options = SegmentWriterOptions()
            options.compressionLevel = 1
            let t1 = now()
            let writer = try SegmentWriter(directory: dir, stream: "bench", options: options)
            try text.withUnsafeBytes { all in
                for l in lines {
                    try writer.append(UnsafeRawBufferPointer(rebasing: all[l.start..<l.end]), timestamp: l.ts)
                }
            }
            let stats = try writer.close()
            writerTimes.append(now() - t1)
            written = stats.bytesWritten
            system("rm -rf \(dir)")
        }
        let z = median(zlibTimes), w = median(writerTimes)
        print(
            "  zlib deflate level 1, one stream in memory: median \(fmt(z)) s (\(fmt(Double(text.count) / z / 1e6, 1)) MB/s), \(compressed / 1_000_000) MB"
        )
        print(
            "  SegmentWriter level 1 to disk (append per line): median \(fmt(w)) s (\(fmt(Double(text.count) / w / 1e6, 1)) MB/s), \(written / 1_000_000) MB, \(fmt(Double(w) / Double(lines.count) * 1e9, 0)) ns/record"
        )
        print("  ratio SegmentWriter / zlib = \(fmt(w / z)) (target <= 1.2)")
    }

    /// zlib's own deflate at level 1 over all the bytes, as gzip -1 would, without file I/O.
    func deflateAll(_ text: [UInt8]) -> Int {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { deflateEnd(stream); stream.deallocate() }
        precondition(czlib_deflate_init2(stream, 1, 31, 8, Z_DEFAULT_STRATEGY) == Z_OK)
        var out = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        text.withUnsafeBytes { input in
            stream.pointee.next_in = UnsafeMutablePointer(
                mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
            stream.pointee.avail_in = uInt(input.count)
            var rc = Z_OK
            while rc != Z_STREAM_END {
                out.withUnsafeMutableBytes { o in
                    stream.pointee.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(o.count)
                    rc = deflate(stream, Z_FINISH)
                    total += o.count - Int(stream.pointee.avail_out)
                }
            }
        }
        return total
    }
}
