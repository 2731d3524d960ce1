#if canImport(Glibc)
import Glibc
#endif
import GammaLog

/// Issue 2, item 8: reading every line of a folder with both cores takes at most 0.4x the wall time
/// of `gzip -dc` on the same segments to /dev/null.
struct LogReadBenchmark {
    var directory: String
    var runs: Int
    var gammaLog: String?

    func run() throws {
        let files = "\(directory)/*.jsonl.gz"
        var gzipTimes: [Double] = [], readerTimes: [Double] = [], catTimes: [Double] = []
        var lines = 0, bytes = 0
        let workers = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        for _ in 0..<runs {
            let (g, status) = timeShell("gzip -dc \(files) > /dev/null")
            precondition(status == 0, "gzip -dc failed")
            gzipTimes.append(g)

            let t0 = now()
            var n = 0, b = 0
            let summary = try LogReader(paths: [directory]).forEachLine { line in
                n += 1
                b += line.withBytes { $0.count } + 1
            }
            readerTimes.append(now() - t0)
            precondition(summary.damages.isEmpty, "damage in the benchmark data: \(summary.damages)")
            lines = n
            bytes = b

            if let gammaLog {
                let (c, s) = timeShell("\(gammaLog) cat \(directory) > /dev/null")
                precondition(s == 0, "gamma-log cat failed")
                catTimes.append(c)
            }
        }
        let g = median(gzipTimes), r = median(readerTimes)
        print(
            "log-read: \(lines) lines, \(bytes / 1_000_000) MB of JSON, \(runs) runs each, alternating, \(workers) cores"
        )
        print("  gzip -dc > /dev/null:            median \(fmt(g)) s (\(fmt(Double(bytes) / g / 1e6, 1)) MB/s)")
        print(
            "  LogReader.forEachLine, \(workers) workers: median \(fmt(r)) s (\(fmt(Double(bytes) / r / 1e6, 1)) MB/s)")
        print("  ratio LogReader / gzip -dc = \(fmt(r / g)) (target <= 0.4)")
        if !catTimes.isEmpty {
            let c = median(catTimes)
            print("  gamma-log cat > /dev/null:       median \(fmt(c)) s; ratio to gzip -dc = \(fmt(c / g))")
        }
    }
}
