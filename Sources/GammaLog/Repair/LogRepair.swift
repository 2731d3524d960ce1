#if canImport(Glibc)
import Glibc
#endif

/// `gamma-log repair`: truncates the torn tails of dead streams' segments, and touches nothing else.
///
/// It never removes a readable line: a tail that begins with a complete gzip member (one that
/// inflates to its end with its CRC and length checked, as `zcat` reads it, whatever its header
/// says) is not torn and is left alone. What it does remove, it first copies to a quarantine file
/// beside the segment (`.<segment>.<offset>.quarantine`, which no reader takes for a log), so a
/// repair can be undone: `cat` the quarantine file onto the truncated segment.
///
/// Crash story: the quarantine copy is written and synced first; then the only change to the
/// segment is one `ftruncate` to the end of the last valid member, then an `fsync`. A crash before
/// it leaves the file as it was; after it, repaired. Running it again finds nothing to do. The stream's lock is held throughout, so no writer can be live on it; live
/// streams are left alone. Foreign gzip files are never modified, nor are corrupt members in the
/// middle of a segment (the reader skips those; what follows them is intact).
public enum LogRepair {
    public struct Action: Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var truncatedAt: Int64
        public var bytesRemoved: Int64
        public var reason: String
        /// Where the removed bytes were copied (`nil` in a dry run).
        public var quarantine: String?
        public var description: String {
            "\(path): truncated at byte \(truncatedAt), removing \(bytesRemoved) bytes (\(reason))"
                + (quarantine.map { "; they are in \($0)" } ?? "")
        }
    }

    public struct Report: Equatable, Sendable {
        /// Truncations done (or, with `dryRun`, that would be done).
        public var actions: [Action] = []
        /// Damage left in place (`verify` still reports it): corrupt members and bytes, files that are not segments, foreign files' damage.
        public var leftAlone: [LogDamage] = []
        /// Live streams that were not touched.
        public var liveStreams: [String] = []
    }

    public static func repair(paths: [String], dryRun: Bool = false) throws(LogError) -> Report {
        var report = Report()
        for stream in try LogCatalog.discover(paths) {
            guard let directory = stream.directory else {
                // A foreign file: report what is wrong with it, change nothing.
                let reader = LogReader(streams: [stream], options: .init())
                if let summary = try? reader.forEachLine({ _ in }) { report.leftAlone += summary.damages }
                continue
            }
            // A dry run changes nothing, so it takes no lock (and needs no write permission); it
            // leaves live streams alone as the catalog found them. A repair takes the stream's lock
            // so that no writer can start meanwhile, and leaves no lock file behind that it made.
            if dryRun && stream.isLive {
                report.liveStreams.append(stream.id)
                continue
            }
            var lock: (fd: Int32, created: Bool)?
            if !dryRun {
                do throws(LogError) {
                    lock = try StreamLock.acquire(directory: directory, stream: stream.id)
                } catch {
                    if case .streamInUse = error { report.liveStreams.append(stream.id); continue }
                    throw error
                }
            }
            defer {
                if let lock {
                    if lock.created {
                        StreamLock.release(lock.fd, directory: directory, stream: stream.id)
                    } else {
                        close(lock.fd)
                    }
                }
            }
            var dead = stream
            dead.isLive = false
            // Read everything, so the report also names the damage repair leaves (what verify will still show).
            let damages = (try? LogReader(streams: [dead]).forEachLine { _ in }.damages) ?? []
            for damage in damages {
                guard damage.kind == .tornTail, damage.repairable else { report.leftAlone.append(damage); continue }
                if let length = GzipMemberProbe.completeMember(path: damage.path, at: damage.offset) {
                    // zcat reads it: a member whose header fails Gamma's check, or plain gzip.
                    var kept = damage
                    kept.kind = .corruptMember
                    kept.repairable = false
                    kept.reason =
                        "a complete gzip member of \(length) bytes that is not a valid Gamma member (\(damage.reason)); "
                        + "not torn, left as it is"
                    report.leftAlone.append(kept)
                    continue
                }
                var action = Action(
                    path: damage.path, truncatedAt: damage.offset, bytesRemoved: damage.length ?? 0,
                    reason: damage.reason)
                if !dryRun {
                    action.quarantine = try quarantine(damage.path, from: damage.offset)
                    try truncate(damage.path, to: damage.offset)
                }
                report.actions.append(action)
            }
        }
        return report
    }

    /// Copies the bytes of `path` from `offset` on to `.<name>.<offset>.quarantine` beside it,
    /// synced, and returns that path.
    static func quarantine(_ path: String, from offset: Int64) throws(LogError) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let target = "\(folder).\(name).\(offset).quarantine"
        let input = open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw .system(path: target, operation: "open", errno: errno) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var position = offset
        while true {
            let n = buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress, $0.count, off_t(position)) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw .system(path: path, operation: "read", errno: errno) }
            if n == 0 { break }
            var done = 0
            while done < n {
                let w = buffer.withUnsafeBytes { write(output, $0.baseAddress! + done, n - done) }
                if w < 0 && errno == EINTR { continue }
                guard w > 0 else { throw .system(path: target, operation: "write", errno: errno) }
                done += w
            }
            position += Int64(n)
        }
        guard fsync(output) == 0 else { throw .system(path: target, operation: "fsync", errno: errno) }
        return target
    }

    static func truncate(_ path: String, to length: Int64) throws(LogError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else { throw .system(path: path, operation: "ftruncate", errno: errno) }
        guard fsync(fd) == 0 else { throw .system(path: path, operation: "fsync", errno: errno) }
    }
}
