import Foundation
import GRDB

extension SQLiteStateStore {
    /// Pending rows whose next attempt is due, oldest first.
    public func dueNotifications(at date: Date, limit: Int) throws(StateError) -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.*, e.kind AS event_kind, e.source_id AS event_source, e.at AS event_at, e.content AS event_content
                    FROM outbox o LEFT JOIN event e ON e.id = o.event_id
                    WHERE o.state = 'pending' AND o.next_attempt_at <= ? ORDER BY o.id LIMIT ?
                    """,
                arguments: [date.timeIntervalSince1970, limit]
            ).map(Self.outboxEntry)
        }
    }

    /// Pending and failed rows, for `vigil outbox`.
    public func undeliveredNotifications() throws(StateError) -> [OutboxEntry] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM outbox WHERE state IN ('pending', 'failed') ORDER BY id")
                .map(Self.outboxEntry)
        }
    }

    /// Records delivery outcomes in one transaction. For each row given up on, `alert` may
    /// return an operational event and its notifications, stored in the same transaction so
    /// a dead letter is never silent.
    @discardableResult
    public func recordOutcomes(
        _ outcomes: [(id: Int64, outcome: DeliveryOutcome)], at date: Date, policy: RetryPolicy, runID: Int64?,
        alert: (DeadLetter) -> (event: Event, notifications: [QueuedNotification])?
    ) throws(StateError) -> OutcomeSummary {
        try write { db in
            var summary = OutcomeSummary()
            let now = date.timeIntervalSince1970
            let delivered = try db.cachedStatement(
                sql: """
                    UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL
                    WHERE id = ? AND state = 'pending'
                    """)
            var failures: [(row: Row, attempts: Int, reason: String)] = []
            for (id, outcome) in outcomes {
                if case .delivered = outcome {
                    try delivered.execute(arguments: [now, id])
                    summary.delivered += 1
                    continue
                }
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT o.id, o.idempotency_key, o.output_id, o.event_id, o.attempts, o.retry_window_start,
                                   e.source_id, e.kind
                            FROM outbox o LEFT JOIN event e ON e.id = o.event_id
                            WHERE o.id = ? AND o.state = 'pending'
                            """, arguments: [id])
                else { continue }
                switch OutboxTransition(
                    outcome, attempts: row["attempts"], windowStart: row["retry_window_start"], now: now, policy: policy
                )
                {
                case .delivered:
                    break
                case .retry(let attempts, let next, let reason):
                    try db.execute(
                        sql: "UPDATE outbox SET attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?",
                        arguments: [attempts, next, reason, id])
                    summary.retrying += 1
                case .deadLetter(let attempts, let reason):
                    failures.append((row, attempts, reason))
                case .abandoned(let attempts, let reason):
                    try db.execute(
                        sql: "UPDATE outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?",
                        arguments: [attempts, reason, id])
                    summary.abandoned += 1
                }
            }
            for (row, attempts, reason) in failures {
                let id: Int64 = row["id"]
                try db.execute(
                    sql: "UPDATE outbox SET state = 'failed', attempts = ?, last_error = ? WHERE id = ?",
                    arguments: [attempts, reason, id])
                let deadLetter = DeadLetter(
                    outboxID: id, idempotencyKey: row["idempotency_key"], outputID: row["output_id"],
                    eventID: row["event_id"], sourceID: row["source_id"] ?? "",
                    eventKind: (row["kind"] as String?).flatMap(Event.Kind.init),
                    attempts: attempts, reason: reason)
                summary.deadLettered.append(deadLetter)
                if let runID, let (event, notifications) = alert(deadLetter) {
                    try Self.insert(event, runID: runID, in: db)
                    try Self.enqueue(notifications, at: now, in: db)
                    summary.alertsQueued += notifications.count
                }
            }
            return summary
        }
    }

    /// Makes failed rows pending again, due now, with a fresh give-up window. Returns how many.
    @discardableResult
    public func retry(ids: [Int64]?, at date: Date) throws(StateError) -> Int {
        try write { db in
            let now = date.timeIntervalSince1970
            if let ids {
                var count = 0
                for id in ids {
                    try db.execute(
                        sql: """
                            UPDATE outbox SET state = 'pending', next_attempt_at = ?, retry_window_start = ?
                            WHERE id = ? AND state = 'failed'
                            """, arguments: [now, now, id])
                    count += db.changesCount
                }
                return count
            }
            try db.execute(
                sql:
                    "UPDATE outbox SET state = 'pending', next_attempt_at = ?, retry_window_start = ? WHERE state = 'failed'",
                arguments: [now, now])
            return db.changesCount
        }
    }

    /// Gives up a pending or failed row for good. Returns false when no such row is undelivered.
    @discardableResult
    public func drop(id: Int64) throws(StateError) -> Bool {
        try write { db in
            try db.execute(
                sql: "UPDATE outbox SET state = 'dropped' WHERE id = ? AND state IN ('pending', 'failed')",
                arguments: [id])
            return db.changesCount == 1
        }
    }

    static func outboxEntry(_ row: Row) -> OutboxEntry {
        var event: Event?
        if let content: String = row["event_content"],
            let kind = (row["event_kind"] as String?).flatMap(Event.Kind.init)
        {
            event = try? EventCoding.decode(
                id: row["event_id"], kind: kind, sourceID: row["event_source"] ?? "",
                at: Date(timeIntervalSince1970: row["event_at"] ?? 0), content: content)
        }
        return OutboxEntry(
            notification: RenderedNotification(
                id: row["id"], idempotencyKey: row["idempotency_key"], eventID: row["event_id"],
                outputID: row["output_id"], recipient: row["recipient"], subject: row["subject"],
                text: row["body_text"], html: row["body_html"], event: event, subscriptionID: row["subscription_id"]),
            state: OutboxEntry.State(rawValue: row["state"]) ?? .pending,
            attempts: row["attempts"],
            nextAttemptAt: Date(timeIntervalSince1970: row["next_attempt_at"]),
            createdAt: Date(timeIntervalSince1970: row["created_at"]),
            lastError: row["last_error"])
    }
}
