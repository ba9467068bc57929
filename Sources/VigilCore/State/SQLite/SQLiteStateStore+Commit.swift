import Foundation
import GRDB

extension SQLiteStateStore {
    /// True when a push with this `webhook-id` was already applied.
    public func hasReceivedPush(id: String) throws(StateError) -> Bool {
        try read { db in
            try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM received_webhook WHERE id = ?"), arguments: [id])
                ?? false
        }
    }

    /// Stores a change set in one transaction; returns the run id. A push id stored before
    /// fails the whole commit with ``StateError/duplicatePush(id:)``.
    @discardableResult
    public func commit(_ batch: ChangeSet) throws(StateError) -> Int64 {
        try write { db in try Self.write(batch, in: db) }
    }

    private static func write(_ batch: ChangeSet, in db: Database) throws -> Int64 {
        if batch.runID == nil {
            try db.cachedStatement(sql: "INSERT INTO run (started_at, finished_at, exit_code) VALUES (?, ?, ?)")
                .execute(arguments: [
                    batch.startedAt.timeIntervalSince1970, batch.exitCode.map { _ in Date().timeIntervalSince1970 },
                    batch.exitCode,
                ])
        }
        let runID = batch.runID ?? db.lastInsertedRowID
        let now = batch.startedAt.timeIntervalSince1970
        for state in batch.sources {
            try Self.save(state, in: db)
            try Self.sampleRecordCount(state, in: db)
        }
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO record (source_id, key, content, digest, first_seen, last_changed, raw_digest)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source_id, key) DO UPDATE
                SET content = excluded.content, digest = excluded.digest, last_changed = excluded.last_changed,
                    raw_digest = excluded.raw_digest
                """)
        let delete = try db.cachedStatement(sql: "DELETE FROM record WHERE source_id = ? AND key = ?")
        let rememberRaw = try db.cachedStatement(
            sql: "UPDATE record SET raw_digest = ? WHERE source_id = ? AND key = ?")
        for (sourceID, writes) in batch.records {
            for record in writes.upserts {
                let encoding = record.canonicalEncoding
                try upsert.execute(arguments: [
                    sourceID, record.key, encoding, RecordDiff.digest(encoding), now, now,
                    writes.rawDigests[record.key],
                ])
            }
            for (key, raw) in writes.rawDigestsOnly {
                try rememberRaw.execute(arguments: [raw, sourceID, key])
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
        try Self.write(batch.people, at: now, in: db)
        if !batch.mailing.isEmpty { try Self.write(batch.mailing, at: now, in: db) }
        if !batch.pushes.isEmpty {
            // Ids older than the ±5 minute window can never be replayed successfully.
            try db.cachedStatement(sql: "DELETE FROM received_webhook WHERE received_at < ?")
                .execute(arguments: [now - 900])
            let receive = try db.cachedStatement(
                sql: "INSERT INTO received_webhook (id, source_id, received_at) VALUES (?, ?, ?)")
            for push in batch.pushes {
                do {
                    try receive.execute(arguments: [push.id, push.sourceID, now])
                } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_PRIMARYKEY {
                    throw StateError.duplicatePush(id: push.id)
                }
            }
        }
        return runID
    }

    /// Marks a run finished with its exit code.
    public func finishRun(_ runID: Int64, exitCode: Int32, at date: Date) throws(StateError) {
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
    static func enqueue(_ notifications: [QueuedNotification], at now: Double, in db: Database) throws {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO outbox (idempotency_key, event_id, output_id, recipient, subject, body_text, body_html,
                                    next_attempt_at, retry_window_start, created_at, subscription_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING
                """)
        for notification in notifications {
            let subscription = try notification.subscription.map { try subscriptionID($0, at: now, in: db) }
            try statement.execute(arguments: [
                notification.idempotencyKey, notification.eventID, notification.outputID, notification.recipient,
                notification.subject, notification.text, notification.html, now, now, now, subscription,
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
