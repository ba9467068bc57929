import Foundation

/// People as one run sees them: the links (stored, the crosswalk, and this run's automatic
/// links) and every linked record's current state, for events (``PersonSnapshot``),
/// confirmation across sources and sponsorship by person.
struct PeopleDirectory {
    var index: PeopleIndex
    var current: CurrentRecords
    /// Source ids in configuration order, for listings.
    let sourceOrder: [String: Int]

    init(index: PeopleIndex, current: CurrentRecords, sources: [SourceConfiguration]) {
        self.index = index
        self.current = current
        self.sourceOrder = Dictionary(
            sources.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The stored links, and records as `changes` leaves them (the store's, without changes).
    init(
        store: any RecordReading & PeopleReading, changes: ChangeSet = ChangeSet(startedAt: Date()),
        sources: [SourceConfiguration]
    ) throws(StateError) {
        self.init(
            index: try PeopleIndex(store: store), current: CurrentRecords(changes: changes, store: store),
            sources: sources)
    }

    /// The person `ref` belongs to, with every linked record as it is now. `record` stands in
    /// for the name of a record no longer listed (a `removed` event's record).
    mutating func snapshot(of ref: RecordRef, record: Record? = nil) throws(StateError) -> PersonSnapshot {
        let id = index.personID(of: ref)
        var refs = index.records(of: id)
        if !refs.contains(ref) { refs.append(ref) }
        refs.sort { (sourceOrder[$0.sourceID] ?? .max, $0.key) < (sourceOrder[$1.sourceID] ?? .max, $1.key) }
        let records = try current.records(refs)
        let listings = refs.map { linked in
            let found = records[linked] ?? nil
            return PersonSnapshot.Listing(
                sourceID: linked.sourceID, key: linked.key,
                name: found?.name ?? (linked == ref ? record?.name ?? "" : ""),
                status: found?.status.description ?? "")
        }
        let name = index.names[id] ?? listings.first { !$0.name.isEmpty }?.name ?? record?.name ?? ""
        return PersonSnapshot(id: id, name: name, listings: listings)
    }

    /// Linked sources of `ref`'s person whose record has `status` now ("" counts the
    /// sources that no longer list the person: removals).
    mutating func sources(of ref: RecordRef, withStatus status: String) throws(StateError) -> Int {
        let refs = index.records(of: index.personID(of: ref))
        let records = try current.records(refs.isEmpty ? [ref] : refs)
        var sources: Set<String> = []
        for (linked, record) in records where (record?.status.description ?? "") == status {
            sources.insert(linked.sourceID)
        }
        return sources.count
    }
}
