public import GammaLog
package import GammaModel

/// Reads metric records from a log and computes a ``MetricReport``.
///
/// Members are inflated in parallel by the ``LogReader``; each line is read in place by
/// ``RecordView``, and its series found from the line's raw bytes (``RawSeriesTable``), so a
/// record costs no allocation unless its series is new. Invalid lines and damage are reported
/// through `onIssue` and skipped; the caller decides whether they fail the run.
public struct MetricReplay {
    public var query: MetricQuery

    public init(query: MetricQuery) { self.query = query }

    /// - Parameter progress: called after each member with the fraction of compressed bytes read.
    public func run(
        _ reader: LogReader, progress: ((Double) -> Void)? = nil,
        onIssue: (ReplayIssue) -> Void = { _ in }
    ) throws -> MetricReport {
        var state = State(query: query)
        var read = ReadProgress(reader)
        let summary = try reader.forEachMember(preparing: ParsedMember.init, onDamage: { onIssue(.damage($0)) }) {
            member, parsed in
            state.apply(parsed, member.bytes)
            RecordLines.report(parsed.errors, reader, member, onIssue)
            if let progress { progress(read.advance(member)) }
        }
        return try state.finish(reader, summary)
    }

    /// One member's lines read in place, on the worker thread that inflated it: for each metric
    /// line its series' raw-key hash and byte ranges, time and value; the places of meta records
    /// and of invalid lines. The consumer then only looks series up and adds values.
    package struct ParsedMember: Sendable {
        package struct Metric {
            package var hash: UInt64
            package var ts: Int64
            package var value: Double
            var line: Int32, lineCount: Int32
            var name: Int32, nameCount: Int32
            var labels: Int32, labelsCount: Int32
            package var kind: UInt8  // 1 counter, 2 gauge, 3 histogram

            /// The whole line, its name and its labels object, within the member's `bytes`.
            package func line(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(start: bytes.baseAddress! + Int(line), count: Int(lineCount))
            }
            package func name(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(start: bytes.baseAddress! + Int(name), count: Int(nameCount))
            }
            package func labels(in bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(start: bytes.baseAddress! + Int(labels), count: Int(labelsCount))
            }
        }
        package var metrics: [Metric] = []
        var metas: [Range<Int>] = []
        package var errors: [(line: Int, error: RecordDecodingError)] = []
        package var records = 0
        var unknown = 0
        /// The earliest and latest `ts` of every record of the member (of any type).
        package var first = Int64.max, last = Int64.min

        package init(_ bytes: UnsafeRawBufferPointer) {
            self.init(capacity: bytes.count / 128)
            var invalid: [RecordLines.Invalid] = []
            RecordLines.forEach(in: bytes, invalid: &invalid) { line, at, view in take(line, at: at, view) }
            errors = invalid
        }

        /// An empty one, to be given lines by ``take(_:at:_:)`` (a pass that reads more than
        /// metrics from each line).
        package init(capacity: Int) { metrics.reserveCapacity(capacity) }

        /// Takes one valid line, at offset `at` in the member's lines.
        @inline(__always)
        package mutating func take(_ line: UnsafeRawBufferPointer, at: Int, _ view: borrowing RecordView) {
            records += 1
            if view.ts < first { first = view.ts }
            if view.ts > last { last = view.ts }
            let kind: UInt8
            switch view.kind {
            case .counter: kind = 1
            case .gauge: kind = 2
            case .histogram: kind = 3
            case .meta: metas.append(at..<(at + line.count)); return
            case .unknown: unknown += 1; return
            default: return
            }
            guard let name = view.name, let value = view.value else { return }
            let labels = view.labels ?? 0..<0
            let hash = RawSeriesTable.hash(
                kind: kind, UnsafeRawBufferPointer(rebasing: line[name]),
                UnsafeRawBufferPointer(rebasing: line[labels]))
            metrics.append(
                Metric(
                    hash: hash, ts: view.ts, value: value, line: Int32(at), lineCount: Int32(line.count),
                    name: Int32(at + name.lowerBound), nameCount: Int32(name.count),
                    labels: Int32(at + labels.lowerBound), labelsCount: Int32(labels.count), kind: kind))
        }
    }

    /// The replay's running state, fed one member at a time (by ``run(_:progress:onIssue:)``, or
    /// by a pass that shares its reading with other figures).
    package struct State {
        let query: MetricQuery
        var table = RawSeriesTable()
        var keys: [SeriesKey] = []
        var index: [SeriesKey: Int32] = [:]
        /// Without a step: one accumulator per series. With one: per series and window.
        var accumulators: [Accumulator] = []
        var windows: [[Int64: Int32]] = []
        var lastWindow: [(window: Int64, accumulator: Int32)] = []
        var metas: [String: MetaRecord] = [:]
        var first = Int64.max, last = Int64.min
        var records = 0, unknown = 0, invalid = 0, observations = 0

        package init(query: MetricQuery) { self.query = query }

        /// Takes the meta records of a member.
        mutating func applyMetas(_ parsed: ParsedMember, _ bytes: UnsafeRawBufferPointer) {
            for r in parsed.metas {
                if case .record(.meta(let m))? = try? RecordDecoder.decode(UnsafeRawBufferPointer(rebasing: bytes[r])) {
                    addMeta(m)
                }
            }
        }

        /// Adds what a worker read from one member (`bytes` are the member's lines it read).
        package mutating func apply(_ parsed: ParsedMember, _ bytes: UnsafeRawBufferPointer) {
            records += parsed.records
            unknown += parsed.unknown
            invalid += parsed.errors.count
            first = min(first, parsed.first)
            last = max(last, parsed.last)
            applyMetas(parsed, bytes)
            for m in parsed.metrics {
                let name = m.name(in: bytes), labels = m.labels(in: bytes)
                let series =
                    table.find(hash: m.hash, kind: m.kind, name, labels)
                    ?? resolve(m.line(in: bytes), hash: m.hash, kind: m.kind, name, labels)
                guard series >= 0 else { continue }
                observations += 1
                let kind: MetricKind = m.kind == 1 ? .counter : m.kind == 2 ? .gauge : .histogram
                accumulators[Int(accumulator(series, m.ts))].add(m.value, ts: m.ts, kind: kind)
            }
        }

        /// A raw key met for the first time: decode the line, select, group.
        mutating func resolve(
            _ line: UnsafeRawBufferPointer, hash: UInt64, kind k: UInt8,
            _ name: UnsafeRawBufferPointer, _ labels: UnsafeRawBufferPointer
        ) -> Int32 {
            var id: Int32 = -1
            if case .record(.metric(let m))? = try? RecordDecoder.decode(line),
                query.selects(m.name), query.matchers.allSatisfy({ $0.matches(m.labels) })
            {
                var kept = m.labels
                if let groupBy = query.groupBy { kept = kept.filter { groupBy.contains($0.key) } }
                let key = SeriesKey(kind: m.kind, name: m.name, labels: kept.map { Label($0.key, $0.value) })
                if let known = index[key] {
                    id = known
                } else {
                    id = Int32(keys.count)
                    keys.append(key)
                    index[key] = id
                    if query.step == nil {
                        accumulators.append(Accumulator(approximate: query.approximate, kind: m.kind))
                    } else {
                        windows.append([:])
                        lastWindow.append((.min, -1))
                    }
                }
            }
            table.insert(hash: hash, kind: k, name, labels, id: id)
            return id
        }

        @inline(__always)
        mutating func accumulator(_ series: Int32, _ ts: Int64) -> Int32 {
            guard let step = query.step else { return series }
            let s = Int(series)
            let w = ts >= 0 ? ts / step : (ts + 1) / step - 1  // floor division
            if lastWindow[s].window == w { return lastWindow[s].accumulator }
            let a: Int32
            if let known = windows[s][w] {
                a = known
            } else {
                a = Int32(accumulators.count)
                accumulators.append(Accumulator(approximate: query.approximate, kind: keys[s].kind))
                windows[s][w] = a
            }
            lastWindow[s] = (w, a)
            return a
        }

        mutating func addMeta(_ m: MetaRecord) {
            guard var known = metas[m.name] else { metas[m.name] = m; return }
            known.unit = known.unit ?? m.unit
            known.help = known.help ?? m.help
            metas[m.name] = known
        }

        /// The report, once every member of `reader` has been applied (`summary` is what the
        /// reading said).
        package mutating func finish(_ reader: LogReader, _ summary: ReadSummary) throws -> MetricReport {
            // The meta records (units, help) of a name hold for all its records, whatever the range
            // cuts: those before `since` are read from the members that precede it in their segment.
            if let preceding = reader.precedingSince() {
                _ = try preceding.forEachMember(preparing: ParsedMember.init, onDamage: { _ in }) { member, parsed in
                    applyMetas(parsed, member.bytes)
                }
            }
            var report = finish(since: reader.options.since, until: reader.options.until)
            report.damages = summary.damages
            return report
        }

        mutating func finish(since: Int64?, until: Int64?) -> MetricReport {
            let start = since ?? (first == .max ? nil : first)
            let end = until ?? (last == .min ? nil : last)
            func seconds(_ a: Int64?, _ b: Int64?) -> Double? {
                guard let a, let b, b > a else { return nil }
                return Double(b - a) / 1e9
            }
            var out: [MetricReport.Series] = []
            for s in keys.indices.sorted(by: { keys[$0] < keys[$1] }) {
                let key = keys[s]
                let meta = metas[key.name]
                var whole: Accumulator
                var windowFigures: [MetricReport.Window] = []
                if let step = query.step {
                    whole = Accumulator(approximate: query.approximate, kind: key.kind)
                    for (w, a) in windows[s].sorted(by: { $0.key < $1.key }) {
                        let wStart = w * step, wEnd = wStart.saturatingAdd(step)
                        // A window's rate is over the part of it that the report covers.
                        let covered = seconds(max(wStart, start ?? wStart), min(wEnd, end ?? wEnd))
                        let f = accumulators[Int(a)].figures(kind: key.kind, query: query, seconds: covered)
                        windowFigures.append(.init(start: wStart, end: wEnd, figures: f))
                        whole.merge(accumulators[Int(a)])
                        accumulators[Int(a)] = Accumulator(approximate: false, kind: .counter)  // free it
                    }
                } else {
                    whole = accumulators[s]
                    accumulators[s] = Accumulator(approximate: false, kind: .counter)
                }
                let f = whole.figures(kind: key.kind, query: query, seconds: seconds(start, end))
                out.append(.init(key: key, unit: meta?.unit, help: meta?.help, figures: f, windows: windowFigures))
            }
            var report = MetricReport(query: query, series: out, start: start, end: end)
            report.records = records
            report.unknownRecords = unknown
            report.invalidLines = invalid
            report.observations = observations
            return report
        }
    }
}
