import Foundation
import Logging

/// Makes the person the unit a run reasons about, between detection and routing:
///
/// 1. keeps the stored links in step with the crosswalk files;
/// 2. proposes links for the records this run added or renamed (and links them at once
///    when automatic links are configured and the evidence is exact and unambiguous);
/// 3. gives every event its person (``Event/subject``);
/// 4. folds the same change of one person reported by a second linked source within the
///    window into the first report (``Event/foldedInto``, ``Event/reportedBy``);
/// 5. raises a `conflict` when linked sources disagree on a status, once per
///    disagreement, and `conflict_resolved` when they agree again.
struct PeopleStage {
    let configuration: Configuration
    let store: any RecordReading & PeopleReading
    let logger: Logger

    var settings: PeopleSettings { configuration.people }

    /// Applies the steps to `changes`; returns the directory routing and confirmation use.
    func apply(to changes: inout ChangeSet, at now: Date) throws(StateError) -> PeopleDirectory {
        var directory = try PeopleDirectory(store: store, changes: changes, sources: configuration.sources)
        var people = PeopleChanges()
        syncCrosswalk(&directory.index, &people, at: now)
        try propose(&directory, &people, changes: changes, at: now)
        for position in changes.events.indices {
            let event = changes.events[position]
            let ref: RecordRef?
            if event.kind == .mention, let mentioned = event.person {
                ref = RecordRef(sourceID: mentioned.sourceID, key: mentioned.key)
            } else {
                ref = event.record.map { RecordRef(sourceID: event.sourceID, key: $0.key) }
            }
            if let ref { changes.events[position].subject = try directory.snapshot(of: ref, record: event.record) }
        }
        try fold(&changes, people: &people, directory: directory, at: now)
        if settings.conflicts { try conflicts(&changes, people: &people, directory: &directory, at: now) }
        changes.people = people
        return directory
    }

    // MARK: - Crosswalk

    private func syncCrosswalk(_ index: inout PeopleIndex, _ people: inout PeopleChanges, at now: Date) {
        let crosswalk = settings.crosswalk
        var listed: Set<RecordRef> = []
        for entry in crosswalk.entries {
            listed.insert(entry.record)
            let stored = index.links[entry.record]
            guard stored?.personID != entry.personID || stored?.origin != .crosswalk else { continue }
            let link = PersonLink(
                record: entry.record, personID: entry.personID, origin: .crosswalk, decidedBy: entry.origin,
                decidedAt: now)
            index.add(link)
            people.links.append(link)
            people.decisions.append(
                PersonDecision(
                    at: now, by: entry.origin, action: .link, personID: entry.personID, records: [entry.record]))
        }
        for (record, link) in index.links where link.origin == .crosswalk && !listed.contains(record) {
            index.remove(record)
            people.unlinks.append(record)
            people.decisions.append(
                PersonDecision(
                    at: now, by: "crosswalk", action: .unlink, personID: link.personID, records: [record],
                    note: "no longer in the crosswalk"))
        }
        for (person, name) in crosswalk.names where index.names[person] != name {
            index.names[person] = name
            people.names[person] = name
        }
    }

    // MARK: - Proposals

    /// The sources whose records are people (a feed's items are news).
    private var personSources: [SourceConfiguration] {
        configuration.sources.filter { !$0.reader.raisesMentions }
    }

    private func propose(
        _ directory: inout PeopleDirectory, _ people: inout PeopleChanges, changes: ChangeSet, at now: Date
    ) throws(StateError) {
        let sources = personSources
        guard sources.count >= 2 else { return }
        // Records to match: added or renamed in this run, or every record of a source's baseline.
        var fresh: Set<RecordRef> = []
        for event in changes.events where event.kind.isPersonEvent {
            guard let key = event.record?.key,
                event.kind == .added || event.changes.contains(where: { $0.field == "name" })
            else { continue }
            fresh.insert(RecordRef(sourceID: event.sourceID, key: key))
        }
        let baselined = Set(changes.sources.filter { $0.baselineAt == changes.startedAt }.map(\.id))
        for source in sources where baselined.contains(source.id) {
            for record in changes.records[source.id]?.upserts ?? [] {
                fresh.insert(RecordRef(sourceID: source.id, key: record.key))
            }
        }
        guard !fresh.isEmpty else { return }
        var pool: [(sourceID: String, record: Record)] = []
        for source in sources {
            let writes = changes.records[source.id] ?? RecordWrites()
            let deleted = Set(writes.deletions)
            var upserted: Set<String> = []
            for record in writes.upserts {
                upserted.insert(record.key)
                pool.append((source.id, record))
            }
            for stored in try store.records(source: source.id)
            where !upserted.contains(stored.record.key) && !deleted.contains(stored.record.key) {
                pool.append((source.id, stored.record))
            }
        }
        let known = Set(try store.linkProposals(state: nil).map(\.pair))
        let matcher = PersonMatcher(settings: settings)
        let index = directory.index
        let matches = matcher.matches(in: matcher.candidates(pool), only: fresh) { pair in
            known.contains(pair) || index.personID(of: pair.first) == index.personID(of: pair.second)
        }
        let automatic = PersonMatcher.unambiguousAutoLinks(matches)
        for match in matches {
            var proposal = LinkProposal(pair: match.pair, score: match.score, reasons: match.reasons, proposedAt: now)
            if automatic.contains(match.pair),
                let person = autoLink(match, index: &directory.index, people: &people, at: now)
            {
                proposal.state = .linked
                proposal.decidedBy = "vigil"
                proposal.decidedAt = now
                logger.debug("automatic link into \(person): score \(Score.format(match.score))")
            }
            people.proposals.append(proposal)
        }
        if !matches.isEmpty { logger.info("people: \(matches.count) link proposals") }
    }

    /// Links the pair unless it would join two people who already have ids of their own,
    /// or give a person a second record of one source. Returns the person id.
    private func autoLink(
        _ match: PersonMatcher.Match, index: inout PeopleIndex, people: inout PeopleChanges, at now: Date
    )
        -> String?
    {
        let first = match.pair.first
        let second = match.pair.second
        let firstLinked = index.personOf[first]
        let secondLinked = index.personOf[second]
        if firstLinked != nil && secondLinked != nil { return nil }
        let person = firstLinked ?? secondLinked ?? index.newPersonID(for: [first, second])
        let joining = firstLinked == nil ? first : second
        let others = index.records(of: person)
        if others.contains(where: { $0.sourceID == joining.sourceID }) { return nil }
        var records = [joining]
        if firstLinked == nil && secondLinked == nil { records = [first, second] }
        for record in records {
            let link = PersonLink(
                record: record, personID: person, origin: .automatic, decidedBy: "vigil", decidedAt: now)
            index.add(link)
            people.links.append(link)
        }
        people.decisions.append(
            PersonDecision(
                at: now, by: "vigil", action: .link, personID: person, records: [first, second],
                note: "automatic: score \(Score.format(match.score)); " + match.reasons.joined(separator: "; ")))
        return person
    }

    // MARK: - Folding

    /// What a person event changed, whichever source reported it; nil for changes that are
    /// not compared across sources (fields other than the status).
    static func signature(of event: Event) -> String? {
        switch event.kind {
        case .added: return "added:" + (event.record?.status.description ?? "")
        case .removed: return "removed"
        case .changed:
            return event.changes.first { $0.field == "status" }.map { "status:" + ($0.to ?? "") }
        default: return nil
        }
    }

    private func fold(_ changes: inout ChangeSet, people: inout PeopleChanges, directory: PeopleDirectory, at now: Date)
        throws(StateError)
    {
        let window = settings.sameChangeWithin
        guard window > .zero else { return }
        var told: [String: PersonChange] = [:]
        for change in try store.toldChanges(since: now.addingTimeInterval(-window.timeInterval)) {
            told[change.personID + "\u{0}" + change.signature] = change
        }
        var firstInRun: [String: Int] = [:]
        for position in changes.events.indices {
            let event = changes.events[position]
            guard let person = event.subject, directory.index.recordsOf[person.id] != nil,
                let signature = Self.signature(of: event)
            else { continue }
            let mark = person.id + "\u{0}" + signature
            if let first = firstInRun[mark] {
                if changes.events[first].sourceID != event.sourceID {
                    changes.events[position].foldedInto = changes.events[first].id
                    changes.events[first].reportedBy.append(event.sourceID)
                }
                continue
            }
            if let earlier = told[mark], earlier.sourceID != event.sourceID {
                changes.events[position].foldedInto = earlier.eventID
                continue
            }
            firstInRun[mark] = position
            changes.events[position].reportedBy = [event.sourceID]
            people.told.append(
                PersonChange(
                    personID: person.id, signature: signature, eventID: event.id, sourceID: event.sourceID, at: now))
        }
    }

    // MARK: - Conflicts

    private func conflicts(
        _ changes: inout ChangeSet, people: inout PeopleChanges, directory: inout PeopleDirectory, at now: Date
    ) throws(StateError) {
        let stored = try store.personConflicts()
        // The event that touched each person first, to attach a conflict to.
        var trigger: [String: Event] = [:]
        for event in changes.events where event.kind.isPersonEvent {
            if let person = event.subject?.id, trigger[person] == nil { trigger[person] = event }
        }
        // Only people whose statuses or links may have changed: those an event touched, those
        // linked since the previous run (in this run, or by a team member in between), and
        // those with a disagreement on record (to resolve it). An unchanged run reads nothing.
        let previousRun = try store.sourceStates().values.compactMap(\.lastAttemptAt).max() ?? .distantPast
        var candidates = Set(trigger.keys).union(stored.keys)
        for link in directory.index.links.values where link.decidedAt >= previousRun {
            candidates.insert(link.personID)
        }
        for person in candidates.sorted() {
            guard let first = directory.index.records(of: person).first ?? RecordRef(person) else { continue }
            let snapshot = try directory.snapshot(of: first)
            // Only canonical words are compared: a source's unmapped word is not a disagreement.
            let listed = snapshot.listings.filter {
                DetaineeStatus.Canonical(rawValue: $0.status).map { $0 != .unknown } ?? false
            }
            let statuses = Set(listed.map(\.status))
            let text = listed.map { "\($0.sourceID)=\($0.status)" }.sorted().joined(separator: "; ")
            if statuses.count > 1 {
                guard stored[person]?.statuses != text else { continue }
                let event = conflictEvent(.conflict, snapshot: snapshot, trigger: trigger[person], text: text, at: now)
                changes.events.append(event)
                people.conflicts.append(
                    PersonConflict(personID: person, statuses: text, eventID: event.id, raisedAt: now))
            } else if stored[person] != nil {
                changes.events.append(
                    conflictEvent(.conflictResolved, snapshot: snapshot, trigger: trigger[person], text: text, at: now))
                people.resolvedConflicts.append(person)
            }
        }
    }

    private func conflictEvent(
        _ kind: Event.Kind, snapshot: PersonSnapshot, trigger: Event?, text: String, at now: Date
    )
        -> Event
    {
        let listing = snapshot.listings.first { $0.sourceID == trigger?.sourceID } ?? snapshot.listings.first
        var record = trigger?.record
        if record == nil, let listing {
            record = Record(key: listing.key, name: listing.name, status: DetaineeStatus(stored: listing.status))
        }
        var event = Event(
            kind: kind, sourceID: trigger?.sourceID ?? listing?.sourceID ?? "", at: now, record: record, message: text)
        event.subject = snapshot
        return event
    }
}
