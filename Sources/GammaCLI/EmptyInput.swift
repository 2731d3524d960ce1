import ArgumentParser
public import GammaLog
import GammaModel

/// What a replay command says when its read found no records: it never answers with an empty
/// report as if the question had been asked of data.
public enum EmptyInput {
    /// Call when the read of `selected` (the input cut to the chosen streams) delivered no
    /// records. An input that holds no record at all (an empty folder, files that are not logs,
    /// lines that are not records) is an error naming the paths (exit 2). A time range that cuts
    /// every record out is a warning naming the range; so is a stream selection that chose
    /// nothing (warned by ``StreamOptions``).
    public static func check(_ selected: LogReader, input: LogReader, paths: [String], warnings: Warnings) throws {
        let all = LogReader(streams: input.streams).inventory()
        let lines = all.reduce(0) { $0 + $1.lines }
        if lines > 0 {
            if selected.streams.count < input.streams.count { return }  // the stream selection, already warned
            if input.options.since != nil || input.options.until != nil {
                let lo = all.compactMap(\.timeRange?.lowerBound).min(),
                    hi = all.compactMap(\.timeRange?.upperBound).max()
                let span = lo.map { "; the input spans \(TimeParser.format($0)) to \(TimeParser.format(hi!))" } ?? ""
                warnings.warn(
                    "no records from \(input.options.since.map { TimeParser.format($0) } ?? "the start") to "
                        + "\(input.options.until.map { TimeParser.format($0) } ?? "the end")\(span)")
                return
            }
        }
        let files = input.streams.reduce(0) { $0 + $1.segments.count }
        let what =
            input.streams.isEmpty
            ? "no log segments or gzip files there"
            : lines == 0
                ? "\(files == 1 ? "1 file" : "\(files) files"), no readable line"
                : "\(plural(lines, "line")), none of them a record"
        printError("error: no records in \(paths.joined(separator: " ")) (\(what))")
        throw ExitCode(2)
    }

    /// Whether the input holds any record, whatever the time range: every line is read (with the
    /// validation of ``RecordView``) until one is a record. For the commands that found nothing
    /// of what they look for (spans, alert records), to tell an empty input from a selection.
    public static func holdsRecords(_ input: LogReader) throws -> Bool {
        struct Found: Sendable {
            var any = false
            init(_ bytes: UnsafeRawBufferPointer) {
                var view = RecordView()
                LineSplitter.forEachLine(bytes) { line in
                    if !any, (try? RecordView.scan(line, into: &view)) != nil { any = true }
                }
            }
        }
        struct FoundOne: Error {}
        do {
            _ = try LogReader(streams: input.streams).forEachMember(preparing: Found.init, onDamage: { _ in }) {
                _, found in
                if found.any { throw FoundOne() }  // one is enough: stop reading
            }
        } catch is FoundOne {
            return true
        }
        return false
    }
}
