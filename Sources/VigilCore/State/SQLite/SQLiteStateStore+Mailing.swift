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
            address TEXT,
            PRIMARY KEY (recipient_id, list_id)
        ) WITHOUT ROWID;
        CREATE TABLE bounce (
            address TEXT PRIMARY KEY NOT NULL COLLATE NOCASE, hard INTEGER NOT NULL DEFAULT 0,
            soft INTEGER NOT NULL DEFAULT 0, last_at REAL NOT NULL, last_status TEXT
        ) WITHOUT ROWID;
        CREATE TABLE policy_rejection (
            output_id TEXT PRIMARY KEY NOT NULL, first_at REAL NOT NULL, last_at REAL NOT NULL,
            count INTEGER NOT NULL
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
                    at: Date(timeIntervalSince1970: row["at"]), detail: row["detail"], address: row["address"])
            }
        }
    }

    public func sentMessage(outboxID: Int64) throws(StateError) -> SentMessage? {
        try sentMessage(where: "o.id = ?", argument: outboxID)
    }

    public func sentMessage(idempotencyKey: String) throws(StateError) -> SentMessage? {
        try sentMessage(where: "o.idempotency_key = ?", argument: idempotencyKey)
    }

    private func sentMessage(where condition: String, argument: any DatabaseValueConvertible) throws(StateError)
        -> SentMessage?
    {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT o.id, o.output_id, o.event_id, o.recipient, s.recipient_id, s.list_id,
                           s.person_source, s.person_key, s.person_name
                    FROM outbox o LEFT JOIN subscription s ON s.id = o.subscription_id WHERE \(condition)
                    """, arguments: [argument]
            ).map { row in
                SentMessage(
                    outboxID: row["id"], outputID: row["output_id"], eventID: row["event_id"],
                    address: row["recipient"], subscription: Self.subscription(row))
            }
        }
    }

    public func bounceCounts(address: String) throws(StateError) -> BounceCounts {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT hard, soft FROM bounce WHERE address = ?", arguments: [address]).map {
                BounceCounts(hard: $0["hard"], soft: $0["soft"])
            } ?? BounceCounts()
        }
    }

    public func lastPolicyRejection(outputID: String) throws(StateError) -> Date? {
        try read { db in
            try Double.fetchOne(
                db, sql: "SELECT last_at FROM policy_rejection WHERE output_id = ?", arguments: [outputID]
            ).map { Date(timeIntervalSince1970: $0) }
        }
    }

    /// A stored subscription by the number a token carries.
    public func subscription(id: Int64) throws(StateError) -> StoredSubscription? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM subscription WHERE id = ?", arguments: [id]).flatMap { row in
                Self.subscription(row).map {
                    StoredSubscription(
                        id: row["id"], subscription: $0, createdAt: Date(timeIntervalSince1970: row["created_at"]))
                }
            }
        }
    }

    /// The subscription in a row's `recipient_id`, `list_id` and `person_*` columns; nil when
    /// the row has none (an outbox row joined to no subscription).
    static func subscription(_ row: Row) -> Subscription? {
        guard let recipient: String = row["recipient_id"], let list: String = row["list_id"] else { return nil }
        var person: PersonReference?
        if let source: String = row["person_source"], let key: String = row["person_key"] {
            person = PersonReference(sourceID: source, key: key, name: row["person_name"] ?? "")
        }
        return Subscription(recipientID: recipient, list: list, person: person)
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
                    INSERT INTO suppression (recipient_id, list_id, reason, at, detail, address) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (recipient_id, list_id) DO NOTHING
                    """,
                arguments: [
                    suppression.recipientID, suppression.list, suppression.reason.rawValue,
                    suppression.at.timeIntervalSince1970, suppression.detail, suppression.address,
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
        for bounce in changes.bounces {
            try db.execute(
                sql: """
                    INSERT INTO bounce (address, hard, soft, last_at, last_status) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (address) DO UPDATE SET hard = hard + excluded.hard, soft = soft + excluded.soft,
                        last_at = excluded.last_at, last_status = excluded.last_status
                    """,
                arguments: [
                    bounce.address, bounce.hard ? 1 : 0, bounce.hard ? 0 : 1, bounce.at.timeIntervalSince1970,
                    bounce.status,
                ])
        }
        for (outputID, at) in changes.policyRejections {
            try db.execute(
                sql: """
                    INSERT INTO policy_rejection (output_id, first_at, last_at, count) VALUES (?, ?, ?, 1)
                    ON CONFLICT (output_id) DO UPDATE SET last_at = excluded.last_at, count = count + 1
                    """, arguments: [outputID, at.timeIntervalSince1970, at.timeIntervalSince1970])
        }
        for (recipientID, list) in changes.lifted {
            // A bounce's count starts again with the resubscription.
            try db.execute(
                sql: """
                    DELETE FROM bounce WHERE address IN (
                        SELECT address FROM suppression WHERE recipient_id = ? AND (? IS NULL OR list_id = ?)
                        AND address IS NOT NULL)
                    """, arguments: [recipientID, list, list])
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
