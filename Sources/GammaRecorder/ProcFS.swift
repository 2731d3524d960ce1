#if canImport(Glibc)
import Glibc
#endif

/// Reads the Linux `/proc` files the system sampler needs.
package enum ProcFS {
    package static func hostName() -> String {
        var buf = [CChar](repeating: 0, count: 256)
        guard gethostname(&buf, 255) == 0 else { return "unknown" }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    package static func pid() -> Int32 { getpid() }

    /// The whole of a small file, or `nil`.
    package static func read(_ path: String) -> String? {
        guard let f = fopen(path, "r") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            out += buf[..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first `cpu` line of /proc/stat: (busy, total) jiffies.
    package static func systemCPU(_ stat: String) -> (busy: UInt64, total: UInt64)? {
        guard let line = stat.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let v = line.split(separator: " ").dropFirst().compactMap { UInt64($0) }
        guard v.count >= 4 else { return nil }
        let total = v.prefix(8).reduce(0, +)  // user nice system idle iowait irq softirq steal
        let idle = v[3] + (v.count > 4 ? v[4] : 0)
        return (total - idle, total)
    }

    /// utime + stime of /proc/self/stat, in jiffies. Field 2 (comm) may hold spaces, so count from its `)`.
    package static func processCPU(_ stat: String) -> UInt64? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ")": state is field 3, so utime (14) and stime (15) are at indices 11 and 12.
        guard fields.count > 12, let u = UInt64(fields[11]), let s = UInt64(fields[12]) else { return nil }
        return u + s
    }

    /// A `Key:   N kB` value of /proc/meminfo or /proc/self/status, in kB.
    package static func kilobytes(_ text: String, _ key: String) -> UInt64? {
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return nil }
        return line.split(separator: " ").dropFirst().first.flatMap { UInt64($0) }
    }

    /// Used percent of the file system holding `path`, as `df` computes it: used / (used + available).
    package static func diskPercent(_ path: String) -> Double? {
        var s = statvfs()
        guard statvfs(path, &s) == 0 else { return nil }
        let used = Double(s.f_blocks - s.f_bfree)
        let avail = Double(s.f_bavail)
        guard used + avail > 0 else { return nil }
        return used / (used + avail) * 100
    }
}
