internal import CZlib

/// Reads gzip made by other tools (`gzip`, Python, one member or many, no `Gm` subfield),
/// in order, in 1 MiB steps: lines may span members there.
///
/// No line of a member is delivered before the member's CRC-32 and length have checked at its
/// end, so a damaged member contributes nothing wrong to a figure: a member's lines are held
/// until its end, up to `bufferLimit` bytes (128 MiB); a larger member is inflated twice, once to check
/// it, then again to deliver its lines. A partial line is never delivered: at a damaged member
/// the unfinished line is dropped, and decoding resumes at the next gzip magic. A last line
/// without `\n` at the clean end of the file is delivered (the file is whole).
final class ForeignDecoder {
    static let chunk = 1 << 20
    static let maxLineBytes = 64 << 20

    /// What happens to a member's lines as they are inflated.
    enum Mode { case hold, checkOnly, deliver }

    private let stream: UnsafeMutablePointer<z_stream>
    /// Hold (or check first) each member's lines until its CRC has checked.
    let checkFirst: Bool
    /// The most a member's lines are held in memory before its end; past it, the member is checked
    /// in a first pass and delivered in a second.
    let bufferLimit: Int
    /// The buffer of held lines, kept from file to file (its pages stay mapped).
    private var heldBuffer: [UInt8] = []

    init(checkFirst: Bool = true, bufferLimit: Int = 128 << 20) {
        self.checkFirst = checkFirst
        self.bufferLimit = bufferLimit
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let rc = czlib_inflate_init2(stream, 16 + 15)
        precondition(rc == Z_OK, "inflateInit2 failed: \(rc)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
    }

    /// Wraps what the caller's closure throws, to tell it from read errors.
    private struct CallerError: Error { var error: any Error }

    /// Opens `path` and decodes it. Read errors become damage; only what `lines` throws is rethrown.
    func decode(
        path: String, open: (String) throws(LogError) -> any ByteSource,
        lines: (UnsafeRawBufferPointer) throws -> Void,
        damage: (LogDamage) -> Void
    ) throws {
        do {
            let source = try open(path)
            try decode(
                source,
                lines: { chunk in
                    do { try lines(chunk) } catch { throw CallerError(error: error) }
                }, damage: damage)
        } catch let wrapped as CallerError {
            throw wrapped.error
        } catch {
            damage(LogDamage(kind: .unreadable, path: path, offset: 0, reason: "\(error)"))
        }
    }

    /// Calls `lines` with runs of whole lines (each ending in `\n`, but for a clean file's last
    /// line when it has none) and `damage` for each problem.
    func decode(
        _ source: any ByteSource,
        lines: (UnsafeRawBufferPointer) throws -> Void,
        damage: (LogDamage) -> Void
    ) throws {
        var memberStart: Int64 = 0
        var position: Int64 = 0  // next input byte to read
        var input: [UInt8] = []
        var inputBase: Int64 = 0  // file offset of input[0]
        var used = 0  // bytes of input consumed
        var carry: [UInt8] = []  // the unfinished line
        var out = [UInt8](repeating: 0, count: Self.chunk)
        var inMember = false
        var held: [UInt8] = []  // the member's whole lines, until its end: the buffer of the last file
        swap(&held, &heldBuffer)
        defer {
            held.removeAll(keepingCapacity: true)
            swap(&held, &heldBuffer)
        }
        var carryAtStart: [UInt8] = []
        var mode = Mode.hold
        var checkedStart: Int64 = -1  // a member checked by a first pass, now read again to deliver
        var deliveredFromMember = false
        inflateReset(stream)

        func report(_ reason: String, at offset: Int64, length: Int64? = nil) {
            damage(LogDamage(kind: .corruptMember, path: source.path, offset: offset, length: length, reason: reason))
        }

        while true {
            if used == input.count {
                if position >= source.count { break }
                input = try source.read(at: position, count: Self.chunk)
                inputBase = position
                position += Int64(input.count)
                used = 0
            }
            if !inMember {
                // Between members: skip nothing silently. Only a gzip magic may start a member.
                if input.count - used < 2 && position < source.count {
                    input = Array(input[used...]) + (try source.read(at: position, count: Self.chunk))
                    inputBase += Int64(used)
                    position = inputBase + Int64(input.count)
                    used = 0
                }
                if input.count - used < 2 || input[used] != 0x1F || input[used + 1] != 0x8B {
                    let at = inputBase + Int64(used)
                    if let next = try Self.findMagic(source, from: at + 1) {
                        report("bytes that are not a gzip member", at: at, length: next - at)
                        input = []; used = 0; position = next
                        continue
                    }
                    damage(
                        LogDamage(
                            kind: .tornTail, path: source.path, offset: at, length: source.count - at,
                            reason: "trailing bytes after the last gzip member"))
                    break
                }
                memberStart = inputBase + Int64(used)
                inMember = true
                mode = !checkFirst || memberStart == checkedStart ? .deliver : .hold
                deliveredFromMember = false
                held.removeAll(keepingCapacity: true)
                carryAtStart = carry
            }
            let available = input.count - used
            let (rc, consumed, produced) = input.withUnsafeMutableBytes { inBuf in
                out.withUnsafeMutableBytes { outBuf in
                    stream.pointee.next_in = inBuf.baseAddress!.assumingMemoryBound(to: Bytef.self) + used
                    stream.pointee.avail_in = uInt(available)
                    stream.pointee.next_out = outBuf.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_out = uInt(outBuf.count)
                    let rc = inflate(stream, Z_NO_FLUSH)
                    return (rc, available - Int(stream.pointee.avail_in), outBuf.count - Int(stream.pointee.avail_out))
                }
            }
            used += consumed
            if produced > 0 && mode != .checkOnly {
                if mode == .deliver {
                    try emit(out, produced, &carry) { chunk in
                        deliveredFromMember = true
                        try lines(chunk)
                    }
                } else {
                    try emit(out, produced, &carry) { held.append(contentsOf: $0) }
                    if held.count > bufferLimit {
                        mode = .checkOnly  // too large to hold: check it first, deliver in a second pass
                        held.removeAll()
                    }
                }
                if carry.count > Self.maxLineBytes {
                    report("line longer than \(Self.maxLineBytes) bytes", at: memberStart)
                    carry.removeAll()
                }
            }
            switch rc {
            case Z_STREAM_END:
                inflateReset(stream)
                inMember = false
                switch mode {
                case .hold:
                    if !held.isEmpty { try held.withUnsafeBytes { try lines($0) } }
                    held.removeAll(keepingCapacity: true)
                case .checkOnly:
                    // Checked: read it again from its start, delivering.
                    checkedStart = memberStart
                    carry = carryAtStart
                    input = []; used = 0; position = memberStart
                case .deliver:
                    break
                }
            case Z_OK:
                continue
            case Z_BUF_ERROR where used == input.count:
                continue  // needs more input: the loop reads the next chunk, or ends the file
            default:
                let message = MemberDecoder.describe(rc, stream)
                report(
                    message
                        + (deliveredFromMember
                            ? "; lines already delivered from this member may be wrong"
                            : "; none of its lines were delivered"),
                    at: memberStart)
                held.removeAll()
                carry.removeAll()
                inflateReset(stream)
                inMember = false
                let next = try Self.findMagic(source, from: memberStart + 1)
                input = []; used = 0; position = next ?? source.count
            }
        }
        if inMember {
            report(
                "gzip member cut short at the end of the file"
                    + (deliveredFromMember ? "" : "; none of its lines were delivered"), at: memberStart,
                length: source.count - memberStart)
            carry.removeAll()
        }
        if !carry.isEmpty { try carry.withUnsafeBytes { try lines(UnsafeRawBufferPointer($0)) } }
    }

    /// Delivers the whole lines of `carry + out[..<count]`, keeping the unfinished rest in `carry`.
    private func emit(
        _ out: [UInt8], _ count: Int, _ carry: inout [UInt8], _ lines: (UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try out.withUnsafeBytes { all in
            let fresh = UnsafeRawBufferPointer(rebasing: all[..<count])
            guard let lastNL = fresh.lastIndex(of: 0x0A) else { carry.append(contentsOf: fresh); return }
            if carry.isEmpty {
                try lines(UnsafeRawBufferPointer(rebasing: fresh[...lastNL]))
            } else {
                carry.append(contentsOf: fresh[...lastNL])
                try carry.withUnsafeBytes { try lines($0) }
                carry.removeAll(keepingCapacity: true)
            }
            carry.append(contentsOf: fresh[(lastNL + 1)...])
        }
    }

    static func findMagic(_ source: any ByteSource, from start: Int64) throws(LogError) -> Int64? {
        var base = start
        while base < source.count {
            let chunk = try source.read(at: base, count: Self.chunk + 2)
            for i in 0..<max(0, chunk.count - 2) where chunk[i] == 0x1F && chunk[i + 1] == 0x8B && chunk[i + 2] == 0x08
            {
                return base + Int64(i)
            }
            base += Int64(Self.chunk)
        }
        return nil
    }
}
