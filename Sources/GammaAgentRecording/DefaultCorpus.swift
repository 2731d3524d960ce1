#if canImport(Glibc)
import Glibc
#endif
public import GammaAgent

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

    /// The corpus to use, `given` or the default one, with its search index: the one check that
    /// `run` and `simulate` make before they create anything.
    /// - Throws: ``ToolError`` saying what is missing and to give `--corpus`.
    public static func load(_ given: String?) throws(ToolError) -> (path: String, index: SearchIndex) {
        guard let folder = given ?? path else {
            throw ToolError(
                "the default documents are not installed beside gamma-agent (\(expectedPath)); give a folder with --corpus"
            )
        }
        do {
            return (folder, try SearchIndex.load(folder: folder))
        } catch {
            throw ToolError("\(error) (give the documents with --corpus)")
        }
    }
}
