import Foundation
import GRDB

/// Everything one run decided, written to the state in a single transaction: record
/// changes, source health, events and the notifications they produced. Either all of it
/// is stored or none of it, so nothing is lost between "noticed" and "queued".
public struct RunBatch: Sendable {
    /// The changes to one source's stored records.
    public struct RecordWrites: Sendable {
        public var upserts: [Record] = []
        public var deletions: [String] = []

        public init(upserts: [Record] = [], deletions: [String] = []) {
            self.upserts = upserts
            self.deletions = deletions
        }
    }

    /// A notification to store in the outbox before anything is sent.
    public struct QueuedNotification: Sendable {
        public var idempotencyKey: String
        public var eventID: String
        public var outputID: String
        public var recipient: String?
        public var subject: String
        public var text: String
        public var html: String?
        /// Set when a rule with `realert` sent it: remembered so the window can be honoured.
        public var realert: RealertMark?
        /// Set when it waits for a digest instead of going to the outbox.
        public var digest: DigestItem?

        public init(
            idempotencyKey: String, eventID: String, outputID: String, recipient: String?, subject: String,
            text: String,
            html: String? = nil
        ) {
            self.idempotencyKey = idempotencyKey
            self.eventID = eventID
            self.outputID = outputID
            self.recipient = recipient
            self.subject = subject
            self.text = text
            self.html = html
        }
    }

    public var startedAt: Date
    public var sources: [SourceState] = []
    public var recordWrites: [String: RecordWrites] = [:]
    public var events: [Event] = []
    public var notifications: [QueuedNotification] = []
    /// The `webhook-id` of the push this batch applies; storing it twice fails the whole batch.
    public var webhookID: (id: String, source: String)?

    /// Who was told about which record by which rule, for `realert` windows.
    public struct RealertMark: Sendable, Hashable {
        public var rule: String
        public var recipient: String
        public var source: String
        public var key: String
    }
    /// When set, the run is marked finished with this exit code in the same transaction.
    public var exitCode: Int32?
    /// When set, the batch belongs to this run (a follow-up pass) instead of starting a new one.
    public var runID: Int64?
    /// Transitions held for confirmation, new or seen again (replacing the stored row).
    public var held: [HeldTransition] = []
    /// Held transitions released or cancelled: (rule, source, key).
    public var unheld: [(rule: String, source: String, key: String)] = []
    /// Deadline ids whose watch rows are rebuilt from scratch, with their new specification.
    public var deadlineRebuilds: [String: String] = [:]
    /// When set, watch rows of deadlines not in this set are dropped (no longer configured).
    public var configuredDeadlines: Set<String>?
    /// Deadline watch rows to store (re-armed when the value changed) or, without a watch, remove.
    public var deadlineWatches: [DeadlineWatchRow] = []
    /// Deadline watch rows that fired in this batch.
    public var firedDeadlines: [DeadlineWatchRow] = []
    /// Digest items gathered into a digest in this batch (their `seq`).
    public var consumedDigestItems: [Int64] = []

    public init(startedAt: Date) {
        self.startedAt = startedAt
    }
}

extension StateStore {
    /// When `rule` last notified `recipient` about a record, for `realert` windows.
    public func lastNotified(_ mark: RunBatch.RealertMark) -> Date? {
        let seconds = try? read { db in
            try Double.fetchOne(
                db,
                sql:
                    "SELECT notified_at FROM realert WHERE rule_id = ? AND recipient_id = ? AND source_id = ? AND record_key = ?",
                arguments: [mark.rule, mark.recipient, mark.source, mark.key])
        }
        return (seconds ?? nil).map(Date.init(timeIntervalSince1970:))
    }

    /// True when a push with this `webhook-id` was already applied.
    public func hasReceivedWebhook(_ id: String) throws(Failure) -> Bool {
        try read { db in
            try Bool.fetchOne(db, sql: "SELECT 1 FROM received_webhook WHERE id = ?", arguments: [id]) ?? false
        }
    }

    /// Stores a run's batch in one transaction; returns the run id.
    @discardableResult
    public func commit(_ batch: RunBatch) throws(Failure) -> Int64 {
        try write { db in
            if batch.runID == nil {
                try db.execute(
                    sql: "INSERT INTO run (started_at, finished_at, exit_code) VALUES (?, ?, ?)",
                    arguments: [
                        batch.startedAt.timeIntervalSince1970, batch.exitCode.map { _ in Date().timeIntervalSince1970 },
                        batch.exitCode,
                    ])
            }
            let runID = batch.runID ?? db.lastInsertedRowID
            let now = batch.startedAt.timeIntervalSince1970
            for state in batch.sources {
                try Self.save(state, in: db)
            }
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO record (source_id, key, content, digest, first_seen, last_changed) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source_id, key) DO UPDATE
                    SET content = excluded.content, digest = excluded.digest, last_changed = excluded.last_changed
                    """)
            let delete = try db.cachedStatement(sql: "DELETE FROM record WHERE source_id = ? AND key = ?")
            for (sourceID, writes) in batch.recordWrites {
                for record in writes.upserts {
                    let encoding = record.canonicalEncoding
                    try upsert.execute(arguments: [
                        sourceID, record.key, encoding, RecordDiff.digest(encoding), now, now,
                    ])
                }
                for key in writes.deletions {
                    try delete.execute(arguments: [sourceID, key])
                }
            }
            for event in batch.events {
                try Self.insert(event, runID: runID, in: db)
            }
            try Self.enqueue(batch.notifications.filter { $0.digest == nil }, at: now, in: db)
            try Self.saveFollowUps(batch, at: now, in: db)
            let remember = try db.cachedStatement(
                sql:
                    "INSERT OR REPLACE INTO realert (rule_id, recipient_id, source_id, record_key, notified_at) VALUES (?, ?, ?, ?, ?)"
            )
            for mark in Set(batch.notifications.compactMap(\.realert)) {
                try remember.execute(arguments: [mark.rule, mark.recipient, mark.source, mark.key, now])
            }
            if let (id, source) = batch.webhookID {
                // Ids older than the ±5 minute window can never be replayed successfully.
                try db.execute(sql: "DELETE FROM received_webhook WHERE received_at < ?", arguments: [now - 900])
                try db.execute(
                    sql: "INSERT INTO received_webhook (id, source_id, received_at) VALUES (?, ?, ?)",
                    arguments: [id, source, now])
            }
            return runID
        }
    }

    /// Marks a run finished with its exit code.
    public func finishRun(_ runID: Int64, exitCode: Int32, at date: Date) throws(Failure) {
        try write { db in
            try db.execute(
                sql: "UPDATE run SET finished_at = ?, exit_code = ? WHERE id = ?",
                arguments: [date.timeIntervalSince1970, exitCode, runID])
        }
    }

    static func insert(_ event: Event, runID: Int64, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: "INSERT INTO event (id, run_id, at, source_id, kind, record_key, content) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        try statement.execute(arguments: [
            event.id, runID, event.at.timeIntervalSince1970, event.sourceID, event.kind.rawValue, event.record?.key,
            EventCoding.encode(event),
        ])
    }

    /// Queues notifications, due at `now`. A key already queued is left as it is.
    static func enqueue(_ notifications: [RunBatch.QueuedNotification], at now: Double, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO outbox (idempotency_key, event_id, output_id, recipient, subject, body_text, body_html,
                                    next_attempt_at, retry_window_start, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING
                """)
        for notification in notifications {
            try statement.execute(arguments: [
                notification.idempotencyKey, notification.eventID, notification.outputID, notification.recipient,
                notification.subject, notification.text, notification.html, now, now, now,
            ])
        }
    }

    static func save(_ state: SourceState, in db: Database) throws {
        var statuses = "["
        for (index, word) in state.unmappedStatuses.enumerated() {
            if index > 0 { statuses += "," }
            statuses += JSONWriter.string(word)
        }
        statuses += "]"
        try db.execute(
            sql: """
                INSERT OR REPLACE INTO source (id, etag, last_modified, baseline_at, last_success_at, last_attempt_at,
                    failing_since, failure_kind, failure_message, consecutive_failures, record_count, unmapped_statuses)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                state.id, state.validators.etag, state.validators.lastModified, state.baselineAt?.timeIntervalSince1970,
                state.lastSuccessAt?.timeIntervalSince1970, state.lastAttemptAt?.timeIntervalSince1970,
                state.failingSince?.timeIntervalSince1970, state.failureKind, state.failureMessage,
                state.consecutiveFailures, state.recordCount, statuses,
            ])
    }
}
