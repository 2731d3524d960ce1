public import CoreMetrics
import GammaModel
import Synchronization

/// A swift-metrics backend that records every metric event into a ``Recorder``.
///
/// | swift-metrics | record |
/// |---|---|
/// | `Counter`, `FloatingPointCounter` | `counter`, the increment |
/// | `Meter`, `LogRecorder(aggregate: false)` | `gauge`, the new value |
/// | `LogRecorder(aggregate: true)` | `histogram`, the value |
/// | `Timer` | `histogram`, the duration in milliseconds (meta unit `ms`) |
///
/// The label is the metric name and the dimensions its labels. Handlers are cached by kind, label
/// and sorted dimensions, so re-creating a metric (as `Counter(label:)` does each time) costs one
/// lookup; the meta record is written when a name's first handler is made.
public final class GammaMetricsFactory: MetricsFactory {
    public let recorder: LogRecorder

    private struct Key: Hashable {
        var kind: UInt8
        var label: String
        var dimensions: [String]
    }
    private let cache = Mutex<[Key: any AnyObject & Sendable]>([:])

    public init(recorder: LogRecorder) {
        self.recorder = recorder
    }

    private func handler<H: AnyObject & Sendable>(
        _ kind: UInt8, _ metric: MetricKind, _ label: String, _ dimensions: [(String, String)],
        unit: String? = nil, make: (MetricLineTemplate) -> H
    ) -> H {
        let sorted = dimensions.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
        let key = Key(kind: kind, label: label, dimensions: sorted.flatMap { [$0.0, $0.1] })
        if let existing = cache.withLock({ $0[key] }) as? H { return existing }
        var labels: [String: String] = [:]
        for (k, v) in sorted { labels[k] = v }
        recorder.declare(label, kind: metric, unit: unit)
        let made = make(MetricLineTemplate(kind: metric, name: label, labels: labels))
        return cache.withLock { c in
            if let raced = c[key] as? H { return raced }
            c[key] = made
            return made
        }
    }

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        handler(0, .counter, label, dimensions) { GammaCounter($0, recorder) }
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)])
        -> any FloatingPointCounterHandler
    {
        handler(0, .counter, label, dimensions) { GammaCounter($0, recorder) }
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        handler(1, .gauge, label, dimensions) { GammaGauge($0, recorder) }
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        if aggregate {
            return handler(2, .histogram, label, dimensions) { GammaHistogram($0, recorder) }
        }
        return handler(1, .gauge, label, dimensions) { GammaGauge($0, recorder) }
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        handler(3, .histogram, label, dimensions, unit: "ms") { GammaTimer($0, recorder) }
    }

    public func destroyCounter(_ handler: any CounterHandler) { forget(handler) }
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { forget(handler) }
    public func destroyMeter(_ handler: any MeterHandler) { forget(handler) }
    public func destroyRecorder(_ handler: any RecorderHandler) { forget(handler) }
    public func destroyTimer(_ handler: any TimerHandler) { forget(handler) }

    private func forget(_ handler: any AnyObject & Sendable) {
        cache.withLock { c in
            if let key = c.first(where: { $0.value === handler })?.key { c[key] = nil }
        }
    }
}
