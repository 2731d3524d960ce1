#if canImport(Glibc)
import Glibc
#endif

/// Reading files for the tools, and confining paths to a folder.
public enum FileText {
    /// The text of a file, at most `limit` bytes (more is an error), invalid UTF-8 replaced.
    public static func read(_ path: String, limit: Int) throws(ToolError) -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ToolError("cannot open '\(path)': \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw ToolError("cannot read '\(path)': \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            out += buffer[..<n]
            guard out.count <= limit else { throw ToolError("'\(path)' is larger than \(limit) bytes") }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `relative` inside `root`, or an error: absolute paths, `..`, and links that lead out of
    /// the folder are refused (the resolved path must lie under the resolved root).
    public static func confined(_ relative: String, to root: String) throws(ToolError) -> String {
        guard !relative.isEmpty else { throw ToolError("no path given") }
        guard !relative.hasPrefix("/") else {
            throw ToolError("'\(relative)': absolute paths are refused; give a path inside the folder")
        }
        let parts = relative.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.contains("..") else {
            throw ToolError("'\(relative)': '..' is refused; the tool reads only inside its folder")
        }
        guard !relative.utf8.contains(0) else { throw ToolError("'\(relative)': a NUL byte in a path") }
        guard
            let realRoot = realpath(root, nil).map({ p -> String in
                defer { free(p) }; return String(cString: p)
            })
        else {
            throw ToolError("the tool's folder '\(root)' does not exist")
        }
        let joined = realRoot + "/" + parts.joined(separator: "/")
        guard
            let resolved = realpath(joined, nil).map({ p -> String in
                defer { free(p) }; return String(cString: p)
            })
        else {
            throw ToolError("'\(relative)': no such file")
        }
        guard resolved == realRoot || resolved.hasPrefix(realRoot + "/") else {
            throw ToolError("'\(relative)': it leads outside the folder (through a link); refused")
        }
        return resolved
    }
}
