#if canImport(Glibc)
import Glibc
#endif
import GammaLog

/// gamma-bench: the benchmarks of the issues, printing medians and ratios measured in one run.
///
///   gamma-bench make-data DIR [--mb N]          write the reference dataset (Gamma segments, level 1)
///   gamma-bench log-write [--mb N] [--runs R]   SegmentWriter vs zlib's own deflate, same bytes, level 1
///   gamma-bench log-read DIR [--runs R] [--gamma-log PATH]
///                                               LogReader (all cores) and gamma-log cat vs gzip -dc
///   gamma-bench recorder [--runs R]             counter, sustained rate, span, parse vs inflate
///   gamma-bench record-spelling CANONICAL_DIR FOREIGN_DIR [--runs R]
///                                               RecordView.scan per record type, two spellings of one set of records
///   gamma-bench simulate [--runs R] [--agent-runs N]
///                                               simulated runs per second, recorded by Gamma vs no-op backends
@main
enum GammaBench {
    static func main() async throws {
        var args = Array(CommandLine.arguments.dropFirst())
        guard let command = args.first else { usage() }
        args.removeFirst()
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else {
                return fallback
            }
            args.removeSubrange(i...(i + 1))
            return v
        }
        func stringOption(_ name: String) -> String? {
            guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
            defer { args.removeSubrange(i...(i + 1)) }
            return args[i + 1]
        }
        switch command {
        case "make-data":
            let mb = option("--mb", 700)
            guard let dir = args.first else { usage() }
            try makeData(dir: dir, megabytes: mb)
        case "log-write":
            try LogWriteBenchmark(megabytes: option("--mb", 512), runs: option("--runs", 3)).run()
        case "log-read":
            let runs = option("--runs", 3)
            let gammaLog = stringOption("--gamma-log")
            guard let dir = args.first else { usage() }
            try LogReadBenchmark(directory: dir, runs: runs, gammaLog: gammaLog).run()
        case "recorder":
            try RecorderBenchmark(runs: option("--runs", 3)).run()
        case "recorder-counter":
            try RecorderBenchmark(runs: option("--runs", 3)).counter()
        case "recorder-span":
            try RecorderBenchmark(runs: option("--runs", 3)).span()
        case "recorder-sustained":
            try RecorderBenchmark(runs: option("--runs", 3)).sustained()
        case "recorder-parse":
            try RecorderBenchmark(runs: option("--runs", 3)).parse(megabytes: option("--mb", 150))
        case "record-spelling":
            let runs = option("--runs", 5)
            guard args.count == 2 else { usage() }
            try SpellingBenchmark(canonical: args[0], foreign: args[1], runs: runs).run()
        case "simulate":
            try await SimulationBenchmark(runs: option("--runs", 3), agentRuns: option("--agent-runs", 20_000)).run()
        default:
            usage()
        }
    }

    static func usage() -> Never {
        print(
            "usage: gamma-bench make-data DIR [--mb N] | log-write [--mb N] [--runs R] | log-read DIR [--runs R] [--gamma-log PATH] | recorder [--runs R] | simulate [--runs R] [--agent-runs N]"
        )
        exit(64)
    }

    /// Writes about `megabytes` MB of reference records (uncompressed JSON) as Gamma segments.
    static func makeData(dir: String, megabytes: Int) throws {
        mkdir(dir, 0o755)
        var gen = ReferenceRecords()
        var options = SegmentWriterOptions()
        options.durability = .never
        let writer = try SegmentWriter(directory: dir, stream: "reference", options: options)
        var bytes = 0, records = 0
        while bytes < megabytes * 1_000_000 {
            let (line, ts) = gen.line()
            try writer.append(line, timestamp: ts)
            bytes += line.utf8.count + 1
            records += 1
        }
        let stats = try writer.close()
        print(
            "wrote \(records) records, \(bytes / 1_000_000) MB of JSON lines, \(stats.bytesWritten / 1_000_000) MB compressed in \(stats.segmentsCreated) segments to \(dir)"
        )
    }
}
