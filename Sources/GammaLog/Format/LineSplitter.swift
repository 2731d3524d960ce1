#if canImport(Glibc)
import Glibc
#endif

/// Finds lines in decompressed bytes.
package enum LineSplitter {
    /// The number of `\n` bytes.
    package static func count(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBytes { count($0) }
    }

    package static func count(_ bytes: UnsafeRawBufferPointer) -> Int {
        var n = 0
        forEachLine(bytes) { _ in n += 1 }
        return n
    }

    /// Calls `body` with each `\n`-terminated line, without its `\n`. A final unterminated fragment is not a line.
    /// - Returns: the number of bytes consumed (up to and including the last `\n`).
    @discardableResult
    @inline(__always)
    package static func forEachLine(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> Void)
        rethrows -> Int
    {
        guard var p = bytes.baseAddress else { return 0 }
        let end = p + bytes.count
        while p < end {
            guard let found = memchr(p, 0x0A, end - p) else { break }
            let nl = UnsafeRawPointer(found)
            try body(UnsafeRawBufferPointer(start: p, count: nl - p))
            p = nl + 1
        }
        return p - bytes.baseAddress!
    }
}
