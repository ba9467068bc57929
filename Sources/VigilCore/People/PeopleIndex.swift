import Foundation

/// Who is who: stored links as lookups both ways. A record nobody linked is a person of
/// its own, whose id is its reference (`SOURCE:KEY`).
public struct PeopleIndex: Sendable {
    public private(set) var personOf: [RecordRef: String] = [:]
    public private(set) var recordsOf: [String: [RecordRef]] = [:]
    public private(set) var links: [RecordRef: PersonLink] = [:]
    /// Display names given by a crosswalk or a person.
    public var names: [String: String]

    public init(links: [PersonLink], names: [String: String] = [:]) {
        self.names = names
        for link in links { add(link) }
    }

    /// The stored links and names.
    public init(store: any PeopleReading) throws(StateError) {
        self.init(links: try store.personLinks(), names: try store.personNames())
    }

    /// The person `record` belongs to.
    public func personID(of record: RecordRef) -> String {
        personOf[record] ?? record.description
    }

    /// The records of person `id`, sorted (one for a record's own person).
    public func records(of id: String) -> [RecordRef] {
        if let records = recordsOf[id] { return records }
        if let record = RecordRef(id), personOf[record] == nil { return [record] }
        return []
    }

    /// Resolves what a person typed: a person id, or `SOURCE:KEY` of one of their records.
    public func resolve(_ text: String) -> String? {
        if recordsOf[text] != nil { return text }
        guard let record = RecordRef(text) else { return nil }
        return personID(of: record)
    }

    /// People with at least two linked records.
    public var linkedPeople: [String] { recordsOf.keys.sorted() }

    public mutating func add(_ link: PersonLink) {
        remove(link.record)
        links[link.record] = link
        personOf[link.record] = link.personID
        recordsOf[link.personID, default: []].append(link.record)
        recordsOf[link.personID]?.sort()
    }

    public mutating func remove(_ record: RecordRef) {
        guard let previous = personOf.removeValue(forKey: record) else { return }
        links[record] = nil
        recordsOf[previous]?.removeAll { $0 == record }
        if recordsOf[previous]?.isEmpty ?? false { recordsOf[previous] = nil }
    }

    /// A new person id for records joined without one: `p-` and eight hex digits from the
    /// first record's reference, longer if taken.
    public func newPersonID(for records: [RecordRef]) -> String {
        let seed = (records.min() ?? RecordRef(sourceID: "", key: "")).description
        let digits = String(FNV1a64.hash(seed.utf8), radix: 16)
        let hex = String(repeating: "0", count: max(0, 16 - digits.count)) + digits
        var length = 8
        while length < hex.count, recordsOf["p-" + hex.prefix(length)] != nil { length += 1 }
        return "p-" + hex.prefix(length)
    }
}
