public import GammaLiveAlerting
public import GammaModel
public import GammaRecorder
public import GammaRules
public import GammaPromQL
import Synchronization

/// Live alerting wired to a recording: the recorder's metric observer feeds the evaluator, and
/// the evaluator's transitions go back into the same recorder as alert records.
///
/// The two refer to each other, so the recorder is made after this (it takes
/// ``metricObserver``) and handed over with ``attach(_:)``; records that arrive before that are
/// not possible, as nothing is recorded before the recorder exists.
public final class RecordedAlerting: Sendable {
    public let live: any LiveRuleEvaluation
    private let slot = RecorderSlot()

    /// - Parameter onDelivery: told of each delivery and each notification given up, with the
    ///   recorder once attached (`run` counts them in the log; a simulation does not, as they
    ///   happen in real time and would make its log depend on the network).
    public init(
        rules: [AlertRule], interval: Int64, notifiers: [any AlertNotifier],
        onDelivery: @escaping @Sendable (String, AlertNotification, NotifierError?, LogRecorder?) -> Void = {
            _, _, _, _ in
        }
    )
        throws(LabelMatcherError)
    {
        let slot = self.slot
        live = try LiveAlerting(
            rules: rules, interval: interval, notifiers: notifiers,
            write: { record in slot.recorder.withLock { $0 }?.record(.alert(record)) },
            onDelivery: { notifier, notification, error in
                onDelivery(notifier, notification, error, slot.recorder.withLock { $0 })
            })
    }

    /// A Prometheus rule file evaluated live (``LivePromAlerting``): the recording scraped as a
    /// server would scrape it, `units` the recorded unit of each metric name.
    public init(
        prometheus file: PromRuleFile, units: [String: String], notifiers: [any AlertNotifier],
        onDelivery: @escaping @Sendable (String, AlertNotification, NotifierError?, LogRecorder?) -> Void = {
            _, _, _, _ in
        }
    ) {
        let slot = self.slot
        live = LivePromAlerting(
            file: file, stream: "gamma-agent", units: units, notifiers: notifiers,
            write: { record in slot.recorder.withLock { $0 }?.record(.alert(record)) },
            onDelivery: { notifier, notification, error in
                onDelivery(notifier, notification, error, slot.recorder.withLock { $0 })
            })
    }

    /// For the recorder's `metricObserver`.
    public var metricObserver: @Sendable (MetricRecord) -> Void {
        let live = self.live
        return { live.observe($0) }
    }

    /// The recorder the transitions go to.
    public func attach(_ recorder: LogRecorder) {
        slot.recorder.withLock { $0 = recorder }
        (live as? LivePromAlerting)?.name(stream: recorder.stream)
    }
}

/// The recorder, for the closures made before it exists.
private final class RecorderSlot: Sendable {
    let recorder = Mutex<LogRecorder?>(nil)
}
