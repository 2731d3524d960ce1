import Foundation
import GammaLog
import GammaTestKit
import Testing

/// `gamma-log import` on files Gamma did not write: lines in other key orders, with whitespace,
/// invalid lines among them, gzip and not compressed, and a damaged gzip member.
@Suite struct ImportTests {
    /// Hand-written lines, as another program spells them; lines 3 and 5 are not records.
    static let lines = [
        #"{"name": "llm.latency_ms", "value": 120.5, "labels": {"model": "m1"}, "ts": 1780000000000000000, "type": "histogram"}"#,
        #"{ "ts" : 1780000001000000000 , "type" : "counter" , "labels" : { "tool" : "search" } , "name" : "tool.calls" , "value" : 1 }"#,
        #"{"type": "counter", "ts": -5, "name": "tool.calls", "value": 1}"#,
        #"{"trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331", "name": "agent.run", "start": 1780000000500000000, "end": 1780000002000000000, "ts": 1780000002000000000, "type": "span", "attributes": {"z": 1, "a": "x\u00e9"}, "events": [], "links": []}"#,
        #"not json at all"#,
        #"{"type": "histogram", "ts": 1780000003000000000, "name": "llm.latency_ms", "labels": {"model": "m1"}, "value": 99}"#
    ]

    @Test func importKeepsEveryValidLineAndNamesEachInvalidOne() throws {
        let dir = TemporaryDirectory(prefix: "gamma-import")
        defer { dir.remove() }
        // Not compressed, and without a final newline; and the same lines gzipped by gzip.
        Files.write(dir.file("plain.jsonl"), Array(Self.lines.joined(separator: "\n").utf8))
        let gz = try Executables.shell(
            "cd '\(dir.path)' && (cat plain.jsonl; echo) | gzip > other.gz && cp other.gz copy.gz")
        #expect(gz.status == 0)
        let r = try Executables.run(
            "gamma-log", ["import", dir.file("plain.jsonl"), dir.file("other.gz"), "--log", dir.file("log")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("imported 8 lines of 2 files into"), "\(r.stdout)")
        #expect(r.stdout.contains("4 invalid lines left out"))
        #expect(r.stderr.contains("plain.jsonl: line 3 (byte "), "\(r.stderr)")
        #expect(r.stderr.contains("must not be negative"))
        #expect(r.stderr.contains("plain.jsonl: line 5 (byte "))
        #expect(r.stderr.contains("other.gz: line 3: not a record"))

        // The lines are the valid ones, byte for byte, in order; the headers carry their times.
        let (read, summary) = try Fixtures.readAll([dir.file("log")])
        let valid = [0, 1, 3, 5].map { Self.lines[$0] }
        #expect(read == valid + valid)
        #expect(summary.damages.isEmpty)
        let verify = try Executables.run("gamma-log", ["verify", "--records", dir.file("log")])
        #expect(verify.status == 0 && verify.stdout.contains("every line a record"))
        let ls = try Executables.run("gamma-log", ["ls", dir.file("log")])
        #expect(ls.stdout.contains("2026-05-28T20:26:40") && ls.stdout.contains("2026-05-28T20:26:43"), "\(ls.stdout)")

        // The same figures from the import as from the same lines read from gzip files (the
        // replay tools read logs and gzip, not uncompressed files).
        let fromFiles = try Executables.run(
            "gamma-report", ["--format", "json", dir.file("copy.gz"), dir.file("other.gz")])
        let fromImport = try Executables.run("gamma-report", ["--format", "json", dir.file("log")])
        func series(_ json: String) -> String { String(json[json.range(of: "\"series\"")!.lowerBound...]) }
        #expect(fromImport.status == 0 && series(fromImport.stdout) == series(fromFiles.stdout))

        // --strict: the invalid lines fail the run (the valid ones are still imported).
        let strict = try Executables.run(
            "gamma-log", ["import", "--strict", dir.file("plain.jsonl"), "--log", dir.file("log2")])
        #expect(strict.status == 1 && strict.stderr.contains("(--strict)"), "\(strict.stderr)")
    }

    @Test func aDamagedMemberGivesNoLineAndNothingIsNotAnImport() throws {
        let dir = TemporaryDirectory(prefix: "gamma-import")
        defer { dir.remove() }
        var text = ""
        for i in 0..<20_000 {
            text +=
                #"{"value": \#(i), "type": "gauge", "name": "queue.depth", "ts": \#(1_780_000_000_000_000_000 + i)}"#
            text += "\n"
        }
        Files.write(dir.file("g.jsonl"), Array(text.utf8))
        #expect(try Executables.shell("cd '\(dir.path)' && gzip -k g.jsonl").status == 0)
        var bytes = Files.read(dir.file("g.jsonl.gz"))
        bytes[bytes.count / 2] ^= 0x40
        Files.write(dir.file("g.jsonl.gz"), bytes)
        let r = try Executables.run("gamma-log", ["import", dir.file("g.jsonl.gz"), "--log", dir.file("log")])
        #expect(r.status == 2, "\(r.stdout) \(r.stderr)")
        #expect(r.stderr.contains("g.jsonl.gz at byte") && r.stderr.contains("nothing imported"), "\(r.stderr)")
        let left = (try? FileManager.default.contentsOfDirectory(atPath: dir.file("log"))) ?? []
        #expect(left.filter { $0.hasSuffix(".gz") }.isEmpty, "no segment is left behind: \(left)")

        let folder = try Executables.run("gamma-log", ["import", dir.path, "--log", dir.file("log")])
        #expect(folder.status == 2 && folder.stderr.contains("is a folder"))
    }
}

extension ImportTests {
    /// A source that cannot be read is named before anything is written; a failure part way
    /// (a line longer than any record may be) keeps what was imported, sealed, and leaves no lock.
    @Test func failuresLeaveNoHalfWrittenStream() throws {
        let dir = TemporaryDirectory(prefix: "gamma-import")
        defer { dir.remove() }
        Files.write(dir.file("a.jsonl"), Array((Self.lines[0] + "\n").utf8))
        let missing = try Executables.run(
            "gamma-log", ["import", dir.file("a.jsonl"), dir.file("nosuch.jsonl"), "--log", dir.file("log")])
        #expect(missing.status == 2 && missing.stderr.contains("nosuch.jsonl"), "\(missing.stderr)")
        #expect(Files.names(in: dir.file("log")).isEmpty, "\(Files.names(in: dir.file("log")))")

        Files.write(dir.file("huge.jsonl"), [UInt8](repeating: UInt8(ascii: "x"), count: 17 << 20))
        let huge = try Executables.run(
            "gamma-log", ["import", dir.file("a.jsonl"), dir.file("huge.jsonl"), "--log", dir.file("log2")])
        #expect(huge.status == 1 && huge.stderr.contains("longer than"), "\(huge.stderr)")
        let left = Files.names(in: dir.file("log2"))
        #expect(!left.contains { $0.hasSuffix(".lock") || $0.hasSuffix(".tmp") }, "\(left)")
        let (read, summary) = try Fixtures.readAll([dir.file("log2")])
        #expect(read == [Self.lines[0]] && summary.damages.isEmpty)
    }
}
