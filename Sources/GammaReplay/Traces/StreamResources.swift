public import GammaLog
public import GammaModel

/// The resource of each stream (its process: service name, host, pid), from a resource record
/// in the stream's first member, whatever time range the read is cut to: a writer puts it at
/// the start of each segment, before any range a user asks for, so a read of a time range alone
/// would miss it. (A resource record further on is met by the read itself.)
public enum StreamResources {
    private struct Found: Error { var attributes: Attributes }
    private struct NotInFirstMember: Error {}

    /// Stream index → resource attributes, for the streams of `reader` with one in their first
    /// member (or first 10,000 lines). Reads that of each stream, no more.
    public static func read(_ reader: LogReader) -> [Int: Attributes] {
        var out: [Int: Attributes] = [:]
        var options = ReadOptions()
        options.workers = 1
        for (i, stream) in reader.streams.enumerated() {
            var view = RecordView()
            var first: (segment: Int, offset: Int64)?
            var lines = 0
            do {
                try LogReader(streams: [stream], options: options).forEachLine { line in
                    lines += 1  // a foreign file is one member: its first lines stand for it
                    if let f = first, f != (line.segment, line.memberOffset) || lines > 10_000 {
                        throw NotInFirstMember()
                    }
                    first = (line.segment, line.memberOffset)
                    guard (try? RecordView.scan(line.bytes, into: &view)) != nil, view.kind == .resource,
                        case .record(.resource(let r))? = try? RecordDecoder.decode(line.bytes)
                    else { return }
                    throw Found(attributes: r.attributes)
                }
            } catch let found as Found {
                out[i] = found.attributes
            } catch {
                continue  // damage and unreadable files are reported by the read proper
            }
        }
        return out
    }
}
