public import GammaLog

/// How far a read has come, as the fraction of the input's compressed bytes behind the members
/// delivered so far: per segment, the furthest member offset reached, whatever order members
/// come in (file order, or time order across streams).
public struct ReadProgress {
    private let sizes: [[Int64]]
    private let total: Double
    private var reached: [[Int64]]
    private var done: Int64 = 0

    public init(_ reader: LogReader) {
        sizes = reader.streams.map { $0.segments.map(\.size) }
        total = Double(max(1, sizes.joined().reduce(0, +)))
        reached = sizes.map { $0.map { _ in 0 } }
    }

    /// The fraction read once `member` is delivered.
    public mutating func advance(_ member: LogMember) -> Double {
        let before = reached[member.stream][member.segment]
        if member.offset > before {
            reached[member.stream][member.segment] = member.offset
            done += member.offset - before
        }
        return min(1, Double(done) / total)
    }
}
