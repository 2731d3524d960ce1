#if canImport(Glibc)
import Glibc
#endif

/// The `<stream>.lock` file: a writer holds it with `flock(LOCK_EX)` while it lives.
///
/// A stream is *live* while some process holds the lock. The reader asks with a non-blocking
/// shared lock, which it drops at once; a missing lock file means the stream is dead.
package enum StreamLock {
    /// Takes the lock for a writer or for repair. Returns the descriptor that holds it.
    /// - Throws: ``LogError/streamInUse(stream:lockPath:)`` when another process holds it.
    static func acquire(directory: String, stream: String) throws(LogError) -> Int32 {
        let path = SegmentName.lockPath(directory: directory, stream: stream)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(fd)
            if code == EWOULDBLOCK { throw .streamInUse(stream: stream, lockPath: path) }
            throw .system(path: path, operation: "flock", errno: code)
        }
        return fd
    }

    /// Whether a live writer holds the stream's lock.
    package static func isLive(directory: String, stream: String) -> Bool {
        let path = SegmentName.lockPath(directory: directory, stream: stream)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return false
        }
        return errno == EWOULDBLOCK
    }
}
