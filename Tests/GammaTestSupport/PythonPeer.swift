public import GammaTestKit
#if canImport(Glibc)
import Glibc
#endif

/// A test peer written in Python (`scripts/checkers/NAME.py PORT_FILE ARGS…`, with the
/// `.build-python` interpreter when there is one) that listens on loopback and writes its port to
/// `PORT_FILE` once it accepts connections.
public final class PythonPeer {
    public let process: ChildProcess
    public let dir: TemporaryDirectory
    public let port: Int

    public init(_ script: String, _ arguments: [String], dir: TemporaryDirectory = TemporaryDirectory()) throws {
        self.dir = dir
        let python = RepositoryPaths.root + "/.build-python/bin/python"
        process = try ChildProcess(
            [
                access(python, X_OK) == 0 ? python : "python3", RepositoryPaths.root + "/scripts/checkers/\(script).py",
                dir.file("port")
            ]
                + arguments, log: dir.file("log"))
        var port: Int?
        for _ in 0..<1500 where port == nil && !process.hasExited {
            if access(dir.file("port"), F_OK) == 0 {
                port = Int(String(decoding: Files.read(dir.file("port")), as: UTF8.self))
            }
            if port == nil { usleep(10_000) }
        }
        guard let port else {
            throw ChildProcessError(
                message:
                    "the \(script) peer did not start: \(String(decoding: Files.read(dir.file("log")), as: UTF8.self))")
        }
        self.port = port
    }

    public func stop() {
        process.stop()
        dir.remove()
    }
}
