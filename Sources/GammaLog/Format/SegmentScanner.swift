/// Walks a segment's member headers: one 48-byte read per member, no inflating.
///
/// At bytes that are not a valid header it searches forward for the next valid one (a header
/// checksum makes false matches negligible) and records the skipped range as corrupt; if none
/// follows, the rest is the segment's tail.
package enum SegmentScanner {
    static let resyncChunk = 1 << 20

    /// - Parameter nameSaysGamma: the file is named like a Gamma segment, so a bad first header is
    ///   damage rather than a sign of a foreign gzip file.
    package static func scan(_ source: any ByteSource, nameSaysGamma: Bool) throws(LogError) -> SegmentLayout {
        let size = source.count
        var layout = SegmentLayout(format: .gamma, size: size)
        if size == 0 { layout.format = .empty; return layout }
        var offset: Int64 = 0
        var first = true
        while offset < size {
            let head = try source.read(at: offset, count: MemberHeader.size)
            switch MemberHeader.parse(head) {
            case .header(let header):
                let end = offset + Int64(header.length)
                if end > size {
                    layout.tail = .init(
                        offset: offset, length: size - offset, isIncompleteMember: true,
                        reason: "member of \(header.length) bytes cut short after \(size - offset) bytes")
                    return layout
                }
                layout.members.append(.init(offset: offset, header: header))
                offset = end
            case .incomplete:
                layout.tail = .init(
                    offset: offset, length: size - offset, isIncompleteMember: true,
                    reason: "member header cut short after \(size - offset) bytes")
                return layout
            case .invalid(let reason):
                if first && !nameSaysGamma && head.starts(with: [0x1F, 0x8B, 0x08]) {
                    layout.format = .foreign
                    return layout
                }
                guard let next = try findHeader(in: source, from: offset + 1) else {
                    if first && !nameSaysGamma {
                        layout.format = head.starts(with: [0x1F, 0x8B]) ? .foreign : .unknown
                    } else {
                        layout.tail = .init(
                            offset: offset, length: size - offset, isIncompleteMember: false, reason: reason)
                    }
                    return layout
                }
                layout.corruptRegions.append(.init(offset: offset, length: next - offset, reason: reason))
                offset = next
            }
            first = false
        }
        return layout
    }

    /// The offset of the next complete, valid member header at or after `start`.
    static func findHeader(in source: any ByteSource, from start: Int64) throws(LogError) -> Int64? {
        var base = start
        while base < source.count {
            let chunk = try source.read(at: base, count: resyncChunk + MemberHeader.size)
            let hit: Int? = chunk.withUnsafeBytes { b in
                var i = 0
                while i + 4 <= b.count {
                    if b[i] == 0x1F && b[i + 1] == 0x8B && b[i + 2] == 0x08 && b[i + 3] == 0x04,
                        case .header = MemberHeader.parse(
                            UnsafeRawBufferPointer(rebasing: b[i..<min(b.count, i + MemberHeader.size)]))
                    {
                        return i
                    }
                    i += 1
                }
                return nil
            }
            if let hit { return base + Int64(hit) }
            base += Int64(resyncChunk)
        }
        return nil
    }
}
