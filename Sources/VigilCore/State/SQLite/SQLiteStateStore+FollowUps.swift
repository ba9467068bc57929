import Foundation
import GRDB

/// Stored state of the rules' follow-ups: held transitions, deadline watches, digest items.
extension SQLiteStateStore {
    /// Every transition held for confirmation.
    public func heldTransitions() throws(StateError) -> [HeldTransition] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM held ORDER BY held_since").map { row in
                let approvedBy: String? = row["approved_by"]
                let approvedAt: Double? = row["approved_at"]
                let announcedAt: Double? = row["announced_at"]
                return HeldTransition(
                    ruleID: row["rule_id"], sourceID: row["source_id"], key: row["record_key"],
                    eventID: row["event_id"], status: row["status"], runsSeen: row["runs_seen"],
                    heldSince: Date(timeIntervalSince1970: row["held_since"]),
                    approval: approvedBy.map { HoldApproval(by: $0, at: Date(timeIntervalSince1970: approvedAt ?? 0)) },
                    announcedAt: announcedAt.map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    /// Decisions about transitions held for approval, newest first.
    public func holdDecisions(records: Set<RecordRef>?) throws(StateError) -> [HoldDecision] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM hold_decision ORDER BY seq DESC").compactMap { row in
                guard let verdict = HoldDecision.Verdict(rawValue: row["verdict"]) else { return nil }
                let decision = HoldDecision(
                    eventID: row["event_id"], ruleID: row["rule_id"], sourceID: row["source_id"],
                    key: row["record_key"], status: row["status"], verdict: verdict, by: row["decided_by"],
                    at: Date(timeIntervalSince1970: row["decided_at"]), reason: row["reason"])
                return records.map { $0.contains(decision.record) } ?? true ? decision : nil
            }
        }
    }

    /// One stored event, or nil.
    public func event(id: String) throws(StateError) -> Event? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM event WHERE id = ?", arguments: [id]),
                let kind = Event.Kind(rawValue: row["kind"])
            else { return nil }
            return try EventCoding.decode(
                id: row["id"], kind: kind, sourceID: row["source_id"], at: Date(timeIntervalSince1970: row["at"]),
                content: row["content"])
        }
    }

    /// The specification each deadline's watch rows were built for.
    public func deadlineSpecifications() throws(StateError) -> [String: String] {
        try read { db in
            var result: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT deadline_id, specification FROM deadline_index") {
                result[row[0]] = row[1]
            }
            return result
        }
    }

    /// The deadlines due at `now`, with the records they are about.
    public func dueDeadlines(at now: Date) throws(StateError) -> [DueDeadline] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT w.deadline_id, w.source_id, w.record_key, w.value, r.content FROM deadline_watch w
                    JOIN record r ON r.source_id = w.source_id AND r.key = w.record_key
                    WHERE w.fired = 0 AND w.due_at <= ? AND (w.expires_at IS NULL OR w.expires_at > ?)
                    ORDER BY w.due_at
                    """, arguments: [now.timeIntervalSince1970, now.timeIntervalSince1970])
            return try rows.map { row in
                guard let record = try? Record(key: row[2], canonicalEncoding: row[4]) else {
                    throw StateError.corruptRecord(source: row[1], key: row[2])
                }
                return DueDeadline(deadlineID: row[0], sourceID: row[1], record: record, value: row[3])
            }
        }
    }

    /// True when some waiting digest item's own window has ended (a group is due only then).
    public func hasDueDigestItems(at now: Date) throws(StateError) -> Bool {
        try read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM digest_item WHERE created_at + window_seconds <= ? LIMIT 1",
                arguments: [now.timeIntervalSince1970]) ?? false
        }
    }

    /// Every waiting digest item, oldest first.
    public func digestItems() throws(StateError) -> [StoredDigestItem] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM digest_item ORDER BY seq").map { row in
                StoredDigestItem(
                    sequence: row["seq"],
                    item: DigestItem(
                        recipientID: row["recipient_id"], outputID: row["output_id"], address: row["address"],
                        window: row["window_seconds"], template: row["template"]),
                    eventID: row["event_id"], idempotencyKey: row["idempotency_key"],
                    rendered: TemplateLibrary.Rendered(
                        subject: row["subject"], text: row["body_text"], html: row["body_html"]),
                    createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    /// Writes a batch's follow-ups inside its transaction.
    static func saveFollowUps(_ batch: ChangeSet, at now: Double, in db: Database) throws {
        for id in batch.holds.released {
            try db.execute(
                sql: "DELETE FROM held WHERE rule_id = ? AND source_id = ? AND record_key = ?",
                arguments: [id.ruleID, id.sourceID, id.key])
        }
        for held in batch.holds.held {
            try db.execute(
                sql: """
                    INSERT OR REPLACE INTO held (rule_id, source_id, record_key, event_id, status, runs_seen, held_since,
                        approved_by, approved_at, announced_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    held.ruleID, held.sourceID, held.key, held.eventID, held.status, held.runsSeen,
                    held.heldSince.timeIntervalSince1970, held.approval?.by, held.approval?.at.timeIntervalSince1970,
                    held.announcedAt?.timeIntervalSince1970,
                ])
        }
        for decision in batch.holds.decisions {
            try db.execute(
                sql: """
                    INSERT INTO hold_decision (event_id, rule_id, source_id, record_key, status, verdict, decided_by,
                        decided_at, reason)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    decision.eventID, decision.ruleID, decision.sourceID, decision.key, decision.status,
                    decision.verdict.rawValue, decision.by, decision.at.timeIntervalSince1970, decision.reason,
                ])
        }
        if let configured = batch.deadlines.configured {
            for id in try String.fetchAll(db, sql: "SELECT deadline_id FROM deadline_index")
            where !configured.contains(id) {
                try db.execute(sql: "DELETE FROM deadline_watch WHERE deadline_id = ?", arguments: [id])
                try db.execute(sql: "DELETE FROM deadline_index WHERE deadline_id = ?", arguments: [id])
            }
        }
        for (id, specification) in batch.deadlines.rebuilds {
            try db.execute(sql: "DELETE FROM deadline_watch WHERE deadline_id = ?", arguments: [id])
            try db.execute(
                sql: "INSERT OR REPLACE INTO deadline_index (deadline_id, specification) VALUES (?, ?)",
                arguments: [id, specification])
        }
        let watch = try db.cachedStatement(
            sql: """
                INSERT INTO deadline_watch (deadline_id, source_id, record_key, value, due_at, expires_at, fired)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (deadline_id, source_id, record_key) DO UPDATE
                SET fired = CASE WHEN value = excluded.value THEN fired ELSE excluded.fired END,
                    value = excluded.value, due_at = excluded.due_at, expires_at = excluded.expires_at
                """)
        let unwatch = try db.cachedStatement(
            sql: "DELETE FROM deadline_watch WHERE deadline_id = ? AND source_id = ? AND record_key = ?")
        for row in batch.deadlines.watches {
            if let window = row.watch {
                try watch.execute(arguments: [
                    row.deadlineID, row.sourceID, row.key, window.value, window.dueAt.timeIntervalSince1970,
                    window.expiresAt?.timeIntervalSince1970, row.fired && window.dueAt.timeIntervalSince1970 <= now,
                ])
            } else {
                try unwatch.execute(arguments: [row.deadlineID, row.sourceID, row.key])
            }
        }
        for row in batch.deadlines.fired {
            try db.execute(
                sql: "UPDATE deadline_watch SET fired = 1 WHERE deadline_id = ? AND source_id = ? AND record_key = ?",
                arguments: [row.deadlineID, row.sourceID, row.key])
        }
        let gather = try db.cachedStatement(
            sql: """
                INSERT INTO digest_item (recipient_id, output_id, address, window_seconds, template, event_id,
                                         idempotency_key, subject, body_text, body_html, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING
                """)
        for notification in batch.notifications {
            guard let item = notification.digest else { continue }
            try gather.execute(arguments: [
                item.recipientID, item.outputID, item.address, item.window, item.template, notification.eventID,
                notification.idempotencyKey, notification.subject, notification.text, notification.html, now,
            ])
        }
        for sequence in batch.consumedDigestItems {
            try db.execute(sql: "DELETE FROM digest_item WHERE seq = ?", arguments: [sequence])
        }
    }
}

extension SQLiteStateStore {
    /// When a rule last notified a recipient about a record; nil when never.
    public func lastNotified(_ mark: RealertMark) throws(StateError) -> Date? {
        try read { db in
            try Double.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT notified_at FROM realert
                        WHERE rule_id = ? AND recipient_id = ? AND source_id = ? AND record_key = ?
                        """),
                arguments: [mark.rule, mark.recipient, mark.source, mark.key]
            ).map(Date.init(timeIntervalSince1970:))
        }
    }

    /// Every record key any source has reported: stored now, or named by a past event.
    public func reportedKeys() throws(StateError) -> Set<String> {
        try read { db in
            Set(
                try String.fetchAll(
                    db,
                    sql: "SELECT key FROM record UNION SELECT record_key FROM event WHERE record_key IS NOT NULL"))
        }
    }
}
