import Foundation
import Testing

/// Runs the package's executables, built next to the test bundle.
enum Executables {
    static let directory: String = {
        let exe =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (exe as NSString).deletingLastPathComponent
    }()

    static func path(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        let p = directory + "/" + name
        if !FileManager.default.isExecutableFile(atPath: p) {
            Issue.record("No executable at '\(p)'", sourceLocation: sourceLocation)
        }
        return p
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `name args` to completion and returns its exit status and output.
    static func run(_ name: String, _ args: [String], sourceLocation: SourceLocation = #_sourceLocation) throws
        -> Result
    {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path(name, sourceLocation: sourceLocation))
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Read both pipes before waiting, so a full pipe cannot block the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var errData = Data()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        p.waitUntilExit()
        return Result(
            status: p.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

extension Executables {
    /// Runs `command` with `/bin/sh -c` (for redirections: `> /dev/full`, `| head`).
    static func shell(_ command: String) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let err = Pipe()
        p.standardError = err
        try p.run()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: "", stderr: String(decoding: errData, as: UTF8.self))
    }
}
