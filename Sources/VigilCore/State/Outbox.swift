import Foundation
import GRDB

/// One outbox row, as `vigil outbox` and the delivery engine see it.
public struct OutboxEntry: Sendable {
    public enum State: String, Sendable {
        case pending, delivered, failed
    }

    public var notification: RenderedNotification
    public var state: State
    public var attempts: Int
    public var nextAttemptAt: Date
    public var lastError: String?
}

/// How long to wait before retrying a notification that failed transiently.
public struct RetryPolicy: Sendable {
    public var initialDelay: Duration
    public var maxDelay: Duration
    /// After this long since the notification was queued, a failure is final.
    public var giveUpAfter: Duration

    public init(
        initialDelay: Duration = .seconds(60), maxDelay: Duration = .seconds(6 * 3600),
        giveUpAfter: Duration = .seconds(48 * 3600)
    ) {
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.giveUpAfter = giveUpAfter
    }

    /// Exponential backoff with full jitter over the upper half: `attempts` counts this attempt.
    public func delay(afterAttempts attempts: Int, hint: Duration?) -> Duration {
        let exponent = min(max(attempts - 1, 0), 30)
        let base = min(initialDelay * (1 << exponent), maxDelay)
        let jittered = base / 2 + base / 2 * Double.random(in: 0...1)
        if let hint, hint > jittered { return min(hint, maxDelay) }
        return jittered
    }
}

extension StateStore {
    /// Pending rows whose next attempt is due, oldest first.
    public func dueNotifications(at date: Date, limit: Int = 10_000) throws(Failure) -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM outbox WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                arguments: [date.timeIntervalSince1970, limit]
            ).map(Self.outboxEntry)
        }
    }

    /// Pending and failed rows, for `vigil outbox`.
    public func undeliveredNotifications() throws(Failure) -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE state != 'delivered' ORDER BY id").map(
                Self.outboxEntry)
        }
    }

    /// Records delivery outcomes in one transaction. Returns the ids that became failed (dead-lettered).
    @discardableResult
    public func recordOutcomes(
        _ outcomes: [(id: Int64, outcome: DeliveryOutcome)], at date: Date, policy: RetryPolicy = RetryPolicy()
    ) throws(Failure) -> [Int64] {
        try write { db in
            var deadLettered: [Int64] = []
            let now = date.timeIntervalSince1970
            let delivered = try db.cachedStatement(
                sql: """
                    UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL
                    WHERE id = ?
                    """)
            for (id, outcome) in outcomes {
                if case .delivered = outcome {
                    try delivered.execute(arguments: [now, id])
                    continue
                }
                guard
                    let row = try Row.fetchOne(
                        db, sql: "SELECT attempts, created_at FROM outbox WHERE id = ?", arguments: [id])
                else { continue }
                let attempts = (row["attempts"] as Int) + 1
                let createdAt: Double = row["created_at"]
                switch outcome {
                case .delivered:
                    break
                case .retry(let hint, let reason):
                    let delay = policy.delay(afterAttempts: attempts, hint: hint)
                    let next = now + Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18
                    if next - createdAt > Double(policy.giveUpAfter.components.seconds) {
                        try db.execute(
                            sql: "UPDATE outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?",
                            arguments: [attempts, "gave up retrying: \(reason)", id])
                        deadLettered.append(id)
                    } else {
                        try db.execute(
                            sql: "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                            arguments: [attempts, next, reason, id])
                    }
                case .failed(let reason):
                    try db.execute(
                        sql: "UPDATE outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?",
                        arguments: [attempts, reason, id])
                    deadLettered.append(id)
                }
            }
            return deadLettered
        }
    }

    static func outboxEntry(_ row: Row) -> OutboxEntry {
        OutboxEntry(
            notification: RenderedNotification(
                id: row["id"], idempotencyKey: row["idempotency_key"], eventID: row["event_id"],
                outputID: row["output_id"], recipient: row["recipient"], subject: row["subject"],
                text: row["body_text"], html: row["body_html"]),
            state: OutboxEntry.State(rawValue: row["state"]) ?? .pending,
            attempts: row["attempts"],
            nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]),
            lastError: row["last_error"])
    }
}
