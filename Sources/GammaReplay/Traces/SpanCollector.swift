public import GammaLog
public import GammaModel

/// The spans of a log, read in full, with the resource of the stream each came from.
public struct CollectedSpans: Sendable {
    public var spans: [SpanRecord] = []
    /// `resources[i]` is the resource of `spans[i]`'s stream (an index into `resourceTable`).
    public var resourceOfSpan: [Int32] = []
    /// The distinct resources met, the first being an empty one for streams without.
    public var resourceTable: [Attributes] = [[:]]
    public var records = 0
    public var invalidLines = 0
    public var damages: [LogDamage] = []

    public init() {}

    /// Adds the spans of another read, their resources mapped into this table.
    mutating func append(_ other: CollectedSpans) {
        var index: [Attributes: Int32] = [:]
        for (i, r) in resourceTable.enumerated() where index[r] == nil { index[r] = Int32(i) }
        let map = other.resourceTable.map { r in
            index[r]
                ?? {
                    resourceTable.append(r)
                    index[r] = Int32(resourceTable.count - 1)
                    return Int32(resourceTable.count - 1)
                }()
        }
        spans += other.spans
        resourceOfSpan += other.resourceOfSpan.map { map[Int($0)] }
        records += other.records
        invalidLines += other.invalidLines
        damages += other.damages
    }
}

/// Reads every span record of a log, on the reader's worker threads.
public enum SpanCollector {
    /// - Parameters:
    ///   - keep: which traces to keep, by id, decided on the workers before a span is decoded.
    ///   - light: read only what trees and summaries need (ids, name, times, status), not
    ///     kinds, attributes, events or links: about ten times cheaper a span.
    ///   - resources: each stream's resource (``StreamResources``), for streams whose resource
    ///     record is outside the members read.
    public static func collect(
        _ reader: LogReader, light: Bool = false, keep: @escaping @Sendable (TraceID) -> Bool = { _ in true },
        resources: [Int: Attributes]? = nil, onIssue: (ReplayIssue) -> Void = { _ in }
    ) throws -> CollectedSpans {
        var out = CollectedSpans()
        var resourceIndex: [Attributes: Int32] = [[:]: 0]
        var streamResource: [Int: Int32] = [:]
        for (stream, r) in (resources ?? StreamResources.read(reader)).sorted(by: { $0.key < $1.key }) {
            let id = resourceIndex[r] ?? Int32(out.resourceTable.count)
            if id == Int32(out.resourceTable.count) {
                out.resourceTable.append(r)
                resourceIndex[r] = id
            }
            streamResource[stream] = id
        }
        let summary = try reader.forEachMember(
            preparing: { ParsedSpans($0, light: light, keep: keep) }, onDamage: { onIssue(.damage($0)) }
        ) { member, parsed in
            out.records += parsed.records
            out.invalidLines += parsed.errors.count
            if let r = parsed.resource {
                let id =
                    resourceIndex[r]
                    ?? {
                        let id = Int32(out.resourceTable.count)
                        out.resourceTable.append(r)
                        resourceIndex[r] = id
                        return id
                    }()
                streamResource[member.stream] = id
            }
            let resource = streamResource[member.stream] ?? 0
            out.spans.append(contentsOf: parsed.spans)
            out.resourceOfSpan.append(contentsOf: repeatElement(resource, count: parsed.spans.count))
            RecordLines.report(parsed.errors, reader, member, onIssue)
        }
        out.damages = summary.damages
        return out
    }

    /// One member's span records, decoded by the worker that inflated it.
    package struct ParsedSpans: Sendable {
        package var spans: [SpanRecord] = []
        package var resource: Attributes?
        package var errors: [(line: Int, error: RecordDecodingError)] = []
        package var records = 0

        /// An empty one, to be given lines by ``takeLight(_:_:)`` (a pass that reads more than
        /// spans from each line).
        package init() {}

        /// How Gamma's encoder starts a span line: such a line is decoded (and so checked) once,
        /// by the decoder, not scanned first.
        static let spanPrefix = Array(#"{"type":"span","ts":"#.utf8)

        init(_ bytes: UnsafeRawBufferPointer, light: Bool, keep: (TraceID) -> Bool) {
            if light {
                self.init(lightSpansOf: bytes, keep: keep)
            } else {
                self.init(decodingSpansOf: bytes, keep: keep)
            }
        }

        /// Spans with what trees and summaries need, from the scan of each line.
        init(lightSpansOf bytes: UnsafeRawBufferPointer, keep: (TraceID) -> Bool) {
            var invalid: [RecordLines.Invalid] = []
            RecordLines.forEach(in: bytes, invalid: &invalid) { line, _, view in
                records += 1
                if view.kind != .span || keep(view.traceID!) { takeLight(line, view) }
            }
            errors = invalid
        }

        /// Takes one valid line: a span with what trees and summaries need, or a resource.
        @inline(__always)
        package mutating func takeLight(_ line: UnsafeRawBufferPointer, _ view: borrowing RecordView) {
            switch view.kind {
            case .span where !view.nameEscaped:
                // The line is valid (scanned): its fields are the view's.
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: line[view.name!]), as: UTF8.self)
                let s = SpanRecord(
                    traceID: view.traceID!, spanID: view.spanID!, parentSpanID: view.parentSpanID, name: name,
                    start: view.start!, end: view.end!, status: view.status, unfinished: view.unfinished)
                spans.append(s)
            case .span:
                if case .record(.span(let s))? = try? RecordDecoder.decode(line) { spans.append(s) }
            case .resource:
                if case .record(.resource(let r))? = try? RecordDecoder.decode(line) { resource = r.attributes }
            default:
                break
            }
        }

        /// Every span decoded in full: a line that starts as the encoder writes spans goes
        /// straight to the decoder (which checks it as the scan would), any other line through
        /// ``RecordLines``.
        init(decodingSpansOf bytes: UnsafeRawBufferPointer, keep: (TraceID) -> Bool) {
            var view = RecordView()
            var number = 0
            LineSplitter.forEachLine(bytes) { line in
                number += 1
                if line.starts(with: Self.spanPrefix) {
                    do throws(RecordDecodingError) {
                        guard case .record(.span(let s)) = try RecordDecoder.decode(line) else { return }
                        records += 1
                        if keep(s.traceID) { spans.append(s) }
                    } catch {
                        errors.append((number, error))
                    }
                    return
                }
                do throws(RecordDecodingError) { try RecordView.scan(line, into: &view) } catch {
                    errors.append((number, error))
                    return
                }
                records += 1
                switch view.kind {
                case .span where keep(view.traceID!):
                    if case .record(.span(let s))? = try? RecordDecoder.decode(line) { spans.append(s) }
                case .resource:
                    if case .record(.resource(let r))? = try? RecordDecoder.decode(line) { resource = r.attributes }
                default:
                    break
                }
            }
        }
    }
}
