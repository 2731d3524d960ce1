/// A shell-style pattern over a whole name: `*` matches any run of characters (dots included),
/// `?` any one character; everything else matches itself.
public struct Glob: Sendable, Equatable, CustomStringConvertible {
    public let pattern: String
    private let bytes: [UInt8]

    public init(_ pattern: String) {
        self.pattern = pattern
        bytes = Array(pattern.utf8)
    }

    public var description: String { pattern }

    /// Whether `name` matches the whole pattern.
    public func matches(_ name: String) -> Bool {
        let s = Array(name.utf8)
        // The classic two-pointer match with one backtrack point for the last `*`: linear, no recursion.
        var p = 0, i = 0
        var star = -1, mark = 0
        while i < s.count {
            if p < bytes.count && (bytes[p] == UInt8(ascii: "?") || bytes[p] == s[i]) && bytes[p] != UInt8(ascii: "*") {
                p += 1; i += 1
            } else if p < bytes.count && bytes[p] == UInt8(ascii: "*") {
                star = p; mark = i; p += 1
            } else if star >= 0 {
                p = star + 1; mark += 1; i = mark
            } else {
                return false
            }
        }
        while p < bytes.count && bytes[p] == UInt8(ascii: "*") { p += 1 }
        return p == bytes.count
    }
}
