import CoreMetrics
import Synchronization
import GammaModel

/// `Counter`: each increment is a counter record carrying the increment.
final class GammaCounter: CounterHandler, FloatingPointCounterHandler {
    let template: MetricLineTemplate
    let recorder: LogRecorder

    init(_ template: MetricLineTemplate, _ recorder: LogRecorder) {
        self.template = template
        self.recorder = recorder
    }

    func increment(by amount: Int64) { template.emit(ts: recorder.clock.now(), int: amount, to: recorder) }
    func increment(by amount: Double) { template.emit(ts: recorder.clock.now(), double: amount, to: recorder) }
    /// Counter records carry increments, so a reset has nothing to write: replay sums increments.
    func reset() {}
}

/// `Meter` (and a non-aggregating `LogRecorder`): each change is a gauge record carrying the new value.
final class GammaGauge: MeterHandler, RecorderHandler {
    let template: MetricLineTemplate
    let recorder: LogRecorder
    private let current = Mutex<Double>(0)

    init(_ template: MetricLineTemplate, _ recorder: LogRecorder) {
        self.template = template
        self.recorder = recorder
    }

    func set(_ value: Int64) { set(Double(value)) }
    func set(_ value: Double) {
        current.withLock { $0 = value }
        template.emit(ts: recorder.clock.now(), double: value, to: recorder)
    }
    func increment(by amount: Double) { change(amount) }
    func decrement(by amount: Double) { change(-amount) }
    func record(_ value: Int64) { set(Double(value)) }
    func record(_ value: Double) { set(value) }

    private func change(_ delta: Double) {
        let value = current.withLock { v -> Double in
            v += delta
            return v
        }
        template.emit(ts: recorder.clock.now(), double: value, to: recorder)
    }
}

/// An aggregating `LogRecorder`: each value is a histogram observation.
final class GammaHistogram: RecorderHandler {
    let template: MetricLineTemplate
    let recorder: LogRecorder

    init(_ template: MetricLineTemplate, _ recorder: LogRecorder) {
        self.template = template
        self.recorder = recorder
    }

    func record(_ value: Int64) { template.emit(ts: recorder.clock.now(), int: value, to: recorder) }
    func record(_ value: Double) { template.emit(ts: recorder.clock.now(), double: value, to: recorder) }
}

/// `Timer`: each duration is a histogram observation in milliseconds (unit "ms" in the meta record).
final class GammaTimer: TimerHandler {
    let template: MetricLineTemplate
    let recorder: LogRecorder

    init(_ template: MetricLineTemplate, _ recorder: LogRecorder) {
        self.template = template
        self.recorder = recorder
    }

    func recordNanoseconds(_ duration: Int64) {
        template.emit(ts: recorder.clock.now(), double: Double(duration) / 1_000_000, to: recorder)
    }
}
