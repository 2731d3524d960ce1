#if canImport(Glibc)
public import Glibc
#endif

/// A child process for tests (a Python peer on loopback), started with `posix_spawnp` and ended
/// with a signal: no Foundation `Process`, whose `waitUntilExit` needs a running run loop.
public final class ChildProcess {
    public let pid: pid_t
    private var reaped = false

    /// Starts `arguments[0]`, looked up in PATH, with standard output and error going to `log`
    /// (or /dev/null).
    public init(_ arguments: [String], log: String? = nil) throws(ChildProcessError) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let target = log ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, target, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        // The test runner's threads block some signals, and a child inherits the mask: clear it,
        // so the child dies of the signals it would die of on its own.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, arguments[0], &actions, &attributes, &argv, environ)
        guard rc == 0 else {
            throw ChildProcessError(message: "cannot start \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        self.pid = pid
    }

    /// Whether it has exited (reaping it if so).
    public var hasExited: Bool {
        if reaped { return true }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { reaped = true }
        return reaped
    }

    /// Sends SIGKILL and reaps it.
    public func stop() {
        guard !reaped else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        reaped = true
    }

    deinit { stop() }
}

public struct ChildProcessError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
