#if canImport(Glibc)
import Glibc
#endif

/// The `<stream>.lock` file: a writer holds it with `flock(LOCK_EX)` while it lives.
///
/// A stream is *live* while some process holds the lock. The reader asks with a non-blocking
/// shared lock, which it drops at once; a missing lock file means the stream is dead.
package enum StreamLock {
    /// Takes the lock for a writer or for repair. Returns the descriptor that holds it, and whether
    /// this call made the lock file.
    ///
    /// A holder removes the lock file before it unlocks (``release(_:directory:stream:)``), so a
    /// process that opened the file just before may win the lock of a file that is no longer at the
    /// path, while a third makes a new one and locks that: two holders. So after `flock` the lock
    /// is kept only if the descriptor's file is still the one at the path (same device and inode);
    /// otherwise it is dropped and taken again.
    /// - Throws: ``LogError/streamInUse(stream:lockPath:)`` when another process holds it.
    @discardableResult
    static func acquire(directory: String, stream: String) throws(LogError) -> (fd: Int32, created: Bool) {
        let path = SegmentName.lockPath(directory: directory, stream: stream)
        while true {
            var created = false
            var fd = open(path, O_RDWR | O_CLOEXEC)
            if fd < 0 && errno == ENOENT {
                fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
                created = fd >= 0
                if fd < 0 && errno == EEXIST { continue }  // another made it first: open that one
            }
            guard fd >= 0 else { throw .system(path: path, operation: "open", errno: errno) }
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                if code == EWOULDBLOCK { throw .streamInUse(stream: stream, lockPath: path) }
                throw .system(path: path, operation: "flock", errno: code)
            }
            var held = stat(), atPath = stat()
            if fstat(fd, &held) == 0, stat(path, &atPath) == 0, held.st_dev == atPath.st_dev,
                held.st_ino == atPath.st_ino
            {
                return (fd, created)
            }
            close(fd)  // the file was removed (or replaced) between open and flock: not the lock any more
        }
    }

    /// Gives the lock up: removes the lock file, then unlocks, so that no later reader takes a dead
    /// stream for a live one, and no later writer holds a lock on a file that is gone (see
    /// ``acquire(directory:stream:)``).
    static func release(_ fd: Int32, directory: String, stream: String) {
        unlink(SegmentName.lockPath(directory: directory, stream: stream))
        close(fd)
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
