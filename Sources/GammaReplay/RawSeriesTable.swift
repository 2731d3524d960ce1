#if canImport(Glibc)
import Glibc
#endif

/// Maps the raw bytes that identify a series in a metric line (kind, name, labels object) to an
/// id, without building a String or an array per line: replay's per-record lookup.
///
/// Open addressing over a power-of-two table; keys live in one byte arena. Lines whose labels
/// are spelled differently (other key order, whitespace, escapes) get entries of their own that
/// lead to the same id, because ids are given by the caller after it has decoded the labels.
package struct RawSeriesTable {
    private var slots = [Int32](repeating: -1, count: 1024)
    private var hashes: [UInt64] = []
    private var starts: [Int] = []
    private var nameCounts: [Int32] = []
    private var labelCounts: [Int32] = []
    private var kinds: [UInt8] = []
    private(set) var ids: [Int32] = []
    private var arena: [UInt8] = []

    package var count: Int { ids.count }

    package init() {}

    /// A hash of the key, a word at a time.
    @inline(__always)
    package static func hash(kind: UInt8, _ name: UnsafeRawBufferPointer, _ labels: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 &* (UInt64(kind) &+ 1)
        @inline(__always) func mix(_ bytes: UnsafeRawBufferPointer) {
            guard let base = bytes.baseAddress else { return }
            var i = 0
            while i + 8 <= bytes.count {
                h = (h ^ base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
                h ^= h >> 29
                i += 8
            }
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < bytes.count {
                tail |= UInt64(bytes[i]) << shift
                shift += 8
                i += 1
            }
            h = (h ^ tail ^ (UInt64(bytes.count) << 56)) &* 0x94D0_49BB_1331_11EB
            h ^= h >> 31
        }
        mix(name)
        mix(labels)
        return h
    }

    /// The id of a key seen before, or `nil`.
    @inline(__always)
    package func find(hash: UInt64, kind: UInt8, _ name: UnsafeRawBufferPointer, _ labels: UnsafeRawBufferPointer)
        -> Int32?
    {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hash) & mask
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBytes { arena in
                while true {
                    let e = Int(slots[s])
                    if e < 0 { return nil }
                    if hashes[e] == hash && kinds[e] == kind && Int(nameCounts[e]) == name.count
                        && Int(labelCounts[e]) == labels.count
                    {
                        let start = starts[e]
                        if (name.count == 0 || memcmp(arena.baseAddress! + start, name.baseAddress!, name.count) == 0)
                            && (labels.count == 0
                                || memcmp(arena.baseAddress! + start + name.count, labels.baseAddress!, labels.count)
                                    == 0)
                        {
                            return ids[e]
                        }
                    }
                    s = (s + 1) & mask
                }
            }
        }
    }

    package mutating func insert(
        hash: UInt64, kind: UInt8, _ name: UnsafeRawBufferPointer, _ labels: UnsafeRawBufferPointer, id: Int32
    ) {
        if (ids.count + 1) * 2 > slots.count { grow() }
        let e = Int32(ids.count)
        hashes.append(hash)
        starts.append(arena.count)
        arena.append(contentsOf: name)
        arena.append(contentsOf: labels)
        nameCounts.append(Int32(name.count))
        labelCounts.append(Int32(labels.count))
        kinds.append(kind)
        ids.append(id)
        place(e)
    }

    private mutating func place(_ e: Int32) {
        let mask = slots.count - 1
        var s = Int(truncatingIfNeeded: hashes[Int(e)]) & mask
        while slots[s] >= 0 { s = (s + 1) & mask }
        slots[s] = e
    }

    private mutating func grow() {
        slots = [Int32](repeating: -1, count: slots.count * 2)
        for e in 0..<ids.count { place(Int32(e)) }
    }
}
