#if canImport(Glibc)
import Glibc
#endif

/// `gamma-log repair`: truncates the torn tails of dead streams' segments, and touches nothing else.
///
/// Crash story: the only change is one `ftruncate` to the end of the last valid member, then an
/// `fsync`. A crash before it leaves the file as it was; after it, repaired. Running it again finds
/// nothing to do. The stream's lock is held throughout, so no writer can be live on it; live
/// streams are left alone. Foreign gzip files are never modified, nor are corrupt members in the
/// middle of a segment (the reader skips those; what follows them is intact).
public enum LogRepair {
    public struct Action: Equatable, Sendable, CustomStringConvertible {
        public var path: String
        public var truncatedAt: Int64
        public var bytesRemoved: Int64
        public var reason: String
        public var description: String {
            "\(path): truncated at byte \(truncatedAt), removing \(bytesRemoved) bytes (\(reason))"
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
            let lockFD: Int32
            do throws(LogError) {
                lockFD = try StreamLock.acquire(directory: directory, stream: stream.id)
            } catch {
                if case .streamInUse = error { report.liveStreams.append(stream.id); continue }
                throw error
            }
            defer { close(lockFD) }
            var dead = stream
            dead.isLive = false
            // Read everything, so the report also names the damage repair leaves (what verify will still show).
            let damages = (try? LogReader(streams: [dead]).forEachLine { _ in }.damages) ?? []
            for damage in damages {
                guard damage.kind == .tornTail, damage.repairable else { report.leftAlone.append(damage); continue }
                let action = Action(
                    path: damage.path, truncatedAt: damage.offset, bytesRemoved: damage.length ?? 0,
                    reason: damage.reason)
                if !dryRun { try truncate(damage.path, to: damage.offset) }
                report.actions.append(action)
            }
        }
        return report
    }

    static func truncate(_ path: String, to length: Int64) throws(LogError) {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(length)) == 0 else { throw .system(path: path, operation: "ftruncate", errno: errno) }
        guard fsync(fd) == 0 else { throw .system(path: path, operation: "fsync", errno: errno) }
    }
}
