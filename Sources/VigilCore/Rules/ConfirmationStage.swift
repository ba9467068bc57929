import Foundation
import Logging

/// Holds what rules with `confirm` matched, and re-checks what earlier runs held: a held
/// transition still true in this run's state counts one more run (or its sources are
/// counted); once confirmed — and, for a rule with `approval`, approved by a team member —
/// its notifications are queued, and if the state moved on it is dropped without a word to
/// the recipients.
///
/// A transition waiting for approval is announced once to the team (an
/// ``Event/Kind/approvalRequested`` event, routed by the rules); a withdrawn one (its record
/// changed again) is stored as a ``HoldDecision`` for the person's timeline.
struct ConfirmationStage {
    let configuration: Configuration
    let store: any RecordReading & EventReading & FollowUpReading
    let logger: Logger

    func confirm(
        _ held: [(event: Event, rule: Rule)], router: any EventRouter, changes: inout ChangeSet,
        people: inout PeopleDirectory, now: Date
    ) throws(StateError) {
        let healthy = Set(changes.sources.filter { !$0.isFailing && $0.lastSuccessAt == now }.map(\.id))
        let rules = configuration.rulesByID
        let stored = try store.heldTransitions()
        var fresh: Set<HeldTransition.ID> = []
        // Rule, person and status released (or announced) in this pass: several sources
        // confirming the same transition make one notification, not one per source.
        var released: Set<String> = []
        var announced: Set<String> = []
        func sameTransition(_ transition: HeldTransition) -> String {
            let person = people.index.personID(of: transition.record)
            return "\(transition.ruleID)\u{0}\(person)\u{0}\(transition.status)"
        }
        for transition in stored where transition.announcedAt != nil {
            announced.insert(sameTransition(transition))
        }
        func release(_ event: Event, _ transition: HeldTransition) {
            guard released.insert(sameTransition(transition)).inserted else { return }
            changes.notifications += router.release(event, ruleID: transition.ruleID, at: now)
        }
        /// Keeps a confirmed transition for a team member's decision, telling the team the first
        /// time. One that would tell nobody is not worth a decision: dropped (returns false).
        func waitForApproval(_ transition: inout HeldTransition, event: Event?) throws(StateError) -> Bool {
            guard transition.announcedAt == nil else {
                changes.holds.held.append(transition)
                return true
            }
            let told = event.map { router.release($0, ruleID: transition.ruleID, at: now) } ?? []
            guard let event, !told.isEmpty else { return false }
            transition.announcedAt = now
            changes.holds.held.append(transition)
            guard announced.insert(sameTransition(transition)).inserted else { return true }
            let notice = try announcement(of: transition, event: event, told: told, people: &people, now: now)
            changes.events.append(notice)
            changes.notifications += router.notifications(for: [notice], at: now)
            return true
        }
        for (event, rule) in held {
            guard let record = event.record, let confirmation = rule.confirm else { continue }
            var transition = HeldTransition(
                ruleID: rule.id, sourceID: event.sourceID, key: record.key, eventID: event.id,
                status: HeldTransition.expectedStatus(of: event), runsSeen: 1, heldSince: now)
            fresh.insert(transition.id)
            if try isConfirmed(transition, by: confirmation, people: &people) {
                if confirmation.approval {
                    _ = try waitForApproval(&transition, event: event)
                } else {
                    release(event, transition)
                }
            } else {
                changes.holds.held.append(transition)
            }
        }
        for var transition in stored where !fresh.contains(transition.id) {
            guard let confirmation = rules[transition.ruleID]?.confirm else {
                changes.holds.released.append(transition.id)  // the rule is gone or no longer holds
                continue
            }
            let seenThisRun = healthy.contains(transition.sourceID)
            // `runs` counts the source's runs; an approved transition whose runs were already
            // counted is released by any run (the one `vigil approve` starts).
            let counted = transition.approval != nil && (transition.runsSeen >= (confirmation.runs ?? 0))
            if confirmation.runs != nil, !seenThisRun, !counted { continue }
            guard transition.stillHolds(try people.current.record(transition.record)) else {
                logger.debug("held transition of rule \(transition.ruleID) dropped: the record changed again")
                changes.holds.released.append(transition.id)
                if confirmation.approval {
                    changes.holds.decisions.append(
                        HoldDecision(
                            transition, verdict: .withdrawn, by: HoldDecision.automatic, at: now,
                            reason: "the record changed again before it was approved"))
                }
                continue
            }
            if seenThisRun || confirmation.runs == nil { transition.runsSeen += 1 }
            guard try isConfirmed(transition, by: confirmation, people: &people) else {
                changes.holds.held.append(transition)
                continue
            }
            if confirmation.approval, transition.approval == nil {
                if try !waitForApproval(&transition, event: try store.event(id: transition.eventID)) {
                    changes.holds.released.append(transition.id)
                }
                continue
            }
            changes.holds.released.append(transition.id)
            if let event = try store.event(id: transition.eventID) { release(event, transition) }
        }
    }

    /// `runs`: seen often enough. `sources`: enough distinct linked sources of the person
    /// report the same status now (for a removal: no longer list the person). Neither: at once.
    private func isConfirmed(_ transition: HeldTransition, by confirmation: Confirmation, people: inout PeopleDirectory)
        throws(StateError) -> Bool
    {
        if let runs = confirmation.runs, transition.runsSeen < runs { return false }
        if let count = confirmation.sources {
            return try people.sources(of: transition.record, withStatus: transition.status) >= count
        }
        return true
    }

    /// The team's notice that a transition waits for a person's yes: who, what, which source,
    /// how many recipients the release would tell, and the command that approves it.
    private func announcement(
        of transition: HeldTransition, event: Event, told: [QueuedNotification], people: inout PeopleDirectory,
        now: Date
    ) throws(StateError) -> Event {
        let person = try people.snapshot(of: transition.record, record: event.record)
        let recipients = Set(told.map { "\($0.outputID)\u{0}\($0.recipient ?? "")" }).count
        let what = transition.status.isEmpty ? "removal" : "status \"\(transition.status)\""
        let name = person.name.isEmpty ? transition.key : person.name
        var notice = Event(
            id: "\(event.id)-approval", kind: .approvalRequested, sourceID: transition.sourceID, at: now,
            message: "\(what) of \(name) reported by source \(transition.sourceID), held for approval by rule "
                + "\(transition.ruleID): \(recipients) recipient\(recipients == 1 ? "" : "s") would be told "
                + "(held as \(HoldDecision.shortID(transition.eventID)))")
        notice.subject = person
        return notice
    }
}
