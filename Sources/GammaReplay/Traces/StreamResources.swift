public import GammaLog
public import GammaModel

/// The resource of each stream (its process: service name, host, pid), from the stream's first
/// resource record, whatever time range the read is cut to: a writer puts it at the start of
/// each segment, before any range a user asks for, so a read of a time range alone would miss it.
public enum StreamResources {
    private struct Found: Error { var attributes: Attributes }

    /// Stream index → resource attributes, for the streams of `reader` that have one. Reads each
    /// stream from its start until its first resource record (a member, as the writers put it).
    public static func read(_ reader: LogReader) -> [Int: Attributes] {
        var out: [Int: Attributes] = [:]
        var options = ReadOptions()
        options.workers = 1
        for (i, stream) in reader.streams.enumerated() {
            var view = RecordView()
            do {
                try LogReader(streams: [stream], options: options).forEachLine { line in
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
