import Foundation

/// Records as they are once a change set is applied: its writes first, then the store.
/// A source's writes are indexed the first time one of its records is asked for, so a
/// baseline of 100,000 records costs nothing when nobody asks.
struct CurrentRecords {
    let store: any RecordReading
    private let writes: [String: RecordWrites]
    /// Per source: key → the record written (nil: deleted).
    private var written: [String: [String: Record?]] = [:]
    private var cache: [RecordRef: Record?] = [:]

    init(changes: ChangeSet, store: any RecordReading) {
        self.store = store
        self.writes = changes.records
    }

    /// The record, or nil when its source does not list it.
    mutating func record(_ ref: RecordRef) throws(StateError) -> Record? {
        try records([ref])[ref] ?? nil
    }

    /// Several records at once, read from the store by source in one pass each.
    mutating func records(_ refs: [RecordRef]) throws(StateError) -> [RecordRef: Record?] {
        var result: [RecordRef: Record?] = [:]
        var missing: [String: [String]] = [:]
        for ref in refs {
            if let known = writtenRecord(ref) ?? cache[ref] {
                result[ref] = known
            } else {
                missing[ref.sourceID, default: []].append(ref.key)
            }
        }
        for (source, keys) in missing {
            let contents = try store.storedContents(source: source, keys: keys)
            for key in keys {
                let ref = RecordRef(sourceID: source, key: key)
                var record: Record?
                if let content = contents[key] {
                    guard let decoded = try? Record(key: key, canonicalEncoding: content) else {
                        throw .corruptRecord(source: source, key: key)
                    }
                    record = decoded
                }
                cache[ref] = .some(record)
                result[ref] = .some(record)
            }
        }
        return result
    }

    /// What the change set writes for `ref`: `.some(nil)` for a deletion, nil when nothing.
    private mutating func writtenRecord(_ ref: RecordRef) -> Record?? {
        guard let sourceWrites = writes[ref.sourceID] else { return nil }
        if written[ref.sourceID] == nil {
            var index: [String: Record?] = [:]
            index.reserveCapacity(sourceWrites.upserts.count + sourceWrites.deletions.count)
            for record in sourceWrites.upserts { index[record.key] = .some(record) }
            for key in sourceWrites.deletions { index[key] = .some(nil) }
            written[ref.sourceID] = index
        }
        guard let entry = written[ref.sourceID]?[ref.key] else { return nil }
        return .some(entry)
    }
}
