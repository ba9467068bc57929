import Foundation
import GRDB

#if canImport(Glibc)
    import Glibc
#endif

/// Vigil's state in SQLite (WAL mode): records per source, source health, events, runs and
/// the outbox. The database file is created readable by its owner only.
public final class SQLiteStateStore: StateStore {
    public let path: String
    /// The state directory, where outputs may keep private files of their own.
    public let directory: String?
    let pool: DatabasePool

    /// Opens (creating when needed) `vigil.sqlite` in `directory`, and migrates its schema.
    public init(directory: String) throws(StateError) {
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .cannotCreateDirectory(directory, error.localizedDescription)
        }
        self.directory = directory
        path = directory + "/vigil.sqlite"
        // Create the file private before SQLite opens it; SQLite gives -wal and -shm the same mode.
        let descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
        do {
            var configuration = GRDB.Configuration()
            configuration.busyMode = .timeout(10)
            // WAL with synchronous=NORMAL: a process crash loses nothing committed; a power cut may
            // roll back the last commits, and since records, events and the outbox commit together,
            // the next run detects those changes again.
            configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
        } catch {
            throw .database("\(error)")
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE source (
                        id TEXT PRIMARY KEY NOT NULL,
                        etag TEXT, last_modified TEXT,
                        baseline_at REAL, last_success_at REAL, last_attempt_at REAL,
                        failing_since REAL, failure_kind TEXT, failure_message TEXT,
                        consecutive_failures INTEGER NOT NULL DEFAULT 0,
                        record_count INTEGER NOT NULL DEFAULT 0,
                        unmapped_statuses TEXT NOT NULL DEFAULT '[]'
                    );
                    CREATE TABLE record (
                        source_id TEXT NOT NULL, key TEXT NOT NULL, content TEXT NOT NULL, digest INTEGER NOT NULL,
                        first_seen REAL NOT NULL, last_changed REAL NOT NULL,
                        PRIMARY KEY (source_id, key)
                    ) WITHOUT ROWID;
                    CREATE TABLE run (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        started_at REAL NOT NULL, finished_at REAL, exit_code INTEGER
                    );
                    CREATE TABLE event (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE, run_id INTEGER NOT NULL, at REAL NOT NULL,
                        source_id TEXT NOT NULL, kind TEXT NOT NULL, record_key TEXT,
                        content TEXT NOT NULL
                    );
                    CREATE INDEX event_source ON event(source_id, seq);
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        idempotency_key TEXT NOT NULL UNIQUE,
                        event_id TEXT NOT NULL, output_id TEXT NOT NULL, recipient TEXT,
                        subject TEXT NOT NULL, body_text TEXT NOT NULL, body_html TEXT,
                        state TEXT NOT NULL DEFAULT 'pending',
                        attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at REAL NOT NULL, retry_window_start REAL NOT NULL, last_error TEXT,
                        created_at REAL NOT NULL, delivered_at REAL
                    );
                    CREATE INDEX outbox_due ON outbox(state, next_attempt_at);
                    """)
        }
        migrator.registerMigration("v2: pushed webhook ids") { db in
            try db.execute(
                sql: """
                    CREATE TABLE received_webhook (
                        id TEXT PRIMARY KEY NOT NULL, source_id TEXT NOT NULL, received_at REAL NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX received_webhook_age ON received_webhook(received_at);
                    """)
        }
        migrator.registerMigration("v3: realert windows") { db in
            try db.execute(
                sql: """
                    CREATE TABLE realert (
                        rule_id TEXT NOT NULL, recipient_id TEXT NOT NULL, source_id TEXT NOT NULL, record_key TEXT NOT NULL,
                        notified_at REAL NOT NULL, PRIMARY KEY (rule_id, recipient_id, source_id, record_key)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v4: confirmations, deadlines, digests") { db in
            try db.execute(
                sql: """
                    CREATE TABLE held (
                        rule_id TEXT NOT NULL, source_id TEXT NOT NULL, record_key TEXT NOT NULL, event_id TEXT NOT NULL,
                        status TEXT NOT NULL, runs_seen INTEGER NOT NULL, held_since REAL NOT NULL,
                        PRIMARY KEY (rule_id, source_id, record_key)
                    ) WITHOUT ROWID;
                    CREATE TABLE deadline_index (deadline_id TEXT PRIMARY KEY NOT NULL, specification TEXT NOT NULL);
                    CREATE TABLE deadline_watch (
                        deadline_id TEXT NOT NULL, source_id TEXT NOT NULL, record_key TEXT NOT NULL, value TEXT NOT NULL,
                        due_at REAL NOT NULL, expires_at REAL, fired INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (deadline_id, source_id, record_key)
                    ) WITHOUT ROWID;
                    CREATE INDEX deadline_due ON deadline_watch(fired, due_at);
                    CREATE TABLE digest_item (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT, recipient_id TEXT NOT NULL, output_id TEXT NOT NULL,
                        address TEXT, window_seconds REAL NOT NULL, template TEXT NOT NULL, event_id TEXT NOT NULL,
                        idempotency_key TEXT NOT NULL UNIQUE, subject TEXT NOT NULL, body_text TEXT NOT NULL,
                        body_html TEXT, created_at REAL NOT NULL
                    );
                    """)
        }
        migrator.registerMigration("v5: people") { db in try db.execute(sql: peopleMigration) }
        migrator.registerMigration("v6: subscriptions") { db in try db.execute(sql: mailingMigration) }
        migrator.registerMigration("v7: raw digests") { db in
            try db.execute(sql: "ALTER TABLE record ADD COLUMN raw_digest INTEGER")
        }
        migrator.registerMigration("v8: approvals") { db in
            try db.execute(
                sql: """
                    ALTER TABLE held ADD COLUMN approved_by TEXT;
                    ALTER TABLE held ADD COLUMN approved_at REAL;
                    ALTER TABLE held ADD COLUMN announced_at REAL;
                    CREATE TABLE hold_decision (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL, rule_id TEXT NOT NULL,
                        source_id TEXT NOT NULL, record_key TEXT NOT NULL, status TEXT NOT NULL,
                        verdict TEXT NOT NULL, decided_by TEXT NOT NULL, decided_at REAL NOT NULL,
                        reason TEXT NOT NULL);
                    CREATE INDEX hold_decision_record ON hold_decision (source_id, record_key);
                    """)
        }
        migrator.registerMigration("v9: console") { db in
            try db.execute(
                sql: """
                    CREATE TABLE console_user (
                        name TEXT PRIMARY KEY NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
                        created_at REAL NOT NULL);
                    CREATE TABLE source_history (
                        source_id TEXT NOT NULL, hour INTEGER NOT NULL, record_count INTEGER NOT NULL,
                        PRIMARY KEY (source_id, hour)) WITHOUT ROWID;
                    CREATE INDEX event_record ON event (source_id, record_key, seq);
                    CREATE INDEX outbox_event ON outbox (event_id);
                    """)
        }
        return migrator
    }

    func read<T>(_ body: (Database) throws -> T) throws(StateError) -> T {
        do {
            return try pool.read(body)
        } catch let failure as StateError {
            throw failure
        } catch {
            throw .database("\(error)")
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StateError) -> T {
        do {
            return try pool.write(body)
        } catch let failure as StateError {
            throw failure
        } catch {
            throw .database("\(error)")
        }
    }

    // MARK: - Reading

    public func sourceStates() throws(StateError) -> [String: SourceState] {
        try read { db in
            var states: [String: SourceState] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM source")) {
                let state = Self.sourceState(row)
                states[state.id] = state
            }
            return states
        }
    }

    /// Stored records of one source as key → digest of the canonical encoding.
    public func storedDigests(source: String) throws(StateError) -> [String: Int64] {
        try read { db in
            var digests: [String: Int64] = [:]
            digests.reserveCapacity(
                try Int.fetchOne(db, sql: "SELECT record_count FROM source WHERE id = ?", arguments: [source]) ?? 0)
            try DigestScan.scan(db, sql: "SELECT digest, key FROM record WHERE source_id = ?", arguments: [source]) {
                digests[$1] = $0
            }
            return digests
        }
    }

    /// The stored records of one source read with a raw digest: digest → key.
    public func storedRawDigests(source: String) throws(StateError) -> [Int64: String] {
        try read { db in
            var keys: [Int64: String] = [:]
            keys.reserveCapacity(
                try Int.fetchOne(db, sql: "SELECT record_count FROM source WHERE id = ?", arguments: [source]) ?? 0)
            try DigestScan.scan(
                db, sql: "SELECT raw_digest, key FROM record WHERE source_id = ? AND raw_digest IS NOT NULL",
                arguments: [source]
            ) { keys[$0] = $1 }
            return keys
        }
    }

    /// The digests of some stored records of one source (those that exist), by key.
    public func storedDigests(source: String, keys: [String]) throws(StateError) -> [String: Int64] {
        try read { db in
            var digests: [String: Int64] = [:]
            let statement = try db.cachedStatement(sql: "SELECT digest FROM record WHERE source_id = ? AND key = ?")
            for key in keys {
                if let digest = try Int64.fetchOne(statement, arguments: [source, key]) { digests[key] = digest }
            }
            return digests
        }
    }

    /// The canonical encodings of some stored records of one source, by key.
    public func storedContents(source: String, keys: [String]) throws(StateError) -> [String: String] {
        try read { db in
            var contents: [String: String] = [:]
            let statement = try db.cachedStatement(sql: "SELECT content FROM record WHERE source_id = ? AND key = ?")
            for key in keys {
                if let content = try String.fetchOne(statement, arguments: [source, key]) { contents[key] = content }
            }
            return contents
        }
    }

    /// Stored records with their dates, ordered by source and key.
    public func records(source: String?) throws(StateError) -> [StoredRecord] {
        try read { db in
            let rows: [Row]
            if let source {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM record WHERE source_id = ? ORDER BY key", arguments: [source])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM record ORDER BY source_id, key")
            }
            return try rows.map { row in
                let sourceID: String = row["source_id"]
                let key: String = row["key"]
                guard let record = try? Record(key: key, canonicalEncoding: row["content"]) else {
                    throw StateError.corruptRecord(source: sourceID, key: key)
                }
                return StoredRecord(
                    sourceID: sourceID, record: record, firstSeen: Date(timeIntervalSince1970: row["first_seen"]),
                    lastChanged: Date(timeIntervalSince1970: row["last_changed"]))
            }
        }
    }

    /// The most recent events, newest first.
    public func events(limit: Int, source: String?) throws(StateError) -> [StoredEvent] {
        try read { db in
            let rows: [Row]
            if let source {
                rows = try Row.fetchAll(
                    db, sql: "SELECT * FROM event WHERE source_id = ? ORDER BY seq DESC LIMIT ?",
                    arguments: [source, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM event ORDER BY seq DESC LIMIT ?", arguments: [limit])
            }
            return rows.compactMap { row in
                guard let kind = Event.Kind(rawValue: row["kind"]),
                    let event = try? EventCoding.decode(
                        id: row["id"], kind: kind, sourceID: row["source_id"],
                        at: Date(timeIntervalSince1970: row["at"]), content: row["content"])
                else { return nil }
                return StoredEvent(sequence: row["seq"], runID: row["run_id"], event: event)
            }
        }
    }

    static func sourceState(_ row: Row) -> SourceState {
        var state = SourceState(id: row["id"])
        state.validators = Validators(etag: row["etag"], lastModified: row["last_modified"])
        state.baselineAt = (row["baseline_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        state.lastSuccessAt = (row["last_success_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        state.lastAttemptAt = (row["last_attempt_at"] as Double?).map(Date.init(timeIntervalSince1970:))
        state.failingSince = (row["failing_since"] as Double?).map(Date.init(timeIntervalSince1970:))
        state.failureKind = row["failure_kind"]
        state.failureMessage = row["failure_message"]
        state.consecutiveFailures = row["consecutive_failures"]
        state.recordCount = row["record_count"]
        if let value = try? JSONParser.parse(row["unmapped_statuses"] as String), case .array(let words) = value.kind {
            state.unmappedStatuses = words.compactMap(\.scalarText)
        }
        return state
    }
}
