#if canImport(Glibc)
import Glibc
#endif
import GammaLog
import GammaModel
@testable import GammaReplay
import GammaTestKit
import Testing

@Suite struct TraceTests {
    typealias F = ReplayFixture
    static let trace: TraceID = 0x4bf9_2f35_77b3_4da6_a3ce_929d_0e0e_4736
    static func ms(_ x: Double) -> Int64 { F.t0 + Int64(x * 1e6) }

    /// An agent run: two iterations, a model call each, two tool calls in parallel, one failing.
    static func agentRun() -> [SpanRecord] {
        [
            SpanRecord(
                traceID: trace, spanID: 1, name: "agent.run", kind: .server, start: ms(0), end: ms(100), status: .ok,
                attributes: ["agent.input": .string("[NOT CAPTURED]")]),
            SpanRecord(
                traceID: trace, spanID: 2, parentSpanID: 1, name: "llm.call", kind: .client, start: ms(1), end: ms(30),
                status: .ok,
                attributes: ["gen_ai.request.model": .string("scripted"), "gen_ai.usage.input_tokens": .int(120)],
                events: [.init(name: "first_token", ts: ms(12))]),
            SpanRecord(
                traceID: trace, spanID: 3, parentSpanID: 1, name: "tool.search", start: ms(31), end: ms(60),
                status: .ok,
                attributes: ["gen_ai.tool.name": .string("search")]),
            SpanRecord(
                traceID: trace, spanID: 4, parentSpanID: 1, name: "tool.http_get", start: ms(35), end: ms(80),
                status: .error,
                statusMessage: "timed out",
                attributes: ["gen_ai.tool.name": .string("http_get"), "ratio": .double(0.5)],
                events: [
                    .init(
                        name: "exception", ts: ms(80),
                        attributes: ["exception.type": .string("Timeout"), "exception.message": .string("timed out")])
                ]),
            SpanRecord(
                traceID: trace, spanID: 5, parentSpanID: 1, name: "llm.call", kind: .client, start: ms(81), end: ms(99),
                status: .ok,
                links: [.init(traceID: 0x99, spanID: 0x98)])
        ]
    }

    static func forest(_ spans: [SpanRecord]) -> [Trace] {
        var c = CollectedSpans()
        c.spans = spans
        c.resourceOfSpan = spans.map { _ in 0 }
        return TraceForest.build(c)
    }

    @Test func aTreeHasItsShapeSelfTimesAndCriticalPath() throws {
        let t = try #require(Self.forest(Self.agentRun()).first)
        #expect(t.nodes.map(\.span.spanID) == [1, 2, 3, 4, 5] && t.roots == [0] && t.problems.isEmpty)
        #expect(t.nodes[0].children == [1, 2, 3, 4] && t.nodes.dropFirst().allSatisfy { $0.depth == 1 })
        // 100 ms; the children cover 1-30, 31-80 (two overlapping tools) and 81-99: 96 ms.
        #expect(t.nodes[0].selfTime == 4_000_000 && t.nodes[3].selfTime == 45_000_000)
        // The run waited for the last model call, before it the failing tool, before it the first model call.
        #expect(t.nodes.filter(\.onCriticalPath).map(\.span.spanID) == [1, 2, 4, 5])
        #expect(t.errorCount == 1 && t.duration == 100_000_000)
    }

    @Test func orphansDuplicatesCyclesAndUnfinishedSpansAreShownAndReported() throws {
        var spans = Self.agentRun()
        spans.append(
            SpanRecord(
                traceID: Self.trace, spanID: 6, parentSpanID: 0x77, name: "late.child", start: Self.ms(5),
                end: Self.ms(6)))
        spans.append(spans[2])  // span 3 twice
        spans.append(
            SpanRecord(traceID: Self.trace, spanID: 7, parentSpanID: 8, name: "a", start: Self.ms(10), end: Self.ms(20))
        )
        spans.append(
            SpanRecord(traceID: Self.trace, spanID: 8, parentSpanID: 9, name: "b", start: Self.ms(11), end: Self.ms(19))
        )
        spans.append(
            SpanRecord(traceID: Self.trace, spanID: 9, parentSpanID: 7, name: "c", start: Self.ms(12), end: Self.ms(18))
        )
        spans.append(
            SpanRecord(
                traceID: Self.trace, spanID: 10, parentSpanID: 10, name: "self", start: Self.ms(13), end: Self.ms(14)))
        spans.append(
            SpanRecord(
                traceID: Self.trace, spanID: 11, parentSpanID: 1, name: "open", start: Self.ms(90), end: Self.ms(100),
                unfinished: true))
        let t = try #require(Self.forest(spans).first)
        #expect(t.nodes.count == 11)
        #expect(t.problems.contains(.duplicateSpan(3, copies: 2)))
        #expect(t.problems.contains(.cycle([7, 8, 9])))
        let late = try #require(t.nodes.first { $0.span.spanID == 6 })
        #expect(late.orphan && late.parent == nil)
        let cut = try #require(t.nodes.first { $0.span.spanID == 7 })
        #expect(cut.orphan && cut.children.count == 1)
        // A span that names itself as parent is a root (an orphan), not a loop.
        #expect(t.nodes.first { $0.span.spanID == 10 }!.parent == nil)
        let text = TraceText(width: 100, formatTime: { String($0) }).render([t])
        #expect(
            text.contains("(orphan)") && text.contains("(unfinished)") && text.contains("cycle")
                && text.contains("appears 2 times"))
    }

    @Test func shuffledInputGivesTheSameOutput() throws {
        var spans = Self.agentRun()
        for i in 0..<40 {
            let parent: SpanID? = i < 7 ? nil : SpanID(1000 + i % 7)
            let status: SpanRecord.Status = i % 5 == 0 ? .error : .ok
            spans.append(
                SpanRecord(
                    traceID: TraceID(100 + i % 7), spanID: SpanID(1000 + i), parentSpanID: parent, name: "s\(i % 3)",
                    start: Self.ms(Double(i)), end: Self.ms(Double(i) + 5), status: status))
        }
        let expected = Self.exports(Self.forest(spans))
        var rng = SplitMix64(seed: 4)
        for _ in 0..<5 {
            spans.sort { _, _ in rng.next() % 2 == 0 }
            #expect(Self.exports(Self.forest(spans)) == expected)
        }
    }

    static func exports(_ traces: [Trace]) -> [[UInt8]] {
        [
            TraceJSONExporter().render(traces, resources: [[:]]), OTLPExporter().render(traces, resources: [[:]]),
            ChromeTraceExporter().render(traces), JaegerExporter().render(traces, resources: [[:]]),
            ZipkinExporter().render(traces, resources: [[:]]),
            Array(TraceText(width: 100, formatTime: { String($0) }).render(traces).utf8)
        ]
    }

    /// Overlapping children never share a track in the Chrome format.
    @Test func parallelChildrenGoOnSeparateTracks() throws {
        let t = try #require(Self.forest(Self.agentRun()).first)
        let tracks = ChromeTraceExporter.tracks(t)
        #expect(tracks[2] != tracks[3])  // the two tool calls overlap
        #expect(tracks[1] == tracks[0] && tracks[4] == tracks[0])  // sequential children nest under the run
    }

    @Test func selectionBySlowestErrorsNameAttributeAndDuration() throws {
        var spans = Self.agentRun()
        spans.append(
            SpanRecord(traceID: 7, spanID: 70, name: "agent.run", start: Self.ms(0), end: Self.ms(500), status: .ok))
        spans.append(
            SpanRecord(
                traceID: 8, spanID: 80, name: "agent.run", start: Self.ms(1), end: Self.ms(2), status: .ok,
                attributes: ["tenant": .string("t1")]))
        let all = Self.forest(spans)
        var q = TraceQuery()
        q.slowest = 1
        #expect(q.select(all).map(\.traceID) == [7])
        q = TraceQuery(); q.errors = true
        #expect(q.select(all).map(\.traceID) == [Self.trace])
        q = TraceQuery(); q.name = Glob("tool.*")
        #expect(q.select(all).map(\.traceID) == [Self.trace])
        q = TraceQuery(); q.attributes = [("tenant", "t1")]
        #expect(q.select(all).map(\.traceID) == [8])
        q = TraceQuery(); q.minDuration = 200_000_000
        #expect(q.select(all).map(\.traceID) == [7])
        let summary = SpanNameSummary.summarize(all)
        #expect(summary.map(\.name) == ["agent.run", "llm.call", "tool.http_get", "tool.search"])
        #expect(
            summary[2].errors == 1 && summary[1].count == 2 && abs(summary.map(\.selfShare).reduce(0, +) - 1) < 1e-12)
    }

    /// Every export against its golden file (GAMMA_UPDATE_GOLDEN=1 rewrites them).
    @Test func exportsMatchTheirGoldenFiles() throws {
        let traces = Self.forest(Self.agentRun())
        let resources: [Attributes] = [["service.name": .string("gamma-agent"), "host.name": .string("h")]]
        var c = traces
        for i in c[0].nodes.indices { c[0].nodes[i].resource = 0 }
        GoldenTests.check(
            "trace.txt",
            TraceText(
                width: 100, attributeKeys: ["gen_ai.tool.name"], events: true,
                formatTime: { "@" + ReportNumbers.seconds($0) }
            ).render(c))
        GoldenTests.check("trace.json", TraceJSONExporter().render(c, resources: resources).string)
        GoldenTests.check("trace.otlp.jsonl", OTLPExporter().render(c, resources: resources).string)
        GoldenTests.check("trace.chrome.json", ChromeTraceExporter().render(c).string)
        GoldenTests.check("trace.jaeger.json", JaegerExporter().render(c, resources: resources).string)
        GoldenTests.check("trace.zipkin.json", ZipkinExporter().render(c, resources: resources).string)
    }

    /// A trace that crosses two processes (two streams, joined through traceparent) is one tree.
    @Test func aTraceOverTwoStreamsIsOneTree() throws {
        let f = F()
        defer { f.dir.remove() }
        let run = Self.agentRun()
        let remote = SpanRecord(
            traceID: Self.trace, spanID: 42, parentSpanID: 3, name: "search.backend", kind: .server,
            start: Self.ms(32), end: Self.ms(58), status: .ok)
        try f.write(
            [.resource(ResourceRecord(ts: F.t0, stream: "agent", attributes: ["service.name": .string("gamma-agent")]))]
                + run.map(Record.span), stream: "agent")
        try f.write(
            [
                .resource(ResourceRecord(ts: F.t0, stream: "backend", attributes: ["service.name": .string("search")])),
                .span(remote)
            ],
            stream: "backend")
        let collected = try SpanCollector.collect(LogReader(paths: [f.dir.path]))
        let t = try #require(TraceForest.build(collected).first)
        #expect(t.nodes.count == 6 && t.roots.count == 1 && t.problems.isEmpty)
        let backend = try #require(t.nodes.first { $0.span.spanID == 42 })
        #expect(t.nodes[backend.parent!].span.spanID == 3)
        #expect(collected.resourceTable[Int(backend.resource)]["service.name"] == .string("search"))
        let otlp = OTLPExporter().render([t], resources: collected.resourceTable).string
        #expect(otlp.split(separator: "\"resource\"").count == 3)  // two resources
    }
}

@Suite struct StreamingSummaryTests {
    typealias F = ReplayFixture

    /// Many short traces one after another: the summary equals the whole-log one (counts and
    /// self time exactly, quantiles within the sketch's 1%), and only the traces of about one
    /// member (read at once) and of the grace window are ever open, not the log's.
    @Test func aLongLogIsSummarizedInBoundedMemory() throws {
        let f = F()
        defer { f.dir.remove() }
        var records: [Record] = []
        for i in 0..<3000 {
            let t0 = F.t0 + Int64(i) * 1_000_000_000  // a trace a second, each 300 ms long
            let trace = TraceID(i + 1)
            let child = SpanRecord(
                traceID: trace, spanID: 2, parentSpanID: 1, name: "tool.search", start: t0 + 10_000_000,
                end: t0 + Int64(100 + i % 50) * 1_000_000, status: i % 10 == 0 ? .error : .ok)
            let root = SpanRecord(
                traceID: trace, spanID: 1, name: "agent.run", start: t0, end: t0 + 300_000_000, status: .ok)
            records += [.span(child), .span(root)]
        }
        try f.write(records)
        let reader = try LogReader(paths: [f.dir.path])
        var streaming = StreamingSpanSummary(grace: 5_000_000_000)
        _ = try streaming.read(reader)
        let rows = streaming.finish()
        let whole = SpanNameSummary.summarize(TraceForest.build(try SpanCollector.collect(reader)))
        let inventory = reader.inventory()
        let linesPerMember = inventory.reduce(0) { $0 + $1.lines } / inventory.reduce(0) { $0 + $1.members }
        #expect(inventory.reduce(0) { $0 + $1.members } > 10, "the log spans many members")
        #expect(
            streaming.traces == 3000 && streaming.peakOpen <= linesPerMember + 8,
            "\(streaming.peakOpen) open at once, \(linesPerMember) lines a member")
        #expect(
            rows.map(\.name) == whole.map(\.name) && rows.map(\.count) == whole.map(\.count)
                && rows.map(\.errors) == whole.map(\.errors))
        for (a, b) in zip(rows, whole) {
            #expect(abs(a.selfShare - b.selfShare) < 1e-12)
            for (x, y) in [(a.p50, b.p50), (a.p95, b.p95), (a.p99, b.p99)] {
                #expect(abs(x - y) <= 0.011 * y, "\(a.name): \(x) vs \(y)")
            }
        }
    }

    /// A span arriving after its trace was summarized makes a new partial trace; nothing is lost.
    @Test func aLateSpanIsCountedAsAnOrphan() {
        var s = StreamingSpanSummary(grace: 1_000)
        let root = SpanRecord(traceID: 1, spanID: 1, name: "root", start: 0, end: 100)
        s.add(root, now: 100)
        s.add(SpanRecord(traceID: 2, spanID: 9, name: "other", start: 5_000, end: 6_000), now: 6_000)  // moves time past the grace
        s.add(SpanRecord(traceID: 1, spanID: 2, parentSpanID: 1, name: "late", start: 50, end: 90), now: 7_000)
        let rows = s.finish()
        #expect(s.traces == 3 && rows.map(\.name) == ["late", "other", "root"] && rows.allSatisfy { $0.count == 1 })
    }
}

@Suite struct TraceDigestTests {
    typealias F = ReplayFixture

    /// Choosing from digests picks the traces, in the order, that selecting whole traces picks.
    @Test func digestsChooseWhatWholeTracesSelect() throws {
        let f = F()
        defer { f.dir.remove() }
        var rng = SplitMix64(seed: 31)
        var records: [Record] = []
        for i in 0..<300 {
            let trace = TraceID(i + 1)
            let start = F.t0 + Int64(rng.next() % 1_000_000_000)
            let spans = Int(rng.next() % 4) + 1
            for k in 0..<spans {
                let s = start + Int64(k) * 1_000_000, e = s + Int64(rng.next() % 50_000_000) + 1
                records.append(
                    .span(
                        SpanRecord(
                            traceID: trace, spanID: SpanID(k + 1), parentSpanID: k == 0 ? nil : 1,
                            name: ["agent.run", "llm.call", "tool.search"][k % 3], start: s, end: e,
                            status: rng.next() % 9 == 0 ? .error : .ok)))
            }
        }
        try f.write(records)
        let reader = try LogReader(paths: [f.dir.path])
        let digests = try TraceDigest.digest(reader, name: Glob("tool.*"))
        let forest = TraceForest.build(try SpanCollector.collect(reader))
        var queries: [TraceQuery] = []
        var q = TraceQuery(); q.slowest = 7; queries.append(q)
        q = TraceQuery(); q.errors = true; q.limit = 12; queries.append(q)
        q = TraceQuery(); q.minDuration = 40_000_000; queries.append(q)
        q = TraceQuery(); q.name = Glob("tool.*"); q.slowest = 5; queries.append(q)
        q = TraceQuery(); q.traceID = 17; queries.append(q)
        for q in queries {
            var d = TraceDigest.choose(digests, q).map(\.traceID)
            var w = q.select(forest).map(\.traceID)
            if q.slowest == nil { d.sort(); w.sort() }  // whole traces keep the forest's order
            #expect(d == w)
        }
    }
}

extension TraceDigestTests {
    /// The chosen traces are read from the members of their own time ranges: traces far apart in
    /// a log of many members come back whole, with their resources, as a full read builds them;
    /// the same lines as a foreign file (no headers) are read over the union of the ranges.
    @Test func chosenTracesAreReadWholeFromTheirOwnRanges() throws {
        let f = F()
        defer { f.dir.remove() }
        var rng = SplitMix64(seed: 5)
        var records: [Record] = [
            .resource(ResourceRecord(ts: F.t0, stream: "a", attributes: ["service.name": .string("svc")]))
        ]
        for i in 0..<200 {
            let start = F.t0 + Int64(i) * 30 * F.second
            let spans = Int(rng.next() % 5) + 1
            for k in 0..<spans {
                let s = start + Int64(k) * 1_000_000, e = s + Int64(rng.next() % 5_000_000_000) + 1
                records.append(
                    .span(
                        SpanRecord(
                            traceID: TraceID(i + 1), spanID: SpanID(k + 1), parentSpanID: k == 0 ? nil : 1,
                            name: "op\(k)", start: s, end: e, status: rng.next() % 7 == 0 ? .error : .ok,
                            attributes: ["i": .int(Int64(i))])))
            }
        }
        records.sort { $0.ts < $1.ts }
        var options = SegmentWriterOptions()
        options.memberBytes = 2 << 10
        try f.write(records, options: options)
        let foreign = TemporaryDirectory(prefix: "gamma-foreign")
        defer { foreign.remove() }
        let text = records.map { String(decoding: RecordEncoder.encode($0), as: UTF8.self) + "\n" }.joined()
        Files.write(foreign.file("spans.jsonl"), Array(text.utf8))
        for path in [f.dir.path, foreign.path] {
            let reader = try LogReader(paths: [path])
            let digests = try TraceDigest.digest(reader, name: nil)
            let whole = TraceForest.build(try SpanCollector.collect(reader))
            var q = TraceQuery()
            q.slowest = 6
            var failing = TraceQuery()
            failing.errors = true
            failing.slowest = 4
            let chosen = TraceDigest.choose(digests, q) + TraceDigest.choose(digests, failing)
            let (spans, forest) = try TraceDigest.read(chosen, from: reader)
            #expect(Set(forest.map(\.traceID)) == Set(chosen.map(\.traceID)))
            for t in forest {
                let w = whole.first { $0.traceID == t.traceID }!
                #expect(t.nodes.map(\.span) == w.nodes.map(\.span))
                #expect(t.nodes.allSatisfy { spans.resourceTable[Int($0.resource)]["service.name"] != nil })
            }
        }
    }
}

extension TraceTests {
    /// A span that names itself as its parent is a root, as TRACES.md says, with a warning.
    @Test func aSpanThatIsItsOwnParentIsARootWithAWarning() {
        let s = SpanRecord(traceID: 9, spanID: 5, parentSpanID: 5, name: "self", start: 1, end: 2, status: .ok)
        let t = Self.forest([s])[0]
        #expect(t.roots.count == 1 && t.nodes[0].orphan == false)
        #expect(t.problems == [.ownParent(5)])
    }
}

@Suite struct DeadlineQueueTests {
    /// Pushes in mostly ascending order with some out of order, pops interleaved: the queue gives
    /// exactly the order of a sort, ties broken by trace id.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func popsInExactlyTheSortedOrder(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var queue = DeadlineQueue()
        var reference: [TraceDeadline] = []
        var popped: [TraceDeadline] = [], expected: [TraceDeadline] = []
        var clock: Int64 = 0
        for _ in 0..<4000 {
            clock += Int64(rng.next() % 100)
            let late = rng.next() % 10 == 0 ? Int64(rng.next() % 5000) : 0
            let d = TraceDeadline(at: clock - late, trace: TraceID(rng.next() % 50))
            queue.push(d)
            reference.append(d)
            if rng.next() % 3 == 0 {
                reference.sort()
                expected.append(reference.removeFirst())
                popped.append(queue.peek!)
                queue.pop()
            }
        }
        while let d = queue.peek {
            popped.append(d)
            queue.pop()
        }
        expected += reference.sorted()
        #expect(popped == expected)
    }
}
