/// File names of a log folder: `<stream>-<seq>.jsonl.gz`, seq zero-padded to 8 digits, and `<stream>.lock`.
public enum SegmentName {
    public static let suffix = ".jsonl.gz"

    /// Whether `id` is a valid stream id: 1 to 128 characters from `[A-Za-z0-9._-]`, not starting with `.`.
    public static func isValidStream(_ id: String) -> Bool {
        guard (1...128).contains(id.utf8.count), id.utf8.first != UInt8(ascii: ".") else { return false }
        return id.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                || c == UInt8(ascii: ".") || c == UInt8(ascii: "_") || c == UInt8(ascii: "-")
        }
    }

    public static func fileName(stream: String, seq: Int) -> String {
        var digits = String(seq)
        if digits.count < 8 { digits = String(repeating: "0", count: 8 - digits.count) + digits }
        return "\(stream)-\(digits)\(suffix)"
    }

    /// Splits a segment file name into stream and seq, or `nil` if it is not one.
    public static func parse(_ name: String) -> (stream: String, seq: Int)? {
        guard name.hasSuffix(suffix) else { return nil }
        let stem = name.dropLast(suffix.count)
        guard let dash = stem.lastIndex(of: "-") else { return nil }
        let stream = String(stem[..<dash])
        let digits = stem[stem.index(after: dash)...]
        guard digits.count >= 8, digits.allSatisfy(\.isASCII), let seq = Int(digits), seq >= 0,
            isValidStream(stream)
        else { return nil }
        return (stream, seq)
    }

    public static func lockPath(directory: String, stream: String) -> String {
        join(directory, "\(stream).lock")
    }

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}
