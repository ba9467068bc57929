import Foundation

/// Holding a high-stakes transition (`released`, `deceased`) until it is confirmed, because
/// announced releases are sometimes not carried out and one source may be wrong — and, when
/// the team wants it, until a person approves the message.
public struct Confirmation: Sendable, Equatable {
    /// Seen in this many consecutive successful runs of the source (the first one included).
    public var runs: Int?
    /// Reported with the same status by at least this many distinct sources linked to the
    /// same person (for a removal: no longer listed by that many).
    public var sources: Int?
    /// A team member must approve it (`vigil approve`, or the console) before it is sent,
    /// after `runs` or `sources` (if set) confirmed it.
    public var approval: Bool

    public init(runs: Int? = nil, sources: Int? = nil, approval: Bool = false) {
        self.runs = runs
        self.sources = sources
        self.approval = approval
    }

    public static func runs(_ runs: Int) -> Confirmation { Confirmation(runs: runs) }
    public static func sources(_ sources: Int) -> Confirmation { Confirmation(sources: sources) }
}

extension Confirmation: CustomStringConvertible {
    /// What confirms it, in words: "seen in 2 consecutive runs, then approved by the team".
    public var description: String {
        var parts: [String] = []
        if let runs { parts.append("seen in \(runs) consecutive runs") }
        if let sources { parts.append("reported by \(sources) sources") }
        if approval { parts.append(parts.isEmpty ? "approved by the team" : "then approved by the team") }
        return parts.joined(separator: ", ")
    }
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
    /// For a rule with `approval`: who approved it and when (it is released once `runs` or
    /// `sources` also confirm it).
    public var approval: HoldApproval?
    /// For a rule with `approval`: when the team was told it waits (``Event/Kind/approvalRequested``).
    public var announcedAt: Date?

    public init(
        ruleID: String, sourceID: String, key: String, eventID: String, status: String, runsSeen: Int, heldSince: Date,
        approval: HoldApproval? = nil, announcedAt: Date? = nil
    ) {
        self.ruleID = ruleID
        self.sourceID = sourceID
        self.key = key
        self.eventID = eventID
        self.status = status
        self.runsSeen = runsSeen
        self.heldSince = heldSince
        self.approval = approval
        self.announcedAt = announcedAt
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

    /// A record's reference.
    public var record: RecordRef { RecordRef(sourceID: sourceID, key: key) }

    /// The state a held event asks to be confirmed: the record's status (or absence).
    static func expectedStatus(of event: Event) -> String {
        event.kind == .removed ? "" : event.record?.status.description ?? ""
    }

    /// True while the record, as its source lists it now (nil: not listed), still says what
    /// was held; false once it changed again.
    func stillHolds(_ current: Record?) -> Bool {
        (current?.status.description ?? "") == status
    }
}

/// A team member's yes to a held transition, waiting for `runs` or `sources` to confirm it.
public struct HoldApproval: Sendable, Equatable {
    public var by: String
    public var at: Date

    public init(by: String, at: Date) {
        self.by = by
        self.at = at
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
