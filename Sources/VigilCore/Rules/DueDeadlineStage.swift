import Foundation

/// Raises the deadlines due at a moment, skipping failing sources (whose dates may be
/// stale), and routes them: a deadline is no transition to confirm, so rules with
/// `confirm` notify it at once.
struct DueDeadlineStage {
    let configuration: Configuration
    let store: any RecordReading & FollowUpReading & PeopleReading & SuppressionReading

    /// The events and notifications of the deadlines due at `now`, as `changes`' parts.
    func raise(at now: Date, into changes: inout ChangeSet) throws(StateError) {
        let due = try store.dueDeadlines(at: now)
        guard !due.isEmpty else { return }
        let failing = Set(try store.sourceStates().values.filter(\.isFailing).map(\.id))
        let configured = Dictionary(
            configuration.deadlines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for due in due where !failing.contains(due.sourceID) {
            guard let deadline = configured[due.deadlineID] else { continue }
            changes.events.append(
                Event(
                    kind: deadline.direction == .overdue ? .overdue : .upcoming, sourceID: due.sourceID, at: now,
                    record: due.record, message: deadline.message(value: due.value), deadline: deadline.id))
            changes.deadlines.fired.append(
                DeadlineWatchRow(deadlineID: due.deadlineID, sourceID: due.sourceID, key: due.record.key, watch: nil))
        }
        guard !changes.events.isEmpty else { return }
        // Each deadline is about a person: sponsors of the person hear of it, and rules see `person`.
        var people = try PeopleDirectory(store: store, changes: changes, sources: configuration.sources)
        for index in changes.events.indices {
            guard let record = changes.events[index].record else { continue }
            let ref = RecordRef(sourceID: changes.events[index].sourceID, key: record.key)
            changes.events[index].subject = try people.snapshot(of: ref, record: record)
        }
        changes.notifications = try configuration.withRouter(store: store) { router in
            let routing = router.routing(for: changes.events, at: now)
            return routing.notifications
                + routing.held.flatMap { router.release($0.event, ruleID: $0.rule.id, at: now) }
        }
    }
}
