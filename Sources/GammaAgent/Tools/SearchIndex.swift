#if canImport(Glibc)
import Glibc
#endif

/// A BM25 index over a small document corpus, for the `search` tool (Robertson and Zaragoza's
/// Okapi BM25, k1 = 1.2, b = 0.75, IDF = ln(1 + (N − n + 0.5)/(n + 0.5))).
///
/// Text is split into lower-case runs of letters and digits; a query's terms are scored against
/// every document that holds one of them (an inverted index), and ties go to the document's name.
public struct SearchIndex: Sendable {
    public struct Document: Sendable, Equatable {
        public var name: String
        public var text: String
        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    public struct Hit: Sendable, Equatable {
        public var document: String
        public var score: Double
        /// The line of the document with the most query terms.
        public var snippet: String
    }

    public let documents: [Document]
    let lengths: [Int]
    let averageLength: Double
    /// term → (document index, term frequency)
    let postings: [String: [(Int, Int)]]
    /// Per document, its non-blank lines and the terms of each, for snippets.
    let lines: [[(text: String, terms: Set<String>)]]
    public static let k1 = 1.2, b = 0.75

    public init(_ documents: [Document]) {
        self.documents = documents
        var postings: [String: [(Int, Int)]] = [:]
        var lengths: [Int] = []
        for (d, doc) in documents.enumerated() {
            let terms = Self.terms(doc.text)
            lengths.append(terms.count)
            var counts: [String: Int] = [:]
            for t in terms { counts[t, default: 0] += 1 }
            for (t, n) in counts { postings[t, default: []].append((d, n)) }
        }
        self.postings = postings
        self.lengths = lengths
        lines = documents.map { doc in
            doc.text.split(separator: "\n").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }.map {
                ($0, Set(Self.terms($0)))
            }
        }
        averageLength = lengths.isEmpty ? 0 : Double(lengths.reduce(0, +)) / Double(lengths.count)
    }

    /// Lower-case runs of letters and digits.
    public static func terms(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for c in text.lowercased() {
            if c.isLetter || c.isNumber {
                current.append(c)
            } else if !current.isEmpty {
                out.append(current); current = ""
            }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// The best `limit` documents for `query`, best first; none when no term occurs.
    public func search(_ query: String, limit: Int = 3) -> [Hit] {
        let queryTerms = Array(Set(Self.terms(query)))
        var scores: [Int: Double] = [:]
        let n = Double(documents.count)
        for t in queryTerms {
            guard let list = postings[t] else { continue }
            let idf = log(1 + (n - Double(list.count) + 0.5) / (Double(list.count) + 0.5))
            for (d, f) in list {
                let tf = Double(f)
                let norm = Self.k1 * (1 - Self.b + Self.b * Double(lengths[d]) / max(averageLength, 1))
                scores[d, default: 0] += idf * tf * (Self.k1 + 1) / (tf + norm)
            }
        }
        let ranked = scores.sorted { a, b in
            a.value != b.value ? a.value > b.value : documents[a.key].name < documents[b.key].name
        }
        return ranked.prefix(limit).map { d, score in
            Hit(document: documents[d].name, score: score, snippet: snippet(d, queryTerms))
        }
    }

    /// The first of document `d`'s lines with the most query terms, cut to 200 characters.
    func snippet(_ d: Int, _ terms: [String]) -> String {
        var best = "", bestScore = -1
        for line in lines[d] {
            let score = terms.reduce(0) { $0 + (line.terms.contains($1) ? 1 : 0) }
            if score > bestScore { (best, bestScore) = (line.text, score) }
        }
        return best.count > 200 ? String(best.prefix(199)) + "…" : best
    }

    /// Loads every `.md` and `.txt` file of a folder (not recursively), sorted by name.
    public static func load(folder: String) throws(ToolError) -> SearchIndex {
        guard let dir = opendir(folder) else {
            throw ToolError("cannot read the search corpus '\(folder)': \(String(cString: strerror(errno)))")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".md") || name.hasSuffix(".txt") { names.append(name) }
        }
        var docs: [Document] = []
        for name in names.sorted() {
            docs.append(Document(name: name, text: try FileText.read(folder + "/" + name, limit: 1 << 20)))
        }
        return SearchIndex(docs)
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s.removeFirst() }
        while s.last?.isWhitespace == true { s.removeLast() }
        return String(s)
    }
}
