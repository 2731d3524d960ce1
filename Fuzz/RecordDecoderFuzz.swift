// libFuzzer target for the record parser: arbitrary bytes as a line.
// Built by scripts/fuzz-records with Sources/GammaModel/*.swift (one module, so internals are visible).
//
// Checks, beyond "no crash, no hang, no sanitizer report": an error's offset lies inside the line,
// a line that decodes re-encodes to a line that decodes to the same record (the codec is closed),
// and RecordView (with its canonical fast paths) accepts exactly the lines RecordDecoder accepts
// and reads the same ts, value and span fields from them.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let line = UnsafeRawBufferPointer(start: data, count: size)
    var view = RecordView()
    let viewed = (try? RecordView.scan(line, into: &view)) != nil
    let decodedLine = try? RecordDecoder.decode(line)
    if viewed != (decodedLine != nil) { fatalError("RecordView and RecordDecoder disagree on acceptance") }
    switch decodedLine {
    case .record(.metric(let m))?:
        if view.ts != m.ts
            || view.value?.bitPattern != m.value.bitPattern && !(m.value.isNaN && view.value?.isNaN == true)
        {
            fatalError("RecordView read another ts or value")
        }
    case .record(.span(let d))?:
        if view.ts != d.ts || view.start != d.start || view.end != d.end || view.traceID != d.traceID
            || view.spanID != d.spanID
            || view.parentSpanID != d.parentSpanID || view.status != d.status || view.unfinished != d.unfinished
        {
            fatalError("RecordView read another span field")
        }
    default:
        break
    }
    do {
        let decoded = try RecordDecoder.decode(line)
        if case .record(let record) = decoded {
            let again = RecordEncoder.encode(record)
            guard case .record(let back) = try RecordDecoder.decode(again) else {
                fatalError("re-encoded record is not a record")
            }
            if RecordEncoder.encode(back) != again { fatalError("encode(decode(encode(r))) differs from encode(r)") }
        }
    } catch {
        if error.offset < 0 || error.offset > max(size, RecordDecoder.maxLineBytes) {
            fatalError("error offset outside the line: \(error)")
        }
    }
    return 0
}
