public import GammaLog
public import GammaModel
import CoreMetrics
import Instrumentation
import Tracing

/// The one call a program's `main` makes to record into a log folder:
///
/// ```swift
/// let gamma = try GammaSystem.bootstrap(logDirectory: "logs", serviceName: "my-agent")
/// defer { try? gamma.shutdown() }
/// // swift-metrics and swift-distributed-tracing calls anywhere in the program now land in logs/
/// ```
///
/// It opens a ``LogRecorder``, bootstraps `MetricsSystem` with a ``GammaMetricsFactory`` and
/// `InstrumentationSystem` with a ``GammaTracer``, and starts a ``SystemSampler``. Both
/// bootstraps are once per process (swift-metrics and swift-distributed-tracing enforce that);
/// nothing else Gamma does is global. Libraries and tests make a ``LogRecorder`` and the backends
/// themselves and pass them in.
public final class GammaSystem: Sendable {
    public let recorder: LogRecorder
    public let metrics: GammaMetricsFactory
    public let tracer: GammaTracer
    public let sampler: SystemSampler?

    /// - Parameters:
    ///   - sampleInterval: how often system gauges are recorded; `nil` for none.
    ///   - metricObserver: sees every metric record as it is recorded (live alerting's feed).
    public static func bootstrap(
        logDirectory: String, serviceName: String, resource: Attributes = [:],
        clock: any EpochClock = SystemClock(), redaction: Redaction = .init(),
        options: SegmentWriterOptions = .init(), sampleInterval: Duration? = .seconds(10),
        metricObserver: (@Sendable (MetricRecord) -> Void)? = nil
    ) throws(LogError) -> GammaSystem {
        var resource = resource
        resource["service.name"] = .string(serviceName)
        let recorder = try LogRecorder(
            directory: logDirectory, resource: resource, clock: clock, redaction: redaction, options: options,
            metricObserver: metricObserver)
        let system = GammaSystem(
            recorder: recorder, timeSource: clock is SystemClock ? .instants : .recorderClock,
            sampleInterval: sampleInterval, directory: logDirectory)
        MetricsSystem.bootstrap(system.metrics)
        InstrumentationSystem.bootstrap(system.tracer)
        system.sampler?.start()
        return system
    }

    init(recorder: LogRecorder, timeSource: GammaTracer.TimeSource, sampleInterval: Duration?, directory: String) {
        self.recorder = recorder
        metrics = GammaMetricsFactory(recorder: recorder)
        tracer = GammaTracer(recorder: recorder, timeSource: timeSource)
        sampler = sampleInterval.map { SystemSampler(recorder: recorder, directory: directory, interval: $0) }
    }

    /// Stops the sampler, records spans still open as unfinished, flushes and seals the log.
    /// - Throws: the first recording or writing error, if any happened.
    @discardableResult
    public func shutdown() throws(LogError) -> SegmentWriter.Stats {
        sampler?.stop()
        tracer.endOpenSpans()
        try recorder.close()
        return recorder.writer!.stats  // bootstrap always records into a log folder
    }
}
