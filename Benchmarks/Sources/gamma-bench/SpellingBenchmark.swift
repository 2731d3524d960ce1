import GammaLog
import GammaModel

/// Issue 17's per-record target: a line spelled by another writer (key order, whitespace,
/// unsorted map keys, events and links, escapes) costs at most 2x the canonical line of the same
/// record, for every record type. Reads the two spellings of one set of records
/// (`scripts/checkers/foreign_data.py`, with and without `--canonical`), and times
/// `RecordView.scan` over each type's lines, in memory, alternating, medians.
struct SpellingBenchmark {
    let canonical: String
    let foreign: String
    let runs: Int

    /// The lines of a folder by record kind (from the canonical reading of the type).
    static func linesByKind(_ dir: String) throws -> [RecordView.Kind: [[UInt8]]] {
        var out: [RecordView.Kind: [[UInt8]]] = [:]
        let reader = try LogReader(paths: [dir])
        var view = RecordView()
        _ = try reader.forEachLine { line in
            let bytes = line.withBytes { Array($0) }
            let kind: RecordView.Kind =
                bytes.withUnsafeBytes { b in (try? RecordView.scan(b, into: &view)) != nil ? view.kind : .unknown }
            out[kind, default: []].append(bytes)
        }
        return out
    }

    /// Nanoseconds per line to scan `lines`, one pass.
    static func scan(_ lines: [[UInt8]]) -> Double {
        var view = RecordView()
        var accepted = 0
        let t0 = now()
        for line in lines {
            line.withUnsafeBytes { b in if (try? RecordView.scan(b, into: &view)) != nil { accepted += 1 } }
        }
        let t = now() - t0
        precondition(accepted == lines.count, "every line of the benchmark is a valid record")
        return t * 1e9 / Double(lines.count)
    }

    func run() throws {
        let c = try Self.linesByKind(canonical), f = try Self.linesByKind(foreign)
        print("RecordView.scan, ns per line, medians of \(runs) alternating runs (target: foreign <= 2x canonical):")
        for kind in [RecordView.Kind.histogram, .counter, .span] {
            guard let cl = c[kind], let fl = f[kind], cl.count == fl.count else {
                print("  \(kind): the two folders do not hold the same records")
                continue
            }
            var tc: [Double] = [], tf: [Double] = []
            for _ in 0..<runs {
                tc.append(Self.scan(cl))
                tf.append(Self.scan(fl))
            }
            let mc = median(tc), mf = median(tf)
            let bytesC = cl.reduce(0) { $0 + $1.count } / cl.count, bytesF = fl.reduce(0) { $0 + $1.count } / fl.count
            print(
                "  \(kind) (\(cl.count) lines, \(bytesC) vs \(bytesF) bytes): canonical \(fmt(mc, 1)) ns, "
                    + "foreign \(fmt(mf, 1)) ns, ratio \(fmt(mf / mc, 2))")
        }
    }
}
