import Foundation
import VigilCore

/// Finds people by name in any script: every listed name is romanised and reduced to its
/// skeleton (``NameNormalizer``), so "Иван Петров", "Ivan Petrov" and "Petrov" find the
/// same person. Built from the stored records and links; rebuilt when it is older than a
/// run could make it stale.
struct PeopleSearch: Sendable {
    struct Entry: Sendable {
        var personID: String
        var name: String
        /// Each name's part skeletons, all the person's records together.
        var parts: [String]
    }

    let entries: [Entry]
    let built: Date

    init(store: any StateStore, at now: Date = Date()) throws(StateError) {
        let index = try PeopleIndex(store: store)
        var names: [String: [String]] = [:]
        var order: [String] = []
        for stored in try store.records() {
            let person = index.personID(of: RecordRef(sourceID: stored.sourceID, key: stored.record.key))
            if names[person] == nil { order.append(person) }
            names[person, default: []].append(stored.record.name)
        }
        for (person, name) in index.names {
            if names[person] == nil { order.append(person) }
            names[person, default: []].append(name)
        }
        var flat: [String] = []
        var owners: [Int] = []
        for (position, person) in order.enumerated() {
            for name in names[person] ?? [] {
                flat.append(name)
                owners.append(position)
            }
        }
        var parts = Array(repeating: Set<String>(), count: order.count)
        for (offset, normalized) in NameNormalizer.normalize(flat).enumerated() {
            for part in normalized.parts { parts[owners[offset]].insert(part.skeleton) }
        }
        entries = order.enumerated().map { position, person in
            Entry(
                personID: person, name: index.names[person] ?? names[person]?.first ?? person,
                parts: parts[position].sorted())
        }
        built = now
    }

    /// People whose names have every part of `query` as the start of one of their parts;
    /// at most `limit`, in the order their records were stored.
    func find(_ query: String, limit: Int = 50) -> [Entry] {
        let wanted = NameNormalizer.normalize(query).parts.map(\.skeleton).filter { !$0.isEmpty }
        guard !wanted.isEmpty else { return [] }
        var found: [Entry] = []
        for entry in entries
        where wanted.allSatisfy({ part in entry.parts.contains { $0.hasPrefix(part) } }) {
            found.append(entry)
            if found.count == limit { break }
        }
        return found
    }
}
