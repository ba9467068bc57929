import Foundation
import VigilCEL

/// The transitions rules hold, as a team member reviews them, and the decisions about those
/// held for approval (`vigil held`, `vigil approve`, `vigil reject`, the console).
///
/// An approval or a rejection is stored, with who decided and when, in one transaction. An
/// approval does not send anything itself: the next run's confirmation stage releases the
/// transition (the command starts one at once), so a release always goes through the one
/// path that checks the record still says what was held and sends each notification once
/// per person, with the held event's idempotency keys.
public struct HeldQueue {
    public let configuration: Configuration
    public let store: any StateStore

    public init(configuration: Configuration, store: any StateStore) {
        self.configuration = configuration
        self.store = store
    }

    /// One held transition with what a reviewer needs to decide.
    public struct Item: Sendable {
        public var transition: HeldTransition
        public var confirmation: Confirmation
        /// The held event: what changed, as the source reported it.
        public var event: Event?
        /// The person across linked sources, as they are now.
        public var person: PersonSnapshot
        /// What a release would queue: who would be told, through which output.
        public var wouldNotify: [QueuedNotification]

        /// What the reviewer types: ``HoldDecision/shortID(_:)`` of the held event.
        public var id: String { HoldDecision.shortID(transition.eventID) }

        /// True when only a team member's decision is missing (runs and sources confirmed it).
        public var awaitsApproval: Bool { confirmation.approval && transition.announcedAt != nil }

        /// What it still waits for, in words.
        public var waitingFor: String {
            if confirmation.approval, let approval = transition.approval {
                return "confirmation (approved by \(approval.by); \(confirmation))"
            }
            if awaitsApproval { return "approval" }
            return confirmation.description
        }
    }

    /// What an approval did.
    public enum Outcome: Sendable, Equatable {
        /// Approved; released by the next run (or once `runs`/`sources` confirm it).
        case approved(HoldDecision)
        /// Rejected: dropped, never sent.
        case rejected(HoldDecision)
        /// The record changed again before the decision: the hold was dropped, nothing sent.
        case withdrawn(HoldDecision)
    }

    /// Every held transition, oldest first.
    public func items(at now: Date = Date()) throws(StateError) -> [Item] {
        let rules = configuration.rulesByID
        var people = try PeopleDirectory(store: store, sources: configuration.sources)
        return try configuration.withRouter(store: store) { router throws(StateError) in
            var items: [Item] = []
            for transition in try store.heldTransitions() {
                guard let confirmation = rules[transition.ruleID]?.confirm else { continue }
                let event = try store.event(id: transition.eventID)
                items.append(
                    Item(
                        transition: transition, confirmation: confirmation, event: event,
                        person: try people.snapshot(of: transition.record, record: event?.record),
                        wouldNotify: event.map { router.release($0, ruleID: transition.ruleID, at: now) } ?? []))
            }
            return items
        }
    }

    /// Approves the held transition `id` names (a unique prefix of its event id), with every
    /// transition of the same rule, person and status held from other sources. Stored at
    /// once; released by the next run once `runs`/`sources` confirm it.
    public func approve(_ id: String, by: String, at now: Date = Date()) throws(HeldQueueError) -> Outcome {
        try decide(id, verdict: .approved, by: by, reason: "", at: now)
    }

    /// Rejects the held transition `id` names, with its siblings from other sources: dropped
    /// for good, with the reason stored.
    public func reject(_ id: String, by: String, reason: String, at now: Date = Date()) throws(HeldQueueError)
        -> Outcome
    {
        guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .reasonRequired }
        return try decide(id, verdict: .rejected, by: by, reason: reason, at: now)
    }

    private func decide(_ id: String, verdict: HoldDecision.Verdict, by: String, reason: String, at now: Date)
        throws(HeldQueueError) -> Outcome
    {
        do {
            let rules = configuration.rulesByID
            let held = try store.heldTransitions()
            let target = try find(id, in: held)
            guard let confirmation = rules[target.ruleID]?.confirm, confirmation.approval else {
                throw HeldQueueError.needsNoApproval(id, rules[target.ruleID]?.confirm?.description ?? "")
            }
            if let approval = target.approval {
                throw HeldQueueError.alreadyApproved(id, by: approval.by, at: approval.at)
            }
            var people = try PeopleDirectory(store: store, sources: configuration.sources)
            let person = people.index.personID(of: target.record)
            let siblings = held.filter {
                $0.ruleID == target.ruleID && $0.status == target.status
                    && people.index.personID(of: $0.record) == person
            }
            var changes = ChangeSet(startedAt: now)
            changes.exitCode = 0
            guard target.stillHolds(try people.current.record(target.record)) else {
                let decision = HoldDecision(
                    target, verdict: .withdrawn, by: HoldDecision.automatic, at: now,
                    reason: "the record changed again before it was \(verdict.rawValue)")
                changes.holds.released = [target.id]
                changes.holds.decisions = [decision]
                try store.commit(changes)
                return .withdrawn(decision)
            }
            let decision = HoldDecision(target, verdict: verdict, by: by, at: now, reason: reason)
            changes.holds.decisions = [decision]
            switch verdict {
            case .approved:
                changes.holds.held = siblings.map { sibling in
                    var approved = sibling
                    approved.approval = HoldApproval(by: by, at: now)
                    return approved
                }
            case .rejected, .withdrawn:
                changes.holds.released = siblings.map(\.id)
            }
            try store.commit(changes)
            return verdict == .approved ? .approved(decision) : .rejected(decision)
        } catch let error as HeldQueueError {
            throw error
        } catch let error as StateError {
            throw .state(error)
        } catch {
            throw .state(.database("\(error)"))
        }
    }

    /// The held transition a typed id names: a unique prefix of its event id.
    private func find(_ id: String, in held: [HeldTransition]) throws -> HeldTransition {
        let typed = id.lowercased()
        guard typed.count >= 4 else { throw HeldQueueError.tooShort(id) }
        let matches = held.filter { $0.eventID.hasPrefix(typed) }
        if matches.count > 1 { throw HeldQueueError.ambiguous(id, matches.map { String($0.eventID.prefix(12)) }) }
        if let match = matches.first { return match }
        if let decided = try store.holdDecisions(records: nil).first(where: { $0.eventID.hasPrefix(typed) }) {
            throw HeldQueueError.alreadyDecided(id, decided)
        }
        throw HeldQueueError.unknown(id)
    }
}

/// Why a decision about a held transition was refused; nothing was changed.
public enum HeldQueueError: Error, Sendable, CustomStringConvertible, Equatable {
    case unknown(String)
    case tooShort(String)
    case ambiguous(String, [String])
    case alreadyDecided(String, HoldDecision)
    case alreadyApproved(String, by: String, at: Date)
    case needsNoApproval(String, String)
    case reasonRequired
    case state(StateError)

    public var description: String {
        switch self {
        case .unknown(let id): "nothing held has the id \"\(id)\" (see `vigil held`)"
        case .tooShort(let id): "\"\(id)\" is too short: type at least 4 characters of the id `vigil held` shows"
        case .ambiguous(let id, let matches):
            "\"\(id)\" names several held transitions (\(matches.joined(separator: ", "))); type more of the id"
        case .alreadyDecided(let id, let decision):
            "\"\(id)\" was already \(decision.verdict.rawValue) by \(decision.by) at "
                + "\(Timestamp.iso8601(decision.at))\(decision.reason.isEmpty ? "" : " (\(decision.reason))")"
        case .alreadyApproved(let id, let by, let at):
            "\"\(id)\" was already approved by \(by) at \(Timestamp.iso8601(at)); it is sent once confirmed"
        case .needsNoApproval(let id, let confirmation):
            "\"\(id)\" is held until \(confirmation); its rule asks for no approval"
        case .reasonRequired: "a rejection needs a reason (--reason), stored with the decision"
        case .state(let error): error.description
        }
    }
}
