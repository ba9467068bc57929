import Foundation

/// Raises a `mention` event for each tracked person a new feed item names, beside the
/// item's own `added` event. The people are the records of the sources that do not raise
/// mentions (stored, and added this run); a mention never changes anyone's status.
struct MentionStage {
    let configuration: Configuration
    let store: any RecordReading

    func mentions(in changes: ChangeSet, at now: Date) throws(StateError) -> [Event] {
        let newsSources = Set(configuration.sources.filter(\.reader.raisesMentions).map(\.id))
        let items = changes.events.filter { $0.kind == .added && newsSources.contains($0.sourceID) }
        guard !items.isEmpty else { return [] }
        var people: [PersonReference] = []
        var seen: Set<String> = []
        func add(_ record: Record, source: String) {
            if seen.insert(source + "\u{1F}" + record.key).inserted {
                people.append(PersonReference(sourceID: source, key: record.key, name: record.name))
            }
        }
        for event in changes.events where event.kind == .added && !newsSources.contains(event.sourceID) {
            if let record = event.record { add(record, source: event.sourceID) }
        }
        for source in configuration.sources where !newsSources.contains(source.id) {
            for stored in try store.records(source: source.id) { add(stored.record, source: source.id) }
        }
        let finder = MentionFinder(people: people)
        guard !finder.isEmpty else { return [] }
        var mentions: [Event] = []
        for item in items {
            guard let record = item.record else { continue }
            let text = [record.name, record.field("summary"), record.field("content")].compactMap { $0 }
                .joined(separator: " \u{2029} ")
            for person in finder.people(namedIn: text) {
                mentions.append(Event(kind: .mention, sourceID: item.sourceID, at: now, record: record, person: person))
            }
        }
        return mentions
    }
}
