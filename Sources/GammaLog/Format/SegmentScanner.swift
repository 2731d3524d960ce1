/// Walks a segment's member headers: one 48-byte read per member, no inflating.
///
/// At bytes that are not a valid header it searches forward for the next valid one (a header
/// checksum makes false matches negligible) and records the skipped range as corrupt; if none
/// follows, the rest is the segment's tail.
package enum SegmentScanner {
    static let resyncChunk = 1 << 20

    /// What a file is comes from its bytes, never its name: a first member without Gamma's `Gm`
    /// subfield makes the file foreign gzip; a file with no gzip member at all is `unknown`.
    package static func scan(_ source: any ByteSource) throws(LogError) -> SegmentLayout {
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
                if let last = layout.members.last {
                    if last.header.sealed {
                        // Nothing follows a seal: what does (a second segment appended, say) is
                        // damage, and none of it is read.
                        layout.corruptRegions.append(
                            .init(
                                offset: offset, length: size - offset,
                                reason: "data after the seal (\(size - offset) bytes from here on are not read)"))
                        return layout
                    }
                }
                if header.isIndexed && header.startsSegment && offset > 0 {
                    // Another segment's first member: a segment concatenated onto this one. Its
                    // lines are another segment's (read twice if that one is still there), so
                    // none of them is read, as after a seal.
                    layout.corruptRegions.append(
                        .init(
                            offset: offset, length: size - offset,
                            reason:
                                "another segment's first member: a segment appended to this one "
                                + "(\(size - offset) bytes from here on are not read)"))
                    return layout
                }
                if let last = layout.members.last, last.header.isIndexed, header.isIndexed {
                    if header.index == last.header.index {
                        // The member before it again (a write repeated, a copy gone wrong): its
                        // lines are already delivered once.
                        layout.corruptRegions.append(
                            .init(
                                offset: offset, length: Int64(header.length),
                                reason:
                                    "member \(header.index) repeated; its \(header.lineCount) lines are not read again"
                            ))
                        offset = end
                        first = false
                        continue
                    }
                    if header.index != last.header.index &+ 1 && last.end == offset {
                        layout.corruptRegions.append(
                            .init(
                                offset: offset, length: 0,
                                reason:
                                    "members missing: member \(header.index) follows member \(last.header.index)"))
                    }
                }
                layout.members.append(.init(offset: offset, header: header))
                offset = end
            case .incomplete:
                if first && Self.isPlainGzip(head) {
                    layout.format = .foreign  // a small gzip file from another tool, whatever its name
                    return layout
                }
                layout.tail = .init(
                    offset: offset, length: size - offset, isIncompleteMember: true,
                    reason: "member header cut short after \(size - offset) bytes")
                return layout
            case .invalid(let reason):
                guard let next = try findHeader(in: source, from: offset + 1) else {
                    // Recognized by its bytes, not its name: a file without a valid Gamma member
                    // whose first member has no `Gm` subfield is gzip from another tool (even when
                    // named like a segment); one that is not gzip at all is no log. A first member
                    // with the subfield is a Gamma member whose header is damaged.
                    if first && Self.isPlainGzip(head) {
                        layout.format = .foreign
                    } else if first && !head.starts(with: [0x1F, 0x8B]) {
                        layout.format = .unknown
                    } else {
                        layout.tail = .init(
                            offset: offset, length: size - offset, isIncompleteMember: false, reason: reason)
                    }
                    return layout
                }
                layout.corruptRegions.append(
                    .init(offset: offset, length: next - offset, reason: reason + "; skipped to the next member"))
                offset = next
            }
            first = false
        }
        return layout
    }

    /// Whether `head` begins a gzip member that is not a Gamma member: deflate, and no `Gm`
    /// subfield where Gamma's header has it (FEXTRA set and `G`, `m` at bytes 12 and 13).
    static func isPlainGzip(_ head: [UInt8]) -> Bool {
        guard head.count >= 4, head[0] == 0x1F, head[1] == 0x8B, head[2] == 0x08 else { return false }
        if head[3] & 0x04 == 0 { return true }
        guard head.count >= 14 else { return false }  // FEXTRA, cut short: too little to tell
        return !(head[12] == 0x47 && head[13] == 0x6D)
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
