import Foundation

/// Compares a source's fresh records with what is stored, record by record.
///
/// Independent of record order; values were normalised when the records were built, so
/// whitespace and JSON key order never read as changes. Stored records are compared by
/// the digest of their canonical encoding: an unchanged record costs one integer
/// comparison, and only changed or removed records are read back in full.
public struct RecordDiff: Sendable {
    /// A record that is new or different, with its changes.
    public struct Change: Sendable {
        public var record: Record
        public var changes: [FieldChange]
    }

    public var added: [Record] = []
    public var changed: [Change] = []
    /// Records no longer reported, as they were last stored.
    public var removed: [Record] = []

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    /// Compares against stored records given in full (key → canonical encoding).
    public init(stored: [String: String], fresh: [Record]) throws {
        try self.init(
            storedDigests: stored.mapValues(Self.digest), fresh: fresh, freshDigests: fresh.map(\.canonicalDigest),
            contents: { keys in stored.filter { keys.contains($0.key) } })
    }

    /// Compares against stored digests, computing the fresh digests on every core.
    /// `contents` reads the stored encodings of the keys that differ.
    /// `unchanged` are keys of records known to be as stored (``ParsedSource/unchangedKeys``).
    public static func compute(
        storedDigests: [String: Int64], fresh: [Record], unchanged: [String] = [],
        contents: @Sendable ([String]) throws -> [String: String]
    ) async throws -> RecordDiff {
        let chunks = max(1, min(Parallel.cores, fresh.count / 10_000))
        let size = (fresh.count + chunks - 1) / chunks
        let digests = await withTaskGroup(of: (Int, [Int64]).self) { group in
            for chunk in 0..<chunks {
                let range = chunk * size..<min(fresh.count, (chunk + 1) * size)
                group.addTask { (chunk, fresh[range].map(\.canonicalDigest)) }
            }
            var parts = [[Int64]](repeating: [], count: chunks)
            for await (chunk, part) in group { parts[chunk] = part }
            return parts.flatMap { $0 }
        }
        return try RecordDiff(
            storedDigests: storedDigests, fresh: fresh, freshDigests: digests, unchanged: unchanged, contents: contents)
    }

    init(
        storedDigests: [String: Int64], fresh: [Record], freshDigests: [Int64], unchanged: [String] = [],
        contents: ([String]) throws -> [String: String]
    ) throws {
        var remaining = storedDigests
        for key in unchanged { remaining.removeValue(forKey: key) }
        var differing: [Record] = []
        for (record, digest) in zip(fresh, freshDigests) {
            guard let previous = remaining.removeValue(forKey: record.key) else {
                added.append(record)
                continue
            }
            if previous != digest { differing.append(record) }
        }
        let removedKeys = remaining.keys.sorted()
        let previous = try contents(differing.map(\.key) + removedKeys)
        for record in differing {
            guard let encoding = previous[record.key] else { throw Failure.missingStoredRecord(record.key) }
            let before = try Record(key: record.key, canonicalEncoding: encoding)
            let changes = Self.changes(from: before, to: record)
            if !changes.isEmpty { changed.append(Change(record: record, changes: changes)) }
        }
        for key in removedKeys {
            guard let encoding = previous[key] else { throw Failure.missingStoredRecord(key) }
            removed.append(try Record(key: key, canonicalEncoding: encoding))
        }
    }

    /// A stored record vanished between reading its digest and its content.
    public enum Failure: Error, Sendable {
        case missingStoredRecord(String)
    }

    /// The digest of a stored canonical encoding (equal to ``Record/canonicalDigest`` of its record).
    public static func digest(_ encoding: String) -> Int64 {
        var hash = FNV1a64()
        var encoding = encoding
        encoding.withUTF8 { hash.write($0) }
        return Int64(bitPattern: hash.value)
    }

    /// Field-by-field differences: `name`, `status`, then other fields by name.
    public static func changes(from before: Record, to after: Record) -> [FieldChange] {
        var changes: [FieldChange] = []
        if before.name != after.name { changes.append(FieldChange(field: "name", from: before.name, to: after.name)) }
        if before.status != after.status {
            changes.append(FieldChange(field: "status", from: before.status.description, to: after.status.description))
        }
        let old = before.fields
        let new = after.fields
        for field in Set(old.keys).union(new.keys).sorted() where old[field] != new[field] {
            changes.append(FieldChange(field: field, from: old[field], to: new[field]))
        }
        return changes
    }
}
