import Foundation

/// The console's reads and the team's accounts, in memory.
extension MemoryStateStore {
    public func consoleUsers() throws(StateError) -> [ConsoleUser] {
        state.withLock { $0.consoleUsers.values.sorted { $0.name < $1.name } }
    }

    public func saveConsoleUser(_ user: ConsoleUser) throws(StateError) {
        state.withLock { $0.consoleUsers[user.name] = user }
    }

    @discardableResult
    public func removeConsoleUser(name: String) throws(StateError) -> Bool {
        state.withLock { $0.consoleUsers.removeValue(forKey: name) != nil }
    }

    public func recordCountHistory(since date: Date) throws(StateError) -> [String: [RecordCountSample]] {
        let first = Self.hourBucket(date)
        return state.withLock { tables in
            tables.recordCounts.mapValues { samples in
                samples.filter { $0.key >= first }.sorted { $0.key < $1.key }.map {
                    RecordCountSample(at: Date(timeIntervalSince1970: Double($0.key) * 3600), count: $0.value)
                }
            }.filter { !$0.value.isEmpty }
        }
    }

    public func events(matching filter: EventFilter, limit: Int) throws(StateError) -> [StoredEvent] {
        state.withLock { tables in
            Array(
                tables.events.reversed().lazy.filter { stored in
                    let event = stored.event
                    if let source = filter.source, event.sourceID != source { return false }
                    if let kind = filter.kind, event.kind != kind { return false }
                    if let records = filter.records {
                        guard let key = event.record?.key,
                            records.contains(RecordRef(sourceID: event.sourceID, key: key))
                        else { return false }
                    }
                    if let from = filter.from, event.at < from { return false }
                    if let to = filter.to, event.at >= to { return false }
                    if let before = filter.before, stored.sequence >= before { return false }
                    return true
                }.prefix(limit))
        }
    }

    public func outboxEntries(events: [String]) throws(StateError) -> [OutboxEntry] {
        let wanted = Set(events)
        return state.withLock { tables in
            tables.outbox.filter { wanted.contains($0.notification.eventID) }.map { Self.entry($0, tables: tables) }
        }
    }

    public func outboxCounts() throws(StateError) -> [OutboxEntry.State: Int] {
        state.withLock { tables in
            var counts: [OutboxEntry.State: Int] = [:]
            for row in tables.outbox { counts[row.state, default: 0] += 1 }
            return counts
        }
    }
}
