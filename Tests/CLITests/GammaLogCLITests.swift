import Foundation
import GammaLog
import GammaTestKit
import Testing

@Suite struct GammaLogCLITests {
    static func makeLog(_ dir: TemporaryDirectory, count: Int = 2000) throws -> [(line: String, ts: Int64)] {
        var options = SegmentWriterOptions()
        options.memberBytes = 4 << 10
        let lines = Fixtures.lines(count: count)
        try Fixtures.writeStream(lines, to: dir.path, stream: "cli", options: options)
        return lines
    }

    @Test func catPrintsEveryLine() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = try Self.makeLog(dir)
        let r = try Executables.run("gamma-log", ["cat", dir.path])
        #expect(r.status == 0)
        #expect(r.stdout == lines.map { $0.line + "\n" }.joined())
    }

    @Test func catFiltersByTimeInEveryForm() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = try Self.makeLog(dir)
        let since = lines[100].ts, until = lines[200].ts
        for (s, u) in [
            (String(since), String(until)),
            (
                "@\(since / 1_000_000_000).\(String(since % 1_000_000_000).leftPadded(9))",
                "@\(until / 1_000_000_000).\(String(until % 1_000_000_000).leftPadded(9))"
            )
        ] {
            let r = try Executables.run("gamma-log", ["cat", "--since", s, "--until", u, dir.path])
            #expect(r.stdout == lines[100..<200].map { $0.line + "\n" }.joined(), "\(s) \(u)")
        }
        let bad = try Executables.run("gamma-log", ["cat", "--since", "yesterday", dir.path])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--since 'yesterday' is not a time"))
    }

    @Test func lsShowsStatesAndCounts() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try Self.makeLog(dir)
        let r = try Executables.run("gamma-log", ["ls", dir.path])
        #expect(r.status == 0)
        // The segment is named by its seq, not its whole file name: the stream's id is not repeated.
        let row = try #require(r.stdout.split(separator: "\n").first { $0.hasPrefix("cli ") })
        #expect(
            row.split(separator: " ", omittingEmptySubsequences: true).prefix(3) == ["cli", "0", "sealed"], "\(row)")
        #expect(!r.stdout.contains("cli-00000000.jsonl.gz"))
        #expect(r.stdout.contains("1 stream, 1 segment,"))
        #expect(r.stdout.contains("2000 lines"))
    }

    @Test func verifyRepairVerify() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        _ = try Self.makeLog(dir)
        let path = dir.file("cli-00000000.jsonl.gz")
        let members = try SegmentCorrupter.members(path)
        SegmentCorrupter.truncate(path, to: Int(members[members.count - 2].offset) + 77)  // tear the last data member

        let damaged = try Executables.run("gamma-log", ["verify", dir.path])
        #expect(damaged.status == 1)
        #expect(
            damaged.stdout.contains("DAMAGE \(path) at byte \(members[members.count - 2].offset) (77 bytes): torn tail")
        )
        #expect(damaged.stdout.contains("[repairable]"))

        let dry = try Executables.run("gamma-log", ["repair", "--dry-run", dir.path])
        #expect(dry.stdout.contains("would truncate \(path): truncated at byte \(members[members.count - 2].offset)"))
        let repaired = try Executables.run("gamma-log", ["repair", dir.path])
        #expect(repaired.status == 0 && repaired.stdout.contains("1 segment repaired"))
        let again = try Executables.run("gamma-log", ["repair", dir.path])
        #expect(again.stdout.contains("nothing to repair"))

        let clean = try Executables.run("gamma-log", ["verify", dir.path])
        #expect(clean.status == 0)
        #expect(clean.stdout.hasSuffix(": clean (records not checked: --records)\n"))
    }

    @Test func catWarnsAboutDamageAndStrictFails() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        let lines = try Self.makeLog(dir)
        let path = dir.file("cli-00000000.jsonl.gz")
        let members = try SegmentCorrupter.members(path)
        SegmentCorrupter.flipByte(path, at: Int(members[0].offset) + 70)
        let r = try Executables.run("gamma-log", ["cat", dir.path])
        #expect(r.status == 0)
        #expect(r.stderr.contains("warning: \(path) at byte 0"))
        #expect(r.stdout.split(separator: "\n").count == lines.count - Int(members[0].header.lineCount))
        #expect(try Executables.run("gamma-log", ["cat", "--strict", dir.path]).status == 1)
    }

    @Test func aMissingPathIsExitTwoWithItsName() throws {
        let r = try Executables.run("gamma-log", ["verify", "/no/such/gamma/log"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("/no/such/gamma/log: no such file or folder"))
    }

    @Test(arguments: ["ls", "cat", "verify", "repair"])
    func everySubcommandHasHelp(_ sub: String) throws {
        let r = try Executables.run("gamma-log", [sub, "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: gamma-log \(sub)"))
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
