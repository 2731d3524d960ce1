/// Where one rule's group is: the state machine of docs/ALERTING.md, pure and shared by live
/// evaluation and backtests.
public struct AlertGroupState: Sendable, Equatable {
    public enum Phase: String, Sendable { case inactive, pending, firing }

    public private(set) var phase = Phase.inactive
    /// When the condition started to hold (pending or firing).
    public private(set) var activeSince: Int64?
    /// The last evaluation at which the condition held.
    public private(set) var lastHeld: Int64?
    /// The last firing notification sent (for the cooldown).
    public private(set) var lastNotified: Int64?
    /// Whether the current episode's firing was notified (its resolution is notified only then).
    public private(set) var episodeNotified = false

    public init() {}

    /// A change of phase, and whether it is sent to the notifiers.
    public struct Step: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// The condition holds; `for` has not yet passed.
            case pending
            /// The alert fires.
            case firing
            /// A firing alert stopped (its condition did not hold for `keep_firing_for`).
            case resolved
            /// A pending alert's condition stopped holding before `for` passed.
            case inactive
        }
        public var kind: Kind
        public var notify: Bool
        /// Why a firing or resolution is not sent: `cooldown`, or `not notified` for the
        /// resolution of a firing that was not sent.
        public var suppressedBy: String?
    }

    /// Advances to evaluation time `t`, where the condition `holds` or not (no value never holds).
    /// Returns the transitions in order: at most two (pending and firing at once when `for` is 0).
    public mutating func step(at t: Int64, holds: Bool, rule: AlertRule) -> [Step] {
        var steps: [Step] = []
        if holds { lastHeld = t }
        switch phase {
        case .inactive:
            guard holds else { break }
            activeSince = t
            if rule.forDuration == 0 {
                steps.append(fire(at: t, rule: rule))
            } else {
                phase = .pending
                steps.append(Step(kind: .pending, notify: false))
            }
        case .pending:
            if !holds {
                phase = .inactive
                activeSince = nil
                steps.append(Step(kind: .inactive, notify: false))
            } else if t - activeSince! >= rule.forDuration {
                steps.append(fire(at: t, rule: rule))
            }
        case .firing:
            guard !holds, t - (lastHeld ?? t) >= rule.keepFiringFor else { break }
            phase = .inactive
            activeSince = nil
            let notified = episodeNotified
            episodeNotified = false
            steps.append(Step(kind: .resolved, notify: notified, suppressedBy: notified ? nil : "not notified"))
        }
        return steps
    }

    private mutating func fire(at t: Int64, rule: AlertRule) -> Step {
        phase = .firing
        if let last = lastNotified, t - last < rule.cooldown {
            episodeNotified = false
            return Step(kind: .firing, notify: false, suppressedBy: "cooldown")
        }
        lastNotified = t
        episodeNotified = true
        return Step(kind: .firing, notify: true)
    }
}
