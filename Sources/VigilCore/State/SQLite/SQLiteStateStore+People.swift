import Foundation
import GRDB

extension SQLiteStateStore {
    static let peopleMigration = """
        CREATE TABLE person_link (
            source_id TEXT NOT NULL, record_key TEXT NOT NULL, person_id TEXT NOT NULL, origin TEXT NOT NULL,
            decided_by TEXT NOT NULL, decided_at REAL NOT NULL, PRIMARY KEY (source_id, record_key)
        ) WITHOUT ROWID;
        CREATE INDEX person_link_person ON person_link(person_id);
        CREATE TABLE person_name (person_id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE person_proposal (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            first_source TEXT NOT NULL, first_key TEXT NOT NULL, second_source TEXT NOT NULL, second_key TEXT NOT NULL,
            score REAL NOT NULL, reasons TEXT NOT NULL, state TEXT NOT NULL, proposed_at REAL NOT NULL,
            decided_by TEXT, decided_at REAL,
            UNIQUE (first_source, first_key, second_source, second_key)
        );
        CREATE TABLE person_decision (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, decided_by TEXT NOT NULL, action TEXT NOT NULL,
            person_id TEXT NOT NULL, records TEXT NOT NULL, note TEXT NOT NULL
        );
        CREATE TABLE person_conflict (
            person_id TEXT PRIMARY KEY NOT NULL, statuses TEXT NOT NULL, event_id TEXT NOT NULL, raised_at REAL NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE person_told (
            person_id TEXT NOT NULL, signature TEXT NOT NULL, event_id TEXT NOT NULL, source_id TEXT NOT NULL,
            at REAL NOT NULL, PRIMARY KEY (person_id, signature)
        ) WITHOUT ROWID;
        CREATE INDEX person_told_at ON person_told(at);
        """

    public func personLinks() throws(StateError) -> [PersonLink] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM person_link ORDER BY person_id, source_id, record_key").map {
                row in
                PersonLink(
                    record: RecordRef(sourceID: row["source_id"], key: row["record_key"]), personID: row["person_id"],
                    origin: LinkOrigin(rawValue: row["origin"]) ?? .manual, decidedBy: row["decided_by"],
                    decidedAt: Date(timeIntervalSince1970: row["decided_at"]))
            }
        }
    }

    public func personNames() throws(StateError) -> [String: String] {
        try read { db in
            var names: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT person_id, name FROM person_name") { names[row[0]] = row[1] }
            return names
        }
    }

    public func linkProposals(state: LinkProposal.State?) throws(StateError) -> [LinkProposal] {
        try read { db in
            let rows =
                try state.map {
                    try Row.fetchAll(
                        db, sql: "SELECT * FROM person_proposal WHERE state = ? ORDER BY score DESC, id",
                        arguments: [$0.rawValue])
                } ?? Row.fetchAll(db, sql: "SELECT * FROM person_proposal ORDER BY score DESC, id")
            return rows.map { row in
                LinkProposal(
                    id: row["id"],
                    pair: RecordPair(
                        RecordRef(sourceID: row["first_source"], key: row["first_key"]),
                        RecordRef(sourceID: row["second_source"], key: row["second_key"])),
                    score: row["score"], reasons: Self.strings(row["reasons"]),
                    state: LinkProposal.State(rawValue: row["state"]) ?? .pending,
                    proposedAt: Date(timeIntervalSince1970: row["proposed_at"]), decidedBy: row["decided_by"],
                    decidedAt: (row["decided_at"] as Double?).map(Date.init(timeIntervalSince1970:)))
            }
        }
    }

    public func personConflicts() throws(StateError) -> [String: PersonConflict] {
        try read { db in
            var conflicts: [String: PersonConflict] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM person_conflict") {
                let conflict = PersonConflict(
                    personID: row["person_id"], statuses: row["statuses"], eventID: row["event_id"],
                    raisedAt: Date(timeIntervalSince1970: row["raised_at"]))
                conflicts[conflict.personID] = conflict
            }
            return conflicts
        }
    }

    public func toldChanges(since date: Date) throws(StateError) -> [PersonChange] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM person_told WHERE at >= ? ORDER BY at", arguments: [date.timeIntervalSince1970]
            ).map { row in
                PersonChange(
                    personID: row["person_id"], signature: row["signature"], eventID: row["event_id"],
                    sourceID: row["source_id"], at: Date(timeIntervalSince1970: row["at"]))
            }
        }
    }

    public func personDecisions() throws(StateError) -> [PersonDecision] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM person_decision ORDER BY seq").map { row in
                PersonDecision(
                    at: Date(timeIntervalSince1970: row["at"]), by: row["decided_by"],
                    action: PersonDecision.Action(rawValue: row["action"]) ?? .link, personID: row["person_id"],
                    records: Self.strings(row["records"]).compactMap(RecordRef.init), note: row["note"])
            }
        }
    }

    public func decide(_ changes: PeopleChanges, at date: Date) throws(StateError) {
        try write { db in try Self.write(changes, at: date.timeIntervalSince1970, in: db) }
    }

    static func write(_ changes: PeopleChanges, at now: Double, in db: Database) throws {
        guard !changes.isEmpty else { return }
        let unlink = try db.cachedStatement(sql: "DELETE FROM person_link WHERE source_id = ? AND record_key = ?")
        for record in changes.unlinks { try unlink.execute(arguments: [record.sourceID, record.key]) }
        let link = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO person_link (source_id, record_key, person_id, origin, decided_by, decided_at)
                VALUES (?, ?, ?, ?, ?, ?)
                """)
        for entry in changes.links {
            try link.execute(arguments: [
                entry.record.sourceID, entry.record.key, entry.personID, entry.origin.rawValue, entry.decidedBy,
                entry.decidedAt.timeIntervalSince1970,
            ])
        }
        for (person, name) in changes.names {
            if let name {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO person_name (person_id, name) VALUES (?, ?)",
                    arguments: [person, name])
            } else {
                try db.execute(sql: "DELETE FROM person_name WHERE person_id = ?", arguments: [person])
            }
        }
        let propose = try db.cachedStatement(
            sql: """
                INSERT INTO person_proposal (first_source, first_key, second_source, second_key, score, reasons, state,
                    proposed_at, decided_by, decided_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (first_source, first_key, second_source, second_key) DO UPDATE
                SET state = excluded.state, decided_by = excluded.decided_by, decided_at = excluded.decided_at
                WHERE excluded.state != 'pending'
                """)
        for proposal in changes.proposals {
            try propose.execute(arguments: [
                proposal.pair.first.sourceID, proposal.pair.first.key, proposal.pair.second.sourceID,
                proposal.pair.second.key, proposal.score, Self.json(proposal.reasons), proposal.state.rawValue,
                proposal.proposedAt.timeIntervalSince1970, proposal.decidedBy,
                proposal.decidedAt?.timeIntervalSince1970,
            ])
        }
        for decision in changes.decisions {
            try db.execute(
                sql: """
                    INSERT INTO person_decision (at, decided_by, action, person_id, records, note)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    decision.at.timeIntervalSince1970, decision.by, decision.action.rawValue, decision.personID,
                    Self.json(decision.records.map(\.description)), decision.note,
                ])
        }
        for person in changes.resolvedConflicts {
            try db.execute(sql: "DELETE FROM person_conflict WHERE person_id = ?", arguments: [person])
        }
        for conflict in changes.conflicts {
            try db.execute(
                sql:
                    "INSERT OR REPLACE INTO person_conflict (person_id, statuses, event_id, raised_at) VALUES (?, ?, ?, ?)",
                arguments: [
                    conflict.personID, conflict.statuses, conflict.eventID, conflict.raisedAt.timeIntervalSince1970,
                ])
        }
        if !changes.told.isEmpty {
            // Older than the longest fold window, a told change folds nothing.
            try db.execute(sql: "DELETE FROM person_told WHERE at < ?", arguments: [now - 31 * 86_400])
            let told = try db.cachedStatement(
                sql: """
                    INSERT OR REPLACE INTO person_told (person_id, signature, event_id, source_id, at)
                    VALUES (?, ?, ?, ?, ?)
                    """)
            for change in changes.told {
                try told.execute(arguments: [
                    change.personID, change.signature, change.eventID, change.sourceID, change.at.timeIntervalSince1970,
                ])
            }
        }
    }

    static func json(_ strings: [String]) -> String {
        "[" + strings.map(JSONWriter.string).joined(separator: ",") + "]"
    }

    static func strings(_ json: String) -> [String] {
        guard let value = try? JSONParser.parse(json), case .array(let elements) = value.kind else { return [] }
        return elements.compactMap(\.scalarText)
    }
}
