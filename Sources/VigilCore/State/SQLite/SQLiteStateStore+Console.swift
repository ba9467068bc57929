import Foundation
import GRDB

/// The console's reads and the team's accounts.
extension SQLiteStateStore {
    public func consoleUsers() throws(StateError) -> [ConsoleUser] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM console_user ORDER BY name").compactMap { row in
                guard let role = ConsoleUser.Role(rawValue: row["role"]) else { return nil }
                return ConsoleUser(
                    name: row["name"], role: role, passwordHash: row["password_hash"],
                    createdAt: Date(timeIntervalSince1970: row["created_at"]))
            }
        }
    }

    public func saveConsoleUser(_ user: ConsoleUser) throws(StateError) {
        try write { db in
            try db.execute(
                sql: "INSERT OR REPLACE INTO console_user (name, role, password_hash, created_at) VALUES (?, ?, ?, ?)",
                arguments: [user.name, user.role.rawValue, user.passwordHash, user.createdAt.timeIntervalSince1970])
        }
    }

    @discardableResult
    public func removeConsoleUser(name: String) throws(StateError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM console_user WHERE name = ?", arguments: [name])
            return db.changesCount > 0
        }
    }

    public func recordCountHistory(since date: Date) throws(StateError) -> [String: [RecordCountSample]] {
        try read { db in
            var history: [String: [RecordCountSample]] = [:]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT source_id, hour, record_count FROM source_history WHERE hour >= ? ORDER BY hour",
                arguments: [Self.hourBucket(date)])
            while let row = try rows.next() {
                let hour: Int64 = row["hour"]
                history[row["source_id"], default: []].append(
                    RecordCountSample(at: Date(timeIntervalSince1970: Double(hour) * 3600), count: row["record_count"]))
            }
            return history
        }
    }

    public func events(matching filter: EventFilter, limit: Int) throws(StateError) -> [StoredEvent] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let source = filter.source {
            conditions.append("source_id = ?")
            arguments.append(source)
        }
        if let kind = filter.kind {
            conditions.append("kind = ?")
            arguments.append(kind.rawValue)
        }
        if let records = filter.records {
            guard !records.isEmpty else { return [] }
            let pairs = records.sorted { ($0.sourceID, $0.key) < ($1.sourceID, $1.key) }
            conditions.append(
                "(" + pairs.map { _ in "(source_id = ? AND record_key = ?)" }.joined(separator: " OR ") + ")")
            for pair in pairs {
                arguments.append(pair.sourceID)
                arguments.append(pair.key)
            }
        }
        if let from = filter.from {
            conditions.append("at >= ?")
            arguments.append(from.timeIntervalSince1970)
        }
        if let to = filter.to {
            conditions.append("at < ?")
            arguments.append(to.timeIntervalSince1970)
        }
        if let before = filter.before {
            conditions.append("seq < ?")
            arguments.append(before)
        }
        arguments.append(limit)
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let sql = "SELECT * FROM event \(whereClause) ORDER BY seq DESC LIMIT ?"
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).compactMap(Self.storedEvent)
        }
    }

    public func outboxEntries(events: [String]) throws(StateError) -> [OutboxEntry] {
        guard !events.isEmpty else { return [] }
        return try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT o.*, e.kind AS event_kind, e.source_id AS event_source, e.at AS event_at, e.content AS event_content
                    FROM outbox o LEFT JOIN event e ON e.id = o.event_id
                    WHERE o.event_id IN (\(events.map { _ in "?" }.joined(separator: ", "))) ORDER BY o.id
                    """,
                arguments: StatementArguments(events)
            ).map(Self.outboxEntry)
        }
    }

    public func outboxCounts() throws(StateError) -> [OutboxEntry.State: Int] {
        try read { db in
            var counts: [OutboxEntry.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") {
                if let state = OutboxEntry.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }

    static func storedEvent(_ row: Row) -> StoredEvent? {
        guard let kind = Event.Kind(rawValue: row["kind"]),
            let event = try? EventCoding.decode(
                id: row["id"], kind: kind, sourceID: row["source_id"], at: Date(timeIntervalSince1970: row["at"]),
                content: row["content"])
        else { return nil }
        return StoredEvent(sequence: row["seq"], runID: row["run_id"], event: event)
    }

    /// Keeps one record count per source per hour of its last success; a new hour's sample
    /// drops the source's samples older than ``ConsoleStore/historyLifetime``.
    static func sampleRecordCount(_ state: SourceState, in db: Database) throws {
        guard let success = state.lastSuccessAt else { return }
        let hour = hourBucket(success)
        let update = try db.cachedStatement(
            sql: "UPDATE source_history SET record_count = ? WHERE source_id = ? AND hour = ?")
        try update.execute(arguments: [state.recordCount, state.id, hour])
        guard db.changesCount == 0 else { return }
        try db.cachedStatement(sql: "INSERT INTO source_history (source_id, hour, record_count) VALUES (?, ?, ?)")
            .execute(arguments: [state.id, hour, state.recordCount])
        try db.execute(
            sql: "DELETE FROM source_history WHERE source_id = ? AND hour < ?",
            arguments: [state.id, hour - Int64(historyLifetime / 3600)])
    }
}
