import Foundation
import GRDB

extension SQLiteStateStore {
    static let mailingMigration = """
        CREATE TABLE subscription (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            recipient_id TEXT NOT NULL, list_id TEXT NOT NULL,
            person_source TEXT, person_key TEXT, person_name TEXT,
            created_at REAL NOT NULL,
            UNIQUE (recipient_id, list_id)
        );
        CREATE TABLE suppression (
            recipient_id TEXT NOT NULL, list_id TEXT NOT NULL, reason TEXT NOT NULL, at REAL NOT NULL, detail TEXT,
            PRIMARY KEY (recipient_id, list_id)
        ) WITHOUT ROWID;
        ALTER TABLE outbox ADD COLUMN subscription_id INTEGER REFERENCES subscription(id);
        CREATE INDEX outbox_subscription ON outbox(subscription_id) WHERE subscription_id IS NOT NULL;
        """

    /// Every suppression, by recipient then list.
    public func suppressions() throws(StateError) -> [Suppression] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM suppression ORDER BY recipient_id, list_id").map { row in
                Suppression(
                    recipientID: row["recipient_id"], list: row["list_id"],
                    reason: Suppression.Reason(rawValue: row["reason"]) ?? .unsubscribed,
                    at: Date(timeIntervalSince1970: row["at"]), detail: row["detail"])
            }
        }
    }

    /// A stored subscription by the number a token carries.
    public func subscription(id: Int64) throws(StateError) -> StoredSubscription? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM subscription WHERE id = ?", arguments: [id]).map { row in
                var person: PersonReference?
                if let source: String = row["person_source"], let key: String = row["person_key"] {
                    person = PersonReference(sourceID: source, key: key, name: row["person_name"] ?? "")
                }
                return StoredSubscription(
                    id: row["id"],
                    subscription: Subscription(recipientID: row["recipient_id"], list: row["list_id"], person: person),
                    createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    /// The number of a subscription, stored the first time it is used (its person's name is
    /// kept current for the unsubscribe page).
    static func subscriptionID(_ subscription: Subscription, at now: Double, in db: Database) throws -> Int64 {
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO subscription (recipient_id, list_id, person_source, person_key, person_name, created_at)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (recipient_id, list_id) DO UPDATE SET person_name = excluded.person_name
                RETURNING id
                """)
        let person = subscription.person
        return try Int64.fetchOne(
            statement,
            arguments: [subscription.recipientID, subscription.list, person?.sourceID, person?.key, person?.name, now]
        ) ?? 0
    }

    /// Stores suppressions (dropping the mail still pending for them) and lifts others.
    static func write(_ changes: MailingChanges, at now: Double, in db: Database) throws {
        for suppression in changes.suppressions {
            try db.execute(
                sql: """
                    INSERT INTO suppression (recipient_id, list_id, reason, at, detail) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (recipient_id, list_id) DO NOTHING
                    """,
                arguments: [
                    suppression.recipientID, suppression.list, suppression.reason.rawValue,
                    suppression.at.timeIntervalSince1970, suppression.detail,
                ])
            let everything = suppression.list == Subscription.everything
            try db.execute(
                sql: """
                    UPDATE outbox SET state = 'dropped', last_error = ?
                    WHERE state IN ('pending', 'failed') AND subscription_id IN (
                        SELECT id FROM subscription WHERE recipient_id = ? AND (? OR list_id = ?))
                    """,
                arguments: [
                    "recipient \(suppression.reason.rawValue)", suppression.recipientID, everything, suppression.list,
                ])
        }
        for (recipientID, list) in changes.lifted {
            if let list {
                try db.execute(
                    sql: "DELETE FROM suppression WHERE recipient_id = ? AND list_id = ?",
                    arguments: [recipientID, list])
            } else {
                try db.execute(sql: "DELETE FROM suppression WHERE recipient_id = ?", arguments: [recipientID])
            }
        }
    }
}
