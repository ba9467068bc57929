import Foundation

/// What became of a transition held for a person's approval: approved, rejected (with the
/// reason), or withdrawn because its record changed again first. Stored with who and when,
/// for the person's timeline; never deleted.
public struct HoldDecision: Sendable, Equatable {
    public enum Verdict: String, Sendable, CaseIterable {
        /// A team member said yes: it is sent (at once, or once `runs`/`sources` confirm it).
        case approved
        /// A team member said no: it is dropped and never sent.
        case rejected
        /// The record changed again while it waited: dropped, as any held transition is.
        case withdrawn
    }

    /// The held event (its idempotency keys are those of the notifications an approval sends).
    public var eventID: String
    public var ruleID: String
    public var sourceID: String
    public var key: String
    /// The status that was held ("" for a removal).
    public var status: String
    public var verdict: Verdict
    /// Who decided: a team member's name, or ``automatic``.
    public var by: String
    public var at: Date
    /// Why (required for a rejection; may be empty for an approval).
    public var reason: String

    public init(
        eventID: String, ruleID: String, sourceID: String, key: String, status: String, verdict: Verdict, by: String,
        at: Date, reason: String
    ) {
        self.eventID = eventID
        self.ruleID = ruleID
        self.sourceID = sourceID
        self.key = key
        self.status = status
        self.verdict = verdict
        self.by = by
        self.at = at
        self.reason = reason
    }

    init(_ transition: HeldTransition, verdict: Verdict, by: String, at: Date, reason: String) {
        self.init(
            eventID: transition.eventID, ruleID: transition.ruleID, sourceID: transition.sourceID,
            key: transition.key, status: transition.status, verdict: verdict, by: by, at: at, reason: reason)
    }

    /// The decider of what no person decided (a withdrawal).
    public static let automatic = "vigil"

    public var record: RecordRef { RecordRef(sourceID: sourceID, key: key) }

    /// The short id a person types to name a held transition: the first 8 characters of its
    /// event id (`vigil approve` also takes any longer unique prefix).
    public static func shortID(_ eventID: String) -> String { String(eventID.prefix(8)) }
}
