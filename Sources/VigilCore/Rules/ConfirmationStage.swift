import Foundation
import Logging

/// Holds what rules with `confirm` matched, and re-checks what earlier runs held: a held
/// transition still true in this run's state counts one more run (or its sources are
/// counted); once confirmed its notifications are queued, and if the state moved on it is
/// dropped without a word.
struct ConfirmationStage {
    let configuration: Configuration
    let store: any RecordReading & EventReading & FollowUpReading
    let logger: Logger

    func confirm(
        _ held: [(event: Event, rule: Rule)], router: any EventRouter, changes: inout ChangeSet,
        people: inout PeopleDirectory, now: Date
    ) throws(StateError) {
        let healthy = Set(changes.sources.filter { !$0.isFailing && $0.lastSuccessAt == now }.map(\.id))
        let rules = Dictionary(configuration.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var fresh: Set<HeldTransition.ID> = []
        // Rule, person and status released in this pass: several sources confirming the same
        // transition make one notification, not one per source.
        var released: Set<String> = []
        func release(_ event: Event, _ transition: HeldTransition) {
            let person = people.index.personID(of: RecordRef(sourceID: transition.sourceID, key: transition.key))
            guard released.insert("\(transition.ruleID)\u{0}\(person)\u{0}\(transition.status)").inserted
            else { return }
            changes.notifications += router.release(event, ruleID: transition.ruleID, at: now)
        }
        for (event, rule) in held {
            guard let record = event.record, let confirmation = rule.confirm else { continue }
            let transition = HeldTransition(
                ruleID: rule.id, sourceID: event.sourceID, key: record.key, eventID: event.id,
                status: HeldTransition.expectedStatus(of: event), runsSeen: 1, heldSince: now)
            fresh.insert(transition.id)
            if try isConfirmed(transition, by: confirmation, people: &people) {
                release(event, transition)
            } else {
                changes.holds.held.append(transition)
            }
        }
        for var transition in try store.heldTransitions() where !fresh.contains(transition.id) {
            guard let confirmation = rules[transition.ruleID]?.confirm else {
                changes.holds.released.append(transition.id)  // the rule is gone or no longer holds
                continue
            }
            if case .runs = confirmation, !healthy.contains(transition.sourceID) { continue }
            let current = try people.current.record(RecordRef(sourceID: transition.sourceID, key: transition.key))
            guard (current?.status.description ?? "") == transition.status else {
                logger.debug("held transition of rule \(transition.ruleID) dropped: the record changed again")
                changes.holds.released.append(transition.id)
                continue
            }
            transition.runsSeen += 1
            guard try isConfirmed(transition, by: confirmation, people: &people) else {
                changes.holds.held.append(transition)
                continue
            }
            changes.holds.released.append(transition.id)
            if let event = try store.event(id: transition.eventID) { release(event, transition) }
        }
    }

    /// `runs`: seen often enough. `sources`: enough distinct linked sources of the person
    /// report the same status now (for a removal: no longer list the person).
    private func isConfirmed(_ transition: HeldTransition, by confirmation: Confirmation, people: inout PeopleDirectory)
        throws(StateError) -> Bool
    {
        switch confirmation {
        case .runs(let runs):
            return transition.runsSeen >= runs
        case .sources(let count):
            let record = RecordRef(sourceID: transition.sourceID, key: transition.key)
            return try people.sources(of: record, withStatus: transition.status) >= count
        }
    }
}
