package import GammaLog
package import GammaModel

/// The worker-side loop of every replay: each line of a member read in place by ``RecordView``,
/// with its line number (from 1) and its offset in the member; invalid lines are collected with
/// their number and error, and skipped.
package enum RecordLines {
    package typealias Invalid = (line: Int, error: RecordDecodingError)

    package static func forEach(
        in bytes: UnsafeRawBufferPointer, invalid: inout [Invalid],
        _ body: (_ line: UnsafeRawBufferPointer, _ offset: Int, _ view: borrowing RecordView) -> Void
    ) {
        var view = RecordView()
        var number = 0
        LineSplitter.forEachLine(bytes) { line in
            number += 1
            do throws(RecordDecodingError) { try RecordView.scan(line, into: &view) } catch {
                invalid.append((number, error))
                return
            }
            body(line, line.baseAddress.map { $0 - bytes.baseAddress! } ?? 0, view)
        }
    }

    /// Reports a member's invalid lines, each with its file, member offset and line number.
    package static func report(
        _ invalid: [Invalid], _ reader: LogReader, _ member: LogMember, _ onIssue: (ReplayIssue) -> Void
    ) {
        guard !invalid.isEmpty else { return }
        let path = reader.streams[member.stream].segments[member.segment].path
        for e in invalid {
            onIssue(.invalidLine(path: path, memberOffset: member.offset, line: e.line, error: e.error))
        }
    }
}
