/// A segment file of a stream.
public struct LogSegment: Equatable, Sendable {
    public var path: String
    /// The seq from the file name; `nil` for a file not named like a Gamma segment.
    public var seq: Int?
    public var size: Int64
}

/// A stream: the segments one writer process made, in seq order.
public struct LogStream: Equatable, Sendable {
    public var id: String
    /// The folder of its lock file; `nil` for a foreign file, which is a stream of its own.
    public var directory: String?
    /// Whether a live writer holds the stream's lock. Its last segment's incomplete tail is then "not yet".
    public var isLive: Bool
    public var segments: [LogSegment]
}

/// Finds the streams and segments of folders and files.
public enum LogCatalog {
    /// Lists the streams in `paths`, sorted by id; each stream's segments sorted by seq.
    ///
    /// A folder contributes its `<stream>-<seq>.jsonl.gz` files grouped by stream, and every other
    /// `*.gz` file as a stream of its own. A file path is taken whatever its name. Subfolders are not entered.
    /// - Throws: ``LogError/noSuchPath(_:)`` for a path that does not exist, or a listing error.
    public static func discover(_ paths: [String]) throws(LogError) -> [LogStream] {
        var grouped: [String: LogStream] = [:]  // key: directory + "\0" + stream
        var foreign: [LogStream] = []
        var seen = Set<String>()
        func add(directory: String, name: String) {
            let path = SegmentName.join(directory, name)
            guard seen.insert(path).inserted else { return }
            let size = POSIX.fileSize(path) ?? 0
            if let (stream, seq) = SegmentName.parse(name) {
                let key = directory + "\u{0}" + stream
                grouped[key, default: LogStream(id: stream, directory: directory, isLive: false, segments: [])]
                    .segments.append(LogSegment(path: path, seq: seq, size: size))
            } else {
                foreign.append(
                    LogStream(
                        id: name, directory: nil, isLive: false,
                        segments: [LogSegment(path: path, seq: nil, size: size)]))
            }
        }
        for raw in paths {
            let path = raw.count > 1 && raw.hasSuffix("/") ? String(raw.dropLast()) : raw
            switch POSIX.isDirectory(path) {
            case nil:
                throw .noSuchPath(path)
            case true?:
                for name in try POSIX.listDirectory(path) where name.hasSuffix(".gz") {
                    if POSIX.isDirectory(SegmentName.join(path, name)) == false { add(directory: path, name: name) }
                }
            case false?:
                let slash = path.lastIndex(of: "/")
                let directory = slash.map { String(path[..<$0]) } ?? "."
                let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
                add(directory: directory.isEmpty ? "/" : directory, name: name)
            }
        }
        var streams = grouped.values.map { stream -> LogStream in
            var s = stream
            s.segments.sort { ($0.seq ?? 0) < ($1.seq ?? 0) }
            s.isLive = StreamLock.isLive(directory: s.directory!, stream: s.id)
            return s
        }
        streams.append(contentsOf: foreign)
        return streams.sorted {
            ($0.id, $0.directory ?? "", $0.segments.first?.path ?? "") < (
                $1.id, $1.directory ?? "", $1.segments.first?.path ?? ""
            )
        }
    }
}
