package import GammaLog

/// Damages segment files the ways disks, crashes and people do, for the corruption tables.
public enum SegmentCorrupter {
    /// Flips every bit of the byte at `offset`.
    public static func flipByte(_ path: String, at offset: Int) {
        var bytes = Files.read(path)
        bytes[offset] ^= 0xFF
        Files.write(path, bytes)
    }

    /// Sets `count` bytes from `offset` to zero.
    public static func zero(_ path: String, at offset: Int, count: Int) {
        var bytes = Files.read(path)
        for i in offset..<min(bytes.count, offset + count) { bytes[i] = 0 }
        Files.write(path, bytes)
    }

    public static func truncate(_ path: String, to length: Int) {
        Files.write(path, Array(Files.read(path).prefix(length)))
    }

    public static func append(_ path: String, _ garbage: [UInt8]) {
        Files.write(path, Files.read(path) + garbage)
    }

    /// The members of a Gamma segment as its headers say (offset and header).
    package static func members(_ path: String) throws -> [SegmentLayout.Member] {
        try SegmentScanner.scan(FileSource(path: path)).members
    }
}
