#if canImport(Glibc)
import Glibc
#endif
@testable import GammaAgent
import GammaTestKit
import Testing

@Suite struct CalculatorTests {
    @Test(arguments: [
        ("1 + 2 * 3", 7.0), ("(1 + 2) * 3", 9), ("2 ^ 3 ^ 2", 512), ("-2 ^ 2", 4), ("10 / 4", 2.5), ("10 % 4", 2),
        ("1e3 + 1.5E-1", 1000.15), ("sqrt(16) + abs(-3)", 7), ("min(3, 1, 2) + max(4, 5)", 6),
        ("round(2.5) + floor(-1.5)", 1),
        ("2 * pi", 2 * Double.pi), ("ln(e)", 1), ("log10(1000)", 3), ("  42  ", 42), ("--3", 3), ("3 - -2", 5)
    ])
    func evaluatesArithmetic(_ expression: String, _ expected: Double) throws {
        #expect(abs(try Calculator.evaluate(expression) - expected) < 1e-12)
    }

    @Test(arguments: [
        ("1 +", 3, "ends"), ("(1 + 2", 6, "missing ')'"), ("1 / 0", 2, "division by zero"), ("sqrt(-1)", 0, "negative"),
        ("foo(1)", 0, "unknown function"), ("bar", 0, "unknown name"), ("1 2", 2, "unexpected '2'"),
        ("1..2", 0, "not a number"),
        ("min(1)", 0, "two or more"), ("", 0, "ends"), ("2 $ 3", 2, "unexpected '$'"), ("10 ^ 400", 0, "infinite")
    ])
    func rejectsWithThePlaceAndTheReason(_ expression: String, _ position: Int, _ reason: String) {
        do {
            let v = try Calculator.evaluate(expression)
            Issue.record("\(expression) gave \(v)")
        } catch {
            #expect(error.position == position && error.reason.contains(reason), "\(expression): \(error)")
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        #expect(throws: Calculator.Failure.self) {
            try Calculator.evaluate(String(repeating: "(", count: 500) + "1" + String(repeating: ")", count: 500))
        }
        #expect(throws: Calculator.Failure.self) { try Calculator.evaluate(String(repeating: "-", count: 900) + "1") }
        #expect(throws: Calculator.Failure.self) { try Calculator.evaluate(String(repeating: "2^", count: 400) + "1") }
    }
}

@Suite struct SearchIndexTests {
    static let corpus = SearchIndex([
        .init(name: "billing.md", text: "# Billing\nInvoices are sent monthly.\nRefunds take five business days."),
        .init(
            name: "tools.md",
            text: "# Tools\nThe calculator evaluates expressions.\nThe search tool ranks documents with BM25."),
        .init(
            name: "refunds.md", text: "# Refunds\nA refund is issued to the original card.\nRefunds refunds refunds."),
        .init(name: "empty.md", text: "")
    ])

    @Test func ranksByBM25() {
        // billing.md holds two of the terms once; refunds.md one term four times, which saturates.
        let hits = Self.corpus.search("how long do refunds take", limit: 3)
        #expect(hits.map(\.document) == ["billing.md", "refunds.md"])
        #expect(hits[0].score > hits[1].score && hits[0].snippet == "Refunds take five business days.")
        #expect(
            SearchIndex.terms("# Billing\nInvoices are sent, monthly!") == [
                "billing", "invoices", "are", "sent", "monthly"
            ])
        // One term worked by hand: documents of 10, 12, 12 and 0 terms (average 8.5); "invoices"
        // is in one of the four: idf = ln(1 + 3.5/1.5).
        let one = Self.corpus.search("invoices", limit: 1)
        let idf = log(1 + (4 - 1 + 0.5) / (1 + 0.5))
        let avg = 8.5, len = 10.0
        let expected = idf * 1 * 2.2 / (1 + 1.2 * (0.25 + 0.75 * len / avg))
        #expect(one.first?.document == "billing.md" && abs(one[0].score - expected) < 1e-12)
    }

    @Test func noMatchGivesNoHits() {
        #expect(Self.corpus.search("zebra quokka").isEmpty && Self.corpus.search("").isEmpty)
    }
}

@Suite struct ConfinementTests {
    @Test func pathsStayInsideTheFolder() throws {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        mkdir(dir.file("docs"), 0o755)
        Files.write(dir.file("docs/a.txt"), Array("hello".utf8))
        Files.write(dir.file("secret.txt"), Array("no".utf8))
        symlink(dir.file("secret.txt"), dir.file("docs/link.txt"))
        symlink("/etc", dir.file("docs/etc"))
        let root = dir.file("docs")
        #expect(try FileText.read(FileText.confined("a.txt", to: root), limit: 100) == "hello")
        for (path, reason) in [
            ("../secret.txt", "'..'"), ("/etc/passwd", "absolute"), ("link.txt", "outside"),
            ("etc/passwd", "outside"), ("missing.txt", "no such file"), ("", "no path")
        ] {
            #expect(throws: ToolError.self, "\(path)") { try FileText.confined(path, to: root) }
            do { _ = try FileText.confined(path, to: root) } catch {
                #expect(error.message.contains(reason), "\(path): \(error)")
            }
        }
    }

    @Test func largeFilesAreRefused() {
        let dir = TemporaryDirectory()
        defer { dir.remove() }
        Files.write(dir.file("big.txt"), [UInt8](repeating: 0x61, count: 5000))
        #expect(throws: ToolError.self) { try FileText.read(dir.file("big.txt"), limit: 4096) }
    }
}

@Suite struct SampleCorpusTests {
    static let folder =
        String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/"))
        + "/samples/corpus"

    @Test func theSampleCorpusAnswersQuestions() throws {
        let index = try SearchIndex.load(folder: Self.folder)
        #expect(index.documents.map(\.name) == ["accounts.md", "api.md", "billing.md", "refunds.md", "shipping.md"])
        #expect(index.search("when will my refund arrive").first?.document == "refunds.md")
        #expect(index.search("what does a 429 rate limit mean").first?.document == "api.md")
        #expect(index.search("how long does express delivery take").first?.document == "shipping.md")
        #expect(throws: ToolError.self) { try SearchIndex.load(folder: Self.folder + "/missing") }
    }
}
