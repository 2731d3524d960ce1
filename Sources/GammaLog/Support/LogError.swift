#if canImport(Glibc)
import Glibc
#endif

/// An error of the log: where it happened and why.
///
/// Messages are built in one place, ``description``, in the form
/// `<path>[ at byte <offset>]: <what>`.
public enum LogError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed on a path.
    case system(path: String, operation: String, errno: Int32)
    /// A background write failed; the lines of the member it was writing are lost, nothing stored before is.
    case writeFailed(path: String, offset: Int64, errno: Int32, linesLost: Int)
    /// The segment file the writer was appending to was removed or its folder vanished.
    case segmentRemoved(path: String)
    /// The writer is closed.
    case closed
    /// A line given to the writer contains a newline byte.
    case lineContainsNewline(byteOffset: Int)
    /// A line given to the writer is longer than the writer's limit.
    case lineTooLong(bytes: Int, limit: Int)
    /// Another live writer holds this stream.
    case streamInUse(stream: String, lockPath: String)
    /// A stream id with characters outside `[A-Za-z0-9._-]`, or empty.
    case invalidStreamID(String)
    /// A path given to the reader does not exist or is neither a folder nor a file.
    case noSuchPath(String)
    /// The stream is live (its writer holds the lock): repair refuses to touch it.
    case streamIsLive(stream: String)
    /// A writer's folder is a file.
    case notAFolder(String)

    public var description: String {
        switch self {
        case let .system(path, operation, code):
            return "\(path): \(operation) failed: \(LogError.message(for: code)) (errno \(code))"
        case let .writeFailed(path, offset, code, lost):
            return "\(path) at byte \(offset): write failed: \(LogError.message(for: code)) (errno \(code)); "
                + "\(lost) line\(lost == 1 ? "" : "s") of that member not stored, everything before it intact"
        case let .segmentRemoved(path):
            return "\(path): the segment file was removed while the writer was appending to it"
        case .closed:
            return "the segment writer is closed"
        case let .lineContainsNewline(offset):
            return "line contains a newline byte at offset \(offset); a log line must be one line"
        case let .lineTooLong(bytes, limit):
            return "line of \(bytes) bytes is longer than the limit of \(limit) bytes"
        case let .streamInUse(stream, lockPath):
            return "\(lockPath): stream \"\(stream)\" is held by another live writer"
        case let .invalidStreamID(id):
            return "invalid stream id \"\(id)\": use 1 to 128 characters from [A-Za-z0-9._-]"
        case let .noSuchPath(path):
            return "\(path): no such file or folder"
        case let .notAFolder(path):
            return "\(path) is a file, not a folder"
        case let .streamIsLive(stream):
            return "stream \"\(stream)\" is live (its writer holds the lock); not touching it"
        }
    }

    /// The C library's text for an errno value.
    public static func message(for code: Int32) -> String {
        guard let text = strerror(code) else { return "error \(code)" }
        return String(cString: text)
    }
}
