/// What `gamma-log ls` shows: every segment's state and contents, from headers alone
/// (foreign gzip files are inflated to count their lines).
public struct SegmentReport: Equatable, Sendable {
    public enum State: String, Sendable {
        /// Closed cleanly: ends with the sealed trailer.
        case sealed
        /// The last segment of a live stream.
        case live
        /// A dead stream's segment with a torn tail (`gamma-log repair` removes it).
        case torn
        /// A dead stream's segment that ends at a member boundary without the trailer: the writer died between flushes.
        case unsealed
        case empty
        /// gzip made by another tool.
        case foreign
        /// Not gzip, or unreadable.
        case invalid
    }

    public var stream: String
    public var path: String
    public var state: State
    public var members: Int
    public var lines: Int
    public var bytes: Int64
    public var timeRange: ClosedRange<Int64>?
    /// Damage visible without inflating Gamma members (a full check is `verify`).
    public var damages: [LogDamage]
}

extension LogReader {
    /// Reports every segment, from member headers.
    public func inventory() -> [SegmentReport] {
        scanAll().map { s in
            let stream = streams[s.stream]
            let isLast = s.segment == stream.segments.count - 1
            var report = SegmentReport(
                stream: stream.id, path: s.path, state: .invalid, members: 0, lines: 0,
                bytes: stream.segments[s.segment].size, timeRange: nil, damages: s.damages)
            guard let layout = s.layout else { return report }
            report.bytes = layout.size
            report.members = layout.members.count
            report.lines = layout.lineCount
            report.timeRange = layout.timeRange
            switch layout.format {
            case .unknown: report.state = .invalid
            case .empty: report.state = stream.isLive && isLast ? .live : .empty
            case .foreign:
                report.state = .foreign
                var members = 0, lines = 0
                var lo = Int64.max, hi = Int64.min
                var damages: [LogDamage] = []
                let one = LogReader(
                    streams: [
                        LogStream(id: stream.id, directory: nil, isLive: false, segments: [stream.segments[s.segment]])
                    ],
                    options: .init())
                if let summary = try? one.forEachLine(
                    onDamage: { damages.append($0) },
                    { line in
                        lines += 1
                        if let ts = LogTimestamp.find(in: line.bytes) { lo = min(lo, ts); hi = max(hi, ts) }
                    })
                {
                    members = summary.membersRead
                }
                report.members = members
                report.lines = lines
                report.timeRange = lo <= hi ? lo...hi : nil
                report.damages = damages
            case .gamma:
                if layout.tail != nil {
                    report.state = s.pending != nil ? .live : .torn
                } else if layout.isSealed {
                    report.state = .sealed
                } else {
                    report.state = stream.isLive && isLast ? .live : .unsealed
                }
            }
            return report
        }
    }
}

extension LogReader {
    /// The time range of the Gamma members' headers (48 bytes read per member, nothing
    /// inflated), within the read's range; `nil` when no Gamma member holds a line. Foreign files
    /// carry no headers and are not in it: their times are known only by reading them.
    package func headerTimeRange() -> ClosedRange<Int64>? {
        var lo = Int64.max, hi = Int64.min
        for s in scanAll() {
            guard let range = s.layout?.timeRange else { continue }
            lo = min(lo, range.lowerBound)
            hi = max(hi, range.upperBound)
        }
        if let since = options.since { lo = max(lo, since) }
        if let until = options.until { hi = min(hi, until - 1) }
        return lo <= hi ? lo...hi : nil
    }
}

extension LogReader {
    /// What precedes `since` in the Gamma segment of each stream that holds `since`: the members of
    /// that segment before it. Every segment opens with the meta records of the names known when it
    /// was made, so these members hold every meta record that a read from `since` on leaves out.
    /// `nil` without `since` or when no segment starts before it. Foreign files, which carry no
    /// such preamble, are not in it.
    package func precedingSince() -> LogReader? {
        guard let since = options.since else { return nil }
        var streams: [LogStream] = []
        var best: [Int: (segment: Int, start: Int64)] = [:]
        for s in scanAll() {
            guard let layout = s.layout, layout.format == .gamma,
                let start = layout.members.first(where: { $0.header.lineCount > 0 })?.header.minTimestamp, start < since
            else { continue }
            if best[s.stream].map({ start >= $0.start }) ?? true { best[s.stream] = (s.segment, start) }
        }
        for (stream, chosen) in best.sorted(by: { $0.key < $1.key }) {
            var one = self.streams[stream]
            one.segments = [one.segments[chosen.segment]]
            streams.append(one)
        }
        return streams.isEmpty ? nil : LogReader(streams: streams, options: ReadOptions(until: since))
    }
}

extension LogReader {
    /// Whether a segment of the read is a foreign file (plain gzip or JSON lines): its time range
    /// is not in any header, and a time range does not skip any of it.
    package var hasForeignSegments: Bool { scanAll().contains { $0.layout?.format == .foreign } }
}
