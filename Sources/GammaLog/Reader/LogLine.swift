#if canImport(Glibc)
import Glibc
#endif

/// One line, valid only during the callback that receives it.
public struct LogLine {
    /// The line's bytes, without `\n`.
    public let bytes: UnsafeRawBufferPointer
    /// Index into ``LogReader/streams``.
    public let stream: Int
    /// Index into that stream's segments.
    public let segment: Int
    /// Byte offset of the member the line came from (0 for foreign files).
    public let memberOffset: Int64

    public var string: String { String(decoding: bytes, as: UTF8.self) }
}
