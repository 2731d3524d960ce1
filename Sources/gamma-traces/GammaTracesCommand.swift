import ArgumentParser
import GammaCLI
import GammaLog
import GammaModel
import GammaConfig
import GammaReplay
#if canImport(Glibc)
import Glibc
#endif

/// `gamma-traces`: rebuild, look at and export the traces in Gamma logs.
@main
struct GammaTracesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gamma-traces",
        abstract:
            "Rebuild trace trees from the spans in Gamma logs: trees, waterfalls, the critical path, summaries and exports.",
        discussion: HelpText.reflow(
            """
            Spans are put back into trees whatever their order, across segments, streams and
            folders. A span whose parent never arrived is an orphan root; a span id seen twice,
            and parent links that go round (crafted input), are reported and cut, never followed.

            In the tree view each line is a span: its duration, self time (its time not covered
            by its children), status and a waterfall bar aligned to the trace's start. * marks the
            critical path, ! an error, > the spans that --name or --attr matched.

            Examples:
              gamma-traces samples/log                        the first traces, as trees
              gamma-traces --slowest 3 --attrs gen_ai.tool.name samples/log
              gamma-traces --errors --events samples/log
              gamma-traces --summary samples/log   count, errors, p50/p95/p99 by span name
              gamma-traces --format otlp samples/log > t.jsonl   for a Collector
              gamma-traces --format chrome --trace 4bf9… samples/log > t.json   Perfetto

            Formats are described in docs/TRACES.md. Exit codes: 0 success; 1 damage or invalid
            lines with --strict; 2 a path could not be read; 64 bad usage.
            """),
        version: GammaVersion.text
    )

    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable { case text, json, otlp, chrome, jaeger, zipkin }

    @OptionGroup var input: LogInputOptions
    @Flag(help: "No progress line on standard error (it is shown only when standard error is a terminal).")
    var noProgress = false
    @Option(help: ArgumentHelp("Only this trace (32 hex digits).", valueName: "id")) var trace: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("Only the N slowest traces, slowest first.", valueName: "n"))
    var slowest: Int?
    @Flag(help: "Only traces with a failed span.") var errors = false
    @Option(
        help: ArgumentHelp(
            "Only traces with a span whose name matches this glob; those spans are marked.", valueName: "glob"))
    var name: String?
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Only traces lasting at least this long (250ms, 2s).", valueName: "duration"))
    var minDuration: String?
    @Option(
        help: ArgumentHelp("Only traces with a span carrying this attribute value; repeatable.", valueName: "key=value")
    ) var attr: [String] = []
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("At most this many traces (default 10 in the text view, all in exports).", valueName: "n"))
    var limit: Int?
    @Flag(help: "Per span name: count, errors, p50, p95 and p99 duration, and share of self time.") var summary = false
    @Option(help: ArgumentHelp("text, json, otlp, chrome, jaeger or zipkin.", valueName: "format")) var format: Format =
        .text
    @Option(
        help: ArgumentHelp("Attributes to show under each span in the text view, comma-separated.", valueName: "keys"))
    var attrs: String?
    @Flag(help: "Show span events in the text view.") var events = false
    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Width of the text view (default: the terminal's, or 120).", valueName: "columns"))
    var width: Int?
    @OptionGroup var streams: StreamOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var strictness: StrictOptions

    mutating func validate() throws {
        _ = try query()
        if let width, width < 60 { throw ValidationError("--width must be at least 60.") }
        if summary && format != .text { throw ValidationError("--summary is a text view; leave out --format.") }
    }

    func query() throws -> TraceQuery {
        var q = TraceQuery()
        if let trace {
            guard trace.count == 32, let id = UInt128(trace, radix: 16), id != 0 else {
                throw ValidationError("--trace '\(trace)' is not a trace id: 32 hex digits, not all zero.")
            }
            q.traceID = id
        }
        if let slowest {
            guard slowest > 0 else { throw ValidationError("--slowest must be at least 1.") }
            q.slowest = slowest
        }
        q.errors = errors
        q.name = name.map(Glob.init)
        if let minDuration {
            guard let d = DurationParser.parse(minDuration) else {
                throw ValidationError("--min-duration '\(minDuration)' is not a duration: use 250ms, 2s, 1m.")
            }
            q.minDuration = d
        }
        for a in attr {
            guard let eq = a.firstIndex(of: "="), eq != a.startIndex else {
                throw ValidationError("--attr '\(a)': expected key=value.")
            }
            q.attributes.append((String(a[..<eq]), String(a[a.index(after: eq)...])))
        }
        if let limit {
            guard limit > 0 else { throw ValidationError("--limit must be at least 1.") }
            q.limit = limit
        } else if format == .text && !summary && slowest == nil {
            q.limit = 10
        }
        return q
    }

    func run() throws {

        ProcessSetup.ignoreFileSizeSignal()
        let progress = ProgressLine(disabled: noProgress)
        let warnings = Warnings(strictness, before: { progress.clear() })
        let unselected = try input.reader()
        let reader = streams.select(unselected, warnings: warnings)
        if summary && slowest == nil && limit == nil && trace == nil {
            // Streaming: traces are summarized as they complete, so memory does not grow with their number.
            var streaming = StreamingSpanSummary(query: try query())
            _ = try streaming.read(reader, progress: Self.show(progress, "summarized")) { warnings.warn($0) }
            progress.clear()
            let rows = streaming.finish()
            if rows.isEmpty { try noTraces(reader, input: unselected, warnings: warnings) }
            let out = try output.open()
            out.write(Self.summaryTable(rows, traces: streaming.traces) + "\n")
            try out.finish()
            try warnings.check()
            return
        }
        if format != .text && limit == nil && slowest == nil && trace == nil {
            try streamExport(reader, unselected: unselected, warnings: warnings, progress: progress)
            return
        }
        let wanted = trace.flatMap { UInt128($0, radix: 16) }
        let query = try self.query()
        let report: (ReplayIssue) -> Void = { warnings.warn($0) }
        var collected: CollectedSpans
        var traces: [Trace]
        if !attr.isEmpty || summary {
            // Attribute conditions (and a summary over whole traces) need every span read in full, or none.
            collected = try SpanCollector.collect(
                reader, light: summary && attr.isEmpty, keep: { wanted == nil || $0 == wanted }, onIssue: report)
            traces = query.select(TraceForest.build(collected))
        } else {
            // Two passes: a digest of every trace (time range, counts, name match) to choose the
            // traces; then the chosen traces' spans in full, reading only the members of their time range.
            let chosen = TraceDigest.choose(try TraceDigest.digest(reader, name: query.name, onIssue: report), query)
            let forest: [Trace]
            (collected, forest) = try TraceDigest.read(chosen, from: reader)
            let full = Dictionary(uniqueKeysWithValues: forest.map { ($0.traceID, $0) })
            traces = chosen.compactMap { full[$0.traceID] }
        }
        if traces.isEmpty { try noTraces(reader, input: unselected, warnings: warnings) }
        let out = try output.open()
        let resources = collected.resourceTable
        let bytes: [UInt8]
        switch format {
        case .text where summary:
            bytes = Array(Self.summaryTable(SpanNameSummary.summarize(traces), traces: traces.count).utf8)
        case .text:
            let keys = attrs.map { $0.split(separator: ",").map(String.init) } ?? []
            let text = TraceText(
                width: width ?? terminalWidth().flatMap { $0 >= 60 ? $0 : nil } ?? 120, attributeKeys: keys,
                events: events, query: query
            ).render(traces)
            bytes = Array((traces.isEmpty ? "no traces match\n" : text).utf8)
        case .json: bytes = TraceJSONExporter().render(traces, resources: resources)
        case .otlp: bytes = OTLPExporter().render(traces, resources: resources)
        case .chrome: bytes = ChromeTraceExporter().render(traces)
        case .jaeger: bytes = JaegerExporter().render(traces, resources: resources)
        case .zipkin: bytes = ZipkinExporter().render(traces, resources: resources)
        }
        bytes.withUnsafeBytes { out.write($0) }
        try out.finish()
        try warnings.check()
    }

    /// An export of every trace that matches, streamed: each trace is written once complete,
    /// so memory does not grow with the log (docs/TRACES.md, "Exports").
    func streamExport(_ reader: LogReader, unselected: LogReader, warnings: Warnings, progress: ProgressLine) throws {
        let formats: [Format: any TraceFormat] = [
            .json: TraceJSONExporter(), .otlp: OTLPExporter(), .chrome: ChromeTraceExporter(),
            .jaeger: JaegerExporter(), .zipkin: ZipkinExporter()
        ]
        var export = StreamingTraceExport(format: formats[format]!, query: try query())
        let out = try output.open()
        _ = try export.run(reader, progress: Self.show(progress, "exported"), onIssue: { warnings.warn($0) }) {
            bytes in
            out.write(bytes)
            if out.failed { try out.finish() }  // a closed pipe ends the run quietly; any other failure is an error
        }
        progress.clear()
        if export.traces == 0 { try noTraces(reader, input: unselected, warnings: warnings) }
        try out.finish()
        try warnings.check()
    }

    /// The progress callback of a streamed read, or `nil` when no progress is shown.
    static func show(_ progress: ProgressLine, _ verb: String) -> ((Double) -> Void)? {
        guard progress.enabled else { return nil }
        return { fraction in
            progress.show("gamma-traces: \(ProgressLine.bar(fraction)) \(Int(fraction * 100))% read and \(verb)")
        }
    }

    /// No trace was found: an input without records is an error; else a warning says whether
    /// the selection chose nothing or the input holds no spans.
    func noTraces(_ reader: LogReader, input unselected: LogReader, warnings: Warnings) throws {
        guard try EmptyInput.holdsRecords(unselected) else {
            try EmptyInput.check(reader, input: unselected, paths: input.paths, warnings: warnings)
            return
        }
        if reader.streams.count < unselected.streams.count { return }  // the stream selection, already warned
        let selection =
            [
                trace.map { "--trace \($0)" }, slowest.map { "--slowest \($0)" }, errors ? "--errors" : nil,
                name.map { "--name '\($0)'" }, minDuration.map { "--min-duration \($0)" }
            ].compactMap { $0 } + attr.map { "--attr '\($0)'" }
        let ranged = reader.options.since != nil || reader.options.until != nil
        warnings.warn(
            selection.isEmpty
                ? "no spans in the input\(ranged ? " in the range given" : "")"
                : "no trace matches \(selection.joined(separator: " "))\(ranged ? " in the range given" : "")")
    }

    static func summaryTable(_ rows: [SpanNameSummary], traces: Int) -> String {
        var table = TextTable(
            headers: ["SPAN", "COUNT", "ERRORS", "P50", "P95", "P99", "SELF"], rightAligned: [1, 2, 3, 4, 5, 6])
        for r in rows {
            table.add([
                r.name, String(r.count), String(r.errors), HumanText.duration(Int64(clamping: r.p50)),
                HumanText.duration(Int64(clamping: r.p95)),
                HumanText.duration(Int64(clamping: r.p99)), HumanText.percent(r.selfShare)
            ])
        }
        return "\(plural(traces, "trace")), \(plural(rows.reduce(0) { $0 + $1.count }, "span"))\n" + table.render()
    }
}
