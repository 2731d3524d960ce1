// libFuzzer target for the record parser: arbitrary bytes as a line.
// Built by scripts/fuzz-records with Sources/GammaModel/*.swift (one module, so internals are visible).
//
// Checks, beyond "no crash, no hang, no sanitizer report": an error's offset lies inside the line,
// and a line that decodes re-encodes to a line that decodes to the same record (the codec is closed).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let line = UnsafeRawBufferPointer(start: data, count: size)
    do {
        let decoded = try RecordDecoder.decode(line)
        if case .record(let record) = decoded {
            let again = RecordEncoder.encode(record)
            guard case .record(let back) = try RecordDecoder.decode(again) else { fatalError("re-encoded record is not a record") }
            if RecordEncoder.encode(back) != again { fatalError("encode(decode(encode(r))) differs from encode(r)") }
        }
    } catch {
        if error.offset < 0 || error.offset > max(size, RecordDecoder.maxLineBytes) { fatalError("error offset outside the line: \(error)") }
    }
    return 0
}
