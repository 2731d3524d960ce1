#if canImport(Glibc)
import Glibc
#endif

/// One line, valid only during the callback that receives it.
public struct LogLine {
    /// The line's bytes, without `\n`; valid only during the callback that receives the line.
    package let bytes: UnsafeRawBufferPointer
    /// Index into ``LogReader/streams``.
    public let stream: Int
    /// Index into that stream's segments.
    public let segment: Int
    /// Byte offset of the member the line came from (0 for foreign files).
    public let memberOffset: Int64

    /// Calls `body` with the line's bytes, without `\n`. The pointer is valid only inside `body`
    /// (as NIO's `withUnsafeReadableBytes`): copy what you keep.
    public func withBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try body(bytes)
    }

    /// The line as text (invalid UTF-8 repaired).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
