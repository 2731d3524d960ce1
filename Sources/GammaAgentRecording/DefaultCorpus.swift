#if canImport(Glibc)
import Glibc
#endif

/// The sample documents that `search` and `read_file` see when no `--corpus` is given: a SwiftPM
/// resource of this target, which the build puts beside the executables
/// (`Gamma_GammaAgentRecording.resources/corpus`), so `gamma-agent run` and `simulate` work from
/// any folder. Found from the executable's own path, not the working folder.
public enum DefaultCorpus {
    /// The bundle's folder name beside the executable.
    static let bundle = "Gamma_GammaAgentRecording.resources"

    /// Where the default corpus should be: beside the running executable.
    public static var expectedPath: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let dir = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return (dir.isEmpty ? "." : dir) + "/" + bundle + "/corpus"
    }

    /// The default corpus's folder, if it is installed beside the executable.
    public static var path: String? {
        var st = stat()
        let p = expectedPath
        return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR ? p : nil
    }

    /// The corpus to use: `given`, or the default one; an error message when there is none.
    public static func resolve(_ given: String?) -> Result<String, DefaultCorpusMissing> {
        if let given { return .success(given) }
        if let path { return .success(path) }
        return .failure(DefaultCorpusMissing(expected: expectedPath))
    }
}

/// No `--corpus` was given and the default corpus is not beside the executable.
public struct DefaultCorpusMissing: Error, CustomStringConvertible {
    public var expected: String
    public var description: String {
        "the default documents are not installed beside gamma-agent (\(expected)); give a folder with --corpus"
    }
}
