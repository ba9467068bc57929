import Foundation

/// Something a run noticed: a change to a person, or a change in a source's health.
public struct Event: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, CaseIterable {
        /// A person appeared in a source.
        case added
        /// A person's fields changed; see ``Event/changes``.
        case changed
        /// A person disappeared from a source (not the same as released).
        case removed
        /// A source started failing (the first failure of a streak).
        case failing
        /// A source that was failing works again.
        case recovered
        /// A source lost a suspicious share of its records at once; nothing was applied.
        case suspicious
        /// A notification could not be delivered and was given up (dead-lettered).
        case deadLettered = "dead_lettered"
        /// A deadline rule found a date too far in the past (no ICRC visit for 35 days).
        case overdue
        /// A deadline rule found a date coming soon (a hearing within 7 days).
        case upcoming
        /// A new item of a feed names a person another source tracks: news for the team,
        /// never a change of the person's status. ``Event/record`` is the item,
        /// ``Event/person`` the person.
        case mention
        /// Linked sources disagree on a person's status (``Event/message`` says how); raised
        /// once per disagreement. ``Event/subject`` is the person.
        case conflict
        /// Linked sources that disagreed on a person's status agree again.
        case conflictResolved = "conflict_resolved"
        /// A recipient stopped a list with an unsubscribe link (``Event/message`` says who and
        /// what; ``Event/person`` is the sponsored person, for a sponsorship).
        case unsubscribed
        /// A recipient's address bounced for good (hard bounces reached the configured count);
        /// mail to that address stopped. ``Event/message`` says who, the address and the status.
        case bounced
        /// A receiving server's policy refused an output's mail (a 5.7.x status: SPF, DKIM,
        /// DMARC, reputation): a configuration failure, raised once per streak.
        case senderRejected = "sender_rejected"
        /// A transition a rule with `confirm: {"approval": true}` holds waits for a team
        /// member's yes (``Event/message`` says who, what and how many would be told;
        /// ``Event/subject`` is the person). Never carries the record, so it never reaches
        /// the person's sponsors.
        case approvalRequested = "approval_requested"

        /// Person events are about a detainee; the others are about a source.
        public var isPersonEvent: Bool { self == .added || self == .changed || self == .removed }

        /// Deadline events are about a person's dates; they are raised from the stored state.
        public var isDeadline: Bool { self == .overdue || self == .upcoming }
    }

    /// Unique id, also the root of the idempotency keys of its notifications.
    public var id: String
    public var kind: Kind
    public var sourceID: String
    public var at: Date
    /// The person as they are now (for `removed`: as they were last seen).
    public var record: Record?
    /// Field by field, for `changed`.
    public var changes: [FieldChange]
    /// For source-health events: what went wrong, without personal data.
    public var message: String?
    /// For deadline events: the deadline's id (as configured).
    public var deadline: String?
    /// For `mention`: the tracked person the item names.
    public var person: PersonReference?
    /// The person the event is about, across linked sources (set by the run; nil for
    /// source-health events).
    public var subject: PersonSnapshot?
    /// The sources that reported this change of the person (this one first, then those
    /// folded into it); empty when not tracked.
    public var reportedBy: [String] = []
    /// Set when another linked source reported the same change of the person first (in this
    /// run or within the fold window): the event is stored, never notified.
    public var foldedInto: String?

    public init(
        id: String = UUID().uuidString.lowercased(), kind: Kind, sourceID: String, at: Date,
        record: Record? = nil, changes: [FieldChange] = [], message: String? = nil, deadline: String? = nil,
        person: PersonReference? = nil
    ) {
        self.person = person
        self.deadline = deadline
        self.id = id
        self.kind = kind
        self.sourceID = sourceID
        self.at = at
        self.record = record
        self.changes = changes
        self.message = message
    }
}

/// A person as one source tracks them: the source, the record's key and the name.
public struct PersonReference: Sendable, Equatable {
    public var sourceID: String
    public var key: String
    public var name: String

    public init(sourceID: String, key: String, name: String) {
        self.sourceID = sourceID
        self.key = key
        self.name = name
    }
}

/// One field's value before and after a change. A missing value is `nil`.
public struct FieldChange: Sendable, Equatable {
    /// `name`, `status`, or a configured field name.
    public var field: String
    public var from: String?
    public var to: String?

    public init(field: String, from: String?, to: String?) {
        self.field = field
        self.from = from
        self.to = to
    }
}
