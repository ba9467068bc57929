import Foundation
import VigilCEL

/// One outbox row, as `vigil outbox` and the delivery engine see it.
public struct OutboxEntry: Sendable {
    /// Where a notification stands: waiting (or retrying), sent, given up, or dropped by an operator.
    public enum State: String, Sendable {
        case pending, delivered, failed, dropped
    }

    public var notification: RenderedNotification
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var createdAt: Date
    public var lastError: String?
}

/// A notification given up on, as the delivery engine reports it to operators.
public struct DeadLetter: Sendable {
    public var outboxID: Int64
    public var idempotencyKey: String
    public var outputID: String
    public var eventID: String
    public var sourceID: String
    public var eventKind: Event.Kind?
    public var attempts: Int
    public var reason: String
}

/// What one batch of outcomes did to the outbox.
public struct OutcomeSummary: Sendable {
    public var delivered = 0
    public var retrying = 0
    public var deadLettered: [DeadLetter] = []
    /// Notifications queued to tell operators about dead letters.
    public var alertsQueued = 0
    /// Permanent failures already reported (no alert raised).
    public var abandoned = 0
    /// Per output: outcomes and time spent delivering (for metrics).
    public var byOutput: [String: OutputTally] = [:]

    /// What one output did in a delivery pass.
    public struct OutputTally: Sendable {
        public var delivered = 0
        public var retried = 0
        public var failed = 0
        /// Wall time of its `deliver` calls, one entry per batch with the batch size.
        public var batches: [(duration: Duration, count: Int)] = []
    }
}

/// What one delivery outcome does to a pending outbox row: the one rule both stores apply.
enum OutboxTransition: Equatable {
    case delivered
    /// Due again at `next` (seconds since 1970).
    case retry(attempts: Int, next: Double, reason: String)
    /// Given up: a dead letter that raises an alert.
    case deadLetter(attempts: Int, reason: String)
    /// Given up, already reported once: no alert.
    case abandoned(attempts: Int, reason: String)

    /// The transition of a row tried `attempts` times before, whose retry window started at
    /// `windowStart`, after `outcome` at `now` (seconds since 1970).
    init(_ outcome: DeliveryOutcome, attempts previous: Int, windowStart: Double, now: Double, policy: RetryPolicy) {
        let attempts = previous + 1
        switch outcome {
        case .delivered:
            self = .delivered
        case .retry(let hint, let reason):
            let next = now + policy.delay(afterAttempts: attempts, hint: hint).timeInterval
            if next - windowStart > policy.giveUpAfter.timeInterval {
                self = .deadLetter(attempts: attempts, reason: "gave up after \(attempts) attempts: \(reason)")
            } else {
                self = .retry(attempts: attempts, next: next, reason: reason)
            }
        case .failed(let reason):
            self = .deadLetter(attempts: attempts, reason: reason)
        case .abandoned(let reason):
            self = .abandoned(attempts: attempts, reason: reason)
        }
    }
}
