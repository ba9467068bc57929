import Foundation

/// The decisions a team member makes about people (`vigil people link|unlink|reject`),
/// checked against the stored state and the crosswalk, and stored with who and when.
public struct PeopleDecisions {
    public let configuration: Configuration
    public let store: any StateStore
    /// Who decides (stored with every decision).
    public let by: String

    public init(configuration: Configuration, store: any StateStore, by: String) {
        self.configuration = configuration
        self.store = store
        self.by = by
    }

    /// Joins what `targets` name (person ids or `SOURCE:KEY` records) into one person:
    /// `personID`, else the first existing person among them, else a new id. Returns the id.
    @discardableResult
    public func link(_ targets: [String], as personID: String? = nil, name: String? = nil, at now: Date = Date())
        throws(PeopleDecisionError) -> String
    {
        let index = try loadIndex()
        var records: [RecordRef] = []
        var people: [String] = []
        for target in targets {
            if index.recordsOf[target] != nil {
                people.append(target)
                records += index.records(of: target)
            } else if let record = RecordRef(target) {
                try requireKnown(record)
                if let person = index.personOf[record] { people.append(person) }
                records.append(record)
            } else {
                throw .unknownTarget(target)
            }
        }
        records = Array(Set(records)).sorted()
        guard records.count >= 2 || (records.count == 1 && personID != nil) else { throw .nothingToLink }
        let person = personID ?? people.first ?? index.newPersonID(for: records)
        for record in records {
            if let link = index.links[record], link.origin == .crosswalk, link.personID != person {
                throw .crosswalkLink(record, person: link.personID, origin: link.decidedBy)
            }
        }
        var changes = PeopleChanges()
        for record in records where index.personOf[record] != person || index.links[record]?.origin == .automatic {
            changes.links.append(
                PersonLink(record: record, personID: person, origin: .manual, decidedBy: by, decidedAt: now))
        }
        if let name { changes.names[person] = name }
        let joined = Set(records)
        for proposal in try readProposals() where proposal.state == .pending {
            if joined.contains(proposal.pair.first) && joined.contains(proposal.pair.second) {
                changes.proposals.append(decided(proposal, .linked, at: now))
            }
        }
        changes.decisions.append(PersonDecision(at: now, by: by, action: .link, personID: person, records: records))
        try save(changes, at: now)
        return person
    }

    /// Accepts proposal `id`: links its two records. Returns the person id.
    @discardableResult
    public func link(proposal id: Int64, name: String? = nil, at now: Date = Date()) throws(PeopleDecisionError)
        -> String
    {
        let proposal = try self.proposal(id)
        return try link([proposal.pair.first.description, proposal.pair.second.description], name: name, at: now)
    }

    /// Takes `record` out of its person (it becomes a person of its own), and remembers that
    /// it is not the person's other records, so they are never proposed together again.
    public func unlink(_ record: RecordRef, at now: Date = Date()) throws(PeopleDecisionError) {
        let index = try loadIndex()
        guard let link = index.links[record] else { throw .notLinked(record) }
        if link.origin == .crosswalk { throw .crosswalkLink(record, person: link.personID, origin: link.decidedBy) }
        var changes = PeopleChanges()
        changes.unlinks.append(record)
        let others = index.records(of: link.personID).filter { $0 != record }
        if others.count == 1, let last = others.first, index.links[last]?.origin != .crosswalk {
            changes.unlinks.append(last)  // a person of one record is that record
        }
        for other in others { changes.proposals.append(rejection(RecordPair(record, other), at: now)) }
        changes.decisions.append(
            PersonDecision(at: now, by: by, action: .unlink, personID: link.personID, records: [record]))
        try save(changes, at: now)
    }

    /// Records that two records are not one person: never proposed (or linked automatically) again.
    public func reject(_ first: RecordRef, _ second: RecordRef, at now: Date = Date()) throws(PeopleDecisionError) {
        let index = try loadIndex()
        guard first != second else { throw .nothingToLink }
        if index.personID(of: first) == index.personID(of: second) { throw .alreadyOnePerson(first, second) }
        var changes = PeopleChanges()
        changes.proposals.append(rejection(RecordPair(first, second), at: now))
        changes.decisions.append(
            PersonDecision(
                at: now, by: by, action: .reject, personID: index.personID(of: first), records: [first, second]))
        try save(changes, at: now)
    }

    /// Rejects proposal `id`.
    public func reject(proposal id: Int64, at now: Date = Date()) throws(PeopleDecisionError) {
        let proposal = try self.proposal(id)
        try reject(proposal.pair.first, proposal.pair.second, at: now)
    }

    // MARK: - Helpers

    private func loadIndex() throws(PeopleDecisionError) -> PeopleIndex {
        do {
            return try PeopleIndex(store: store)
        } catch {
            throw .state(error)
        }
    }

    private func readProposals() throws(PeopleDecisionError) -> [LinkProposal] {
        do { return try store.linkProposals(state: nil) } catch { throw .state(error) }
    }

    private func proposal(_ id: Int64) throws(PeopleDecisionError) -> LinkProposal {
        guard let found = try readProposals().first(where: { $0.id == id }) else { throw .noSuchProposal(id) }
        return found
    }

    /// A record can be linked if its source is configured and lists it (or listed it: a
    /// person removed from a list may still be linked).
    private func requireKnown(_ record: RecordRef) throws(PeopleDecisionError) {
        guard configuration.sources.contains(where: { $0.id == record.sourceID }) else {
            throw .unknownSource(record.sourceID, known: configuration.sources.map(\.id))
        }
        do {
            if try store.storedDigests(source: record.sourceID, keys: [record.key]).isEmpty,
                !(try store.reportedKeys().contains(record.key))
            {
                throw PeopleDecisionError.unknownTarget(record.description)
            }
        } catch let error as PeopleDecisionError {
            throw error
        } catch {
            throw .state(error as? StateError ?? .database("\(error)"))
        }
    }

    private func decided(_ proposal: LinkProposal, _ state: LinkProposal.State, at now: Date) -> LinkProposal {
        var decided = proposal
        decided.state = state
        decided.decidedBy = by
        decided.decidedAt = now
        return decided
    }

    private func rejection(_ pair: RecordPair, at now: Date) -> LinkProposal {
        LinkProposal(
            pair: pair, score: 0, reasons: ["rejected by \(by)"], state: .rejected, proposedAt: now, decidedBy: by,
            decidedAt: now)
    }

    private func save(_ changes: PeopleChanges, at now: Date) throws(PeopleDecisionError) {
        do { try store.decide(changes, at: now) } catch { throw .state(error) }
    }
}

/// Why a decision about people was refused; nothing was stored.
public enum PeopleDecisionError: Error, Sendable, CustomStringConvertible {
    case unknownTarget(String)
    case unknownSource(String, known: [String])
    case nothingToLink
    case notLinked(RecordRef)
    case alreadyOnePerson(RecordRef, RecordRef)
    case crosswalkLink(RecordRef, person: String, origin: String)
    case noSuchProposal(Int64)
    case state(StateError)

    public var description: String {
        switch self {
        case .unknownTarget(let text):
            "\"\(text)\" is neither a person id nor a record SOURCE:KEY that a source lists (see `vigil people`)"
        case .unknownSource(let source, let known):
            "no source \"\(source)\" is configured (sources: \(known.joined(separator: ", ")))"
        case .nothingToLink: "name at least two records or people to link (or one record and --as PERSON)"
        case .notLinked(let record): "\(record) is not linked to anyone"
        case .alreadyOnePerson(let first, let second):
            "\(first) and \(second) are linked as one person; unlink one of them first"
        case .crosswalkLink(let record, let person, let origin):
            "\(record) is person \"\(person)\" by the crosswalk (\(origin)); change the crosswalk file instead"
        case .noSuchProposal(let id): "no proposal \(id) (see `vigil people review`)"
        case .state(let error): error.description
        }
    }
}
