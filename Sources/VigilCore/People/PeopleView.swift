import Foundation

/// People as `vigil people` shows them: every linked record with its status now.
public struct PeopleView {
    private var directory: PeopleDirectory
    public var index: PeopleIndex { directory.index }

    public init(configuration: Configuration, store: any StateStore) throws(StateError) {
        directory = try PeopleDirectory(store: store, sources: configuration.sources)
    }

    /// The people with two or more linked records, by id.
    public mutating func linkedPeople() throws(StateError) -> [PersonSnapshot] {
        var people: [PersonSnapshot] = []
        for id in index.linkedPeople {
            guard let first = index.records(of: id).first else { continue }
            people.append(try directory.snapshot(of: first))
        }
        return people
    }

    /// The person `text` names (a person id or `SOURCE:KEY`), or nil.
    public mutating func person(_ text: String) throws(StateError) -> PersonSnapshot? {
        guard let id = index.resolve(text), let first = index.records(of: id).first else { return nil }
        let snapshot = try directory.snapshot(of: first)
        // A record nobody linked and no source lists is no one.
        if index.recordsOf[id] == nil && snapshot.listings.allSatisfy({ $0.status.isEmpty }) { return nil }
        return snapshot
    }

    /// A record as its source lists it now, or nil.
    public mutating func record(_ ref: RecordRef) throws(StateError) -> Record? {
        try directory.current.record(ref)
    }
}
