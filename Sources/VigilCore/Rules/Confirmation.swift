import Foundation

/// Holding a high-stakes transition (`released`, `deceased`) until it is confirmed, because
/// announced releases are sometimes not carried out and one source may be wrong.
public enum Confirmation: Sendable, Equatable {
    /// Seen in this many consecutive successful runs of the source (the first one included).
    case runs(Int)
    /// Reported with the same status by at least this many distinct sources linked to the
    /// same person (for a removal: no longer listed by that many).
    case sources(Int)
}

/// A transition a rule holds until it is confirmed: stored between runs.
public struct HeldTransition: Sendable, Equatable {
    public var ruleID: String
    public var sourceID: String
    public var key: String
    /// The event that will be notified once confirmed (its idempotency keys stay the same).
    public var eventID: String
    /// The status that must still hold (empty: the record must still be absent, for `removed`).
    public var status: String
    /// Consecutive successful runs that saw it, the first one included.
    public var runsSeen: Int
    public var heldSince: Date

    public init(
        ruleID: String, sourceID: String, key: String, eventID: String, status: String, runsSeen: Int, heldSince: Date
    ) {
        self.ruleID = ruleID
        self.sourceID = sourceID
        self.key = key
        self.eventID = eventID
        self.status = status
        self.runsSeen = runsSeen
        self.heldSince = heldSince
    }

    /// Which held row this is: one per rule, source and record.
    public struct ID: Sendable, Hashable {
        public var ruleID: String
        public var sourceID: String
        public var key: String

        public init(ruleID: String, sourceID: String, key: String) {
            self.ruleID = ruleID
            self.sourceID = sourceID
            self.key = key
        }
    }

    public var id: ID { ID(ruleID: ruleID, sourceID: sourceID, key: key) }

    /// The state a held event asks to be confirmed: the record's status (or absence).
    static func expectedStatus(of event: Event) -> String {
        event.kind == .removed ? "" : event.record?.status.description ?? ""
    }
}

/// What routing decided: notifications to queue now, and transitions held for confirmation.
public struct Routing: Sendable {
    public var notifications: [QueuedNotification] = []
    /// Events a rule with `confirm` matched, with that rule: not notified yet.
    public var held: [(event: Event, rule: Rule)] = []

    public init(notifications: [QueuedNotification] = [], held: [(event: Event, rule: Rule)] = []) {
        self.notifications = notifications
        self.held = held
    }
}
