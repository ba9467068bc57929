/// Compares a source's fresh records with what is stored, record by record.
///
/// Independent of record order; values were normalised when the records were built, so
/// whitespace and JSON key order never read as changes. Stored records are given as their
/// ``Record/canonicalEncoding``: an unchanged record costs one string comparison.
public struct RecordDiff: Sendable {
    /// A record that is new or different, with its changes (empty for `added`).
    public struct Change: Sendable {
        public var record: Record
        public var changes: [FieldChange]
    }

    public var added: [Record] = []
    public var changed: [Change] = []
    /// Records no longer reported, as they were last stored.
    public var removed: [Record] = []

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    public init(stored: [String: String], fresh: [Record]) throws(JSONParser.Failure) {
        var remaining = stored
        for record in fresh {
            guard let previous = remaining.removeValue(forKey: record.key) else {
                added.append(record)
                continue
            }
            let encoding = record.canonicalEncoding
            if previous == encoding { continue }
            let before = try Record(key: record.key, canonicalEncoding: previous)
            let changes = Self.changes(from: before, to: record)
            if !changes.isEmpty { changed.append(Change(record: record, changes: changes)) }
        }
        for (key, encoding) in remaining.sorted(by: { $0.key < $1.key }) {
            removed.append(try Record(key: key, canonicalEncoding: encoding))
        }
    }

    /// Field-by-field differences: `name`, `status`, then other fields by name.
    public static func changes(from before: Record, to after: Record) -> [FieldChange] {
        var changes: [FieldChange] = []
        if before.name != after.name { changes.append(FieldChange(field: "name", from: before.name, to: after.name)) }
        if before.status != after.status {
            changes.append(FieldChange(field: "status", from: before.status.description, to: after.status.description))
        }
        for field in Set(before.fields.keys).union(after.fields.keys).sorted() {
            let old = before.fields[field]
            let new = after.fields[field]
            if old != new { changes.append(FieldChange(field: field, from: old, to: new)) }
        }
        return changes
    }
}
