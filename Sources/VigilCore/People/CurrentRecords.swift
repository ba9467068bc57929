import Foundation

/// Records as they are once a change set is applied: its writes first, then the store.
struct CurrentRecords {
    let store: any RecordReading
    private var written: [RecordRef: Record?] = [:]
    private var cache: [RecordRef: Record?] = [:]

    init(changes: ChangeSet, store: any RecordReading) {
        self.store = store
        for (source, writes) in changes.records {
            for record in writes.upserts { written[RecordRef(sourceID: source, key: record.key)] = .some(record) }
            for key in writes.deletions { written[RecordRef(sourceID: source, key: key)] = .some(nil) }
        }
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
            if let known = written[ref] ?? cache[ref] {
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
}
