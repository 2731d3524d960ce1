#if canImport(Glibc)
import Glibc
#endif
import CoreMetrics
import CZlib
import GammaLog
import GammaModel
import GammaRecorder
import GammaTestKit
import Metrics
import MetricsTestKit
import Tracing

/// Issue 3, item 5: the recording benchmarks, printed in one run.
struct RecorderBenchmark {
    var runs: Int

    /// Times `batches` batches of `size` calls; returns the median nanoseconds per call.
    /// `between` runs after each batch, untimed.
    func medianPerCall(
        batches: Int = 2000, size: Int = 1000, clock: () -> Double = now, between: () -> Void = {}, _ body: () -> Void
    ) -> Double {
        var perCall: [Double] = []
        perCall.reserveCapacity(batches)
        for _ in 0..<batches {
            let t0 = clock()
            for _ in 0..<size { body() }
            perCall.append((clock() - t0) / Double(size) * 1e9)
            between()
        }
        return median(perCall)
    }

    func freshDirectory() -> String {
        let dir = "/tmp/gamma-bench-rec-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        mkdir(dir, 0o755)
        return dir
    }

    func run() throws {
        try counter()
        try sustained()
        try span()
        try parse()
    }

    func counter() throws {
        let dir = freshDirectory()
        defer { system("rm -rf \(dir)") }
        let recorder = try LogRecorder(directory: dir)
        let gamma = Counter(
            label: "tools.calls.total", dimensions: [("tool", "search")],
            factory: GammaMetricsFactory(recorder: recorder))
        let test = Counter(label: "tools.calls.total", dimensions: [("tool", "search")], factory: TestMetrics())
        var g: [Double] = [], t: [Double] = [], b: [Double] = []
        for _ in 0..<runs {
            // The caller's path: each batch (about 100 KB of lines) fits in the writer's buffer, and
            // the compressor catches up between batches, so nothing waits for compression.
            g.append(medianPerCall(between: { try? recorder.flush() }) { gamma.increment() })
            t.append(medianPerCall { test.increment() })
            // Back to back, the caller waits whenever it outruns the one compressor thread.
            b.append(medianPerCall { gamma.increment() })
        }
        try recorder.close()
        let stats = recorder.writer!.stats
        print("counter increment through swift-metrics (\(runs) runs of 2000 batches of 1000, alternating):")
        print("  into a LogRecorder on disk, the caller's path:  median \(fmt(median(g), 1)) ns (target <= 300)")
        print(
            "  into MetricsTestKit.TestMetrics:             median \(fmt(median(t), 1)) ns, ratio LogRecorder / TestMetrics = \(fmt(median(g) / median(t), 2))"
        )
        print("  into a LogRecorder, back to back (bound by one compressor thread): median \(fmt(median(b), 1)) ns")
        print("  \(stats.linesWritten) lines written, \(stats.droppedLines) dropped")
    }

    /// Both cores: one thread per core recording metric events as fast as it can. Reported twice:
    /// with the default back-pressure (nothing can be dropped; the rate is what the writer sustains),
    /// and in drop mode (what is dropped when producers outrun one compressor thread).
    func sustained() throws {
        let threads = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        let perThread = 2_000_000
        print(
            "sustained recording to disk, level 1, \(threads) recording threads, \(threads * perThread) events a run, \(runs) runs:"
        )
        for overflow in [SegmentWriterOptions.Overflow.block, .drop] {
            var rates: [Double] = []
            var dropped = 0
            for _ in 0..<runs {
                let dir = freshDirectory()
                defer { system("rm -rf \(dir)") }
                var options = SegmentWriterOptions()
                options.overflow = overflow
                options.maxPendingMembers = 64
                let recorder = try LogRecorder(directory: dir, options: options)
                let factory = GammaMetricsFactory(recorder: recorder)
                let t0 = now()
                runOnThreads(threads) { t in
                    let c = Counter(label: "tools.calls.total", dimensions: [("tool", "t\(t)")], factory: factory)
                    let h = Recorder(
                        label: "llm.latency_ms", dimensions: [("model", "m\(t)")], aggregate: true, factory: factory)
                    for i in 0..<perThread {
                        if i & 1 == 0 { c.increment() } else { h.record(Double(i & 1023) * 0.25) }
                    }
                }
                try recorder.close()
                let stats = recorder.writer!.stats
                let seconds = now() - t0
                rates.append(Double(threads * perThread - stats.droppedLines) / seconds)
                dropped += stats.droppedLines
            }
            print(
                "  overflow \(overflow): median \(fmt(median(rates) / 1e6, 3)) million events/s written (target >= 1), \(dropped) dropped in all runs"
            )
        }
    }

    func span() throws {
        let dir = freshDirectory()
        defer { system("rm -rf \(dir)") }
        let recorder = try LogRecorder(directory: dir)
        let tracer = GammaTracer(recorder: recorder)
        let floor = FloorTracer()
        // One body, compiled for each concrete tracer (a generic function was specialized for
        // the floor's in-module type only, which made the comparison unfair).
        @inline(__always) func body<T: Tracer>(_ tracer: T) {
            let span = tracer.startSpan("tool.search", context: .topLevel)
            span.attributes["gen_ai.tool.name"] = "search"
            span.attributes["agent.iteration"] = 3
            span.attributes["gen_ai.usage.input_tokens"] = 120
            span.end()
        }
        @inline(never) func oneSpan(_ tracer: GammaTracer) { body(tracer) }
        @inline(never) func oneSpan(_ tracer: FloorTracer) { body(tracer) }
        var m: [Double] = [], f: [Double] = [], b: [Double] = [], mc: [Double] = [], fc: [Double] = []
        for _ in 0..<runs {
            // As for the counter: the caller's path, the writer drained between batches; then back to back.
            m.append(medianPerCall(batches: 500, size: 200, between: { try? recorder.flush() }) { oneSpan(tracer) })
            f.append(medianPerCall(batches: 500, size: 200) { oneSpan(floor) })
            b.append(medianPerCall(batches: 500, size: 200) { oneSpan(tracer) })
            // The calling thread's CPU time: what a span costs its caller, whatever the recorder's
            // threads take of the two cores meanwhile.
            mc.append(
                medianPerCall(batches: 500, size: 200, clock: threadCPU, between: { try? recorder.flush() }) {
                    oneSpan(tracer)
                })
            fc.append(medianPerCall(batches: 500, size: 200, clock: threadCPU) { oneSpan(floor) })
        }
        try recorder.close()
        print("span started, given three attributes and ended, into a LogRecorder on disk:")
        print("  the caller's path: median \(fmt(median(m) / 1000, 3)) µs (target <= 1.5)")
        print("  back to back: median \(fmt(median(b) / 1000, 3)) µs")
        print(
            "  the API's floor (FloorTracer: context, locked attributes, nothing recorded): median \(fmt(median(f) / 1000, 3)) µs, ratio back to back / floor = \(fmt(median(b) / median(f)))"
        )
        print(
            "  the caller's CPU time per span: Gamma \(fmt(median(mc) / 1000, 3)) µs, floor \(fmt(median(fc) / 1000, 3)) µs, ratio \(fmt(median(mc) / median(fc))) (target <= 1.3)"
        )
    }

    /// Parsing the reference records against inflating them, one core each.
    /// Lines are scanned where they lie in one buffer, as replay finds them in an inflated member.
    func parse(megabytes: Int = 150) throws {
        var gen = ReferenceRecords()
        var lines: [Range<Int>] = []
        var text: [UInt8] = []
        text.reserveCapacity(megabytes * 1_000_000 + 4096)
        while text.count < megabytes * 1_000_000 {
            let (line, _) = gen.line()
            let start = text.count
            text += line.utf8
            lines.append(start..<text.count)
            text.append(0x0A)
        }
        // Members of 128 KiB at level 1, as the writer makes them.
        var members: [[UInt8]] = []
        var sizes: [Int] = []
        var offset = 0
        while offset < text.count {
            var end = min(text.count, offset + 128 << 10)
            while end < text.count && text[end - 1] != 0x0A { end += 1 }
            members.append(Array(text[offset..<end]).withUnsafeBytes { deflateRaw($0) })
            sizes.append(end - offset)
            offset = end
        }
        var inflateTimes: [Double] = [], viewTimes: [Double] = [], decodeTimes: [Double] = []
        for _ in 0..<runs {
            let t0 = now()
            var total = 0
            for (i, m) in members.enumerated() { total += inflateRaw(m, size: sizes[i]) }
            inflateTimes.append(now() - t0)
            precondition(total == text.count)

            let t1 = now()
            var view = RecordView()
            var kinds = 0
            text.withUnsafeBytes { all in
                for line in lines {
                    do throws(RecordDecodingError) {
                        try RecordView.scan(UnsafeRawBufferPointer(rebasing: all[line]), into: &view)
                    } catch { fatalError("\(error)") }
                    kinds &+= Int(view.kind.rawValue)
                }
            }
            viewTimes.append(now() - t1)
            precondition(kinds > 0)

            let t2 = now()
            var decoded = 0
            try text.withUnsafeBytes { all in
                for line in lines {
                    if case .record = try RecordDecoder.decode(UnsafeRawBufferPointer(rebasing: all[line])) {
                        decoded += 1
                    }
                }
            }
            decodeTimes.append(now() - t2)
            precondition(decoded == lines.count)
        }
        let inf = median(inflateTimes), view = median(viewTimes), dec = median(decodeTimes)
        let mb = Double(text.count) / 1e6
        print("parsing vs inflating \(lines.count) reference records (\(Int(mb)) MB of JSON), one core, \(runs) runs:")
        print("  inflate (zlib, 128 KiB members):   median \(fmt(inf)) s, \(fmt(mb / inf, 1)) MB/s")
        print(
            "  RecordView.scan (validating, no allocation): median \(fmt(view)) s, \(fmt(mb / view, 1)) MB/s, ratio to inflate = \(fmt(view / inf)) (target <= 0.5)"
        )
        print(
            "  RecordDecoder.decode (full records):         median \(fmt(dec)) s, \(fmt(mb / dec, 1)) MB/s, ratio to inflate = \(fmt(dec / inf))"
        )
    }

    func deflateRaw(_ input: UnsafeRawBufferPointer) -> [UInt8] {
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        defer { deflateEnd(s); s.deallocate() }
        precondition(czlib_deflate_init2(s, 1, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK)
        var out = [UInt8](repeating: 0, count: Int(deflateBound(s, uLong(input.count))) + 64)
        let n = out.withUnsafeMutableBytes { o -> Int in
            s.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress!.assumingMemoryBound(to: Bytef.self))
            s.pointee.avail_in = uInt(input.count)
            s.pointee.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
            s.pointee.avail_out = uInt(o.count)
            precondition(deflate(s, Z_FINISH) == Z_STREAM_END)
            return Int(s.pointee.total_out)
        }
        return Array(out[..<n])
    }

    func inflateRaw(_ member: [UInt8], size: Int) -> Int {
        let s = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        s.initialize(to: z_stream())
        defer { inflateEnd(s); s.deallocate() }
        precondition(czlib_inflate_init2(s, -15) == Z_OK)
        var out = [UInt8](repeating: 0, count: size)
        return member.withUnsafeBytes { i in
            out.withUnsafeMutableBytes { o in
                s.pointee.next_in = UnsafeMutablePointer(mutating: i.baseAddress!.assumingMemoryBound(to: Bytef.self))
                s.pointee.avail_in = uInt(i.count)
                s.pointee.next_out = o.baseAddress!.assumingMemoryBound(to: Bytef.self)
                s.pointee.avail_out = uInt(o.count)
                precondition(inflate(s, Z_FINISH) == Z_STREAM_END)
                return Int(s.pointee.total_out)
            }
        }
    }
}
