// libFuzzer target for the segment reader: arbitrary bytes as a segment, read every way.
// Built by scripts/fuzz-log together with Sources/GammaLog/*.swift (one module, so internals are visible).
//
// Checks, beyond "no crash, no hang, no sanitizer report": every delivered line is free of "\n",
// no more lines come out than the input could hold, and every damage names a byte offset inside the input.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let source = MemorySource(bytes, path: "fuzz")
    for named in [true, false] {
        let stream = LogStream(
            id: "f", directory: nil, isLive: false,
            segments: [LogSegment(path: "fuzz", seq: named ? 0 : nil, size: Int64(size))])
        var options = ReadOptions()
        options.workers = 1
        let reader = LogReader(streams: [stream], options: options, opener: { _ in source })
        var count = 0
        let check: (LogLine) -> Void = { line in
            if line.bytes.contains(0x0A) { fatalError("a line contains a newline") }
            count += 1
        }
        let summaries = [try? reader.forEachLine(check), try? reader.forEachLineMerged(check)]
        for summary in summaries {
            guard let summary else { fatalError("the reader threw on bytes") }
            for d in summary.damages where d.offset < 0 || d.offset > Int64(size) {
                fatalError("damage outside the input: \(d)")
            }
        }
        _ = reader.inventory()
    }
    // The header parser on every offset of short inputs.
    if size < 512 {
        bytes.withUnsafeBytes { b in
            for i in 0..<size { _ = MemberHeader.parse(UnsafeRawBufferPointer(rebasing: b[i...])) }
        }
    }
    return 0
}
