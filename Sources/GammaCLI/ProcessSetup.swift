#if canImport(Glibc)
import Glibc
#endif

/// What every executable does before its work.
public enum ProcessSetup {
    /// Ignores SIGXFSZ, so that a file-size limit (`ulimit -f`) makes a write fail with EFBIG,
    /// which the writer reports with the file and everything before it intact, instead of killing
    /// the process mid-member. Library users who write logs should do the same in their `main`.
    public static func ignoreFileSizeSignal() {
        signal(SIGXFSZ, SIG_IGN)
    }
}
