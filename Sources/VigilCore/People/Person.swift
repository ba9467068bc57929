import Foundation

/// One record of one source, by source id and key: what links join into a person.
/// Written `SOURCE:KEY` (split at the first colon; source ids have none).
public struct RecordRef: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var sourceID: String
    public var key: String

    public init(sourceID: String, key: String) {
        self.sourceID = sourceID
        self.key = key
    }

    /// Reads `SOURCE:KEY`; nil without a colon or with an empty part.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let source = String(text[..<colon])
        let key = String(text[text.index(after: colon)...])
        guard !source.isEmpty, !key.isEmpty else { return nil }
        self.init(sourceID: source, key: key)
    }

    public var description: String { sourceID + ":" + key }

    public static func < (lhs: RecordRef, rhs: RecordRef) -> Bool {
        (lhs.sourceID, lhs.key) < (rhs.sourceID, rhs.key)
    }
}

/// Two records, in a fixed order (the smaller first), so a pair is the same whichever way
/// it was found.
public struct RecordPair: Sendable, Hashable, CustomStringConvertible {
    public let first: RecordRef
    public let second: RecordRef

    public init(_ a: RecordRef, _ b: RecordRef) {
        (first, second) = a < b ? (a, b) : (b, a)
    }

    public var description: String { "\(first) ~ \(second)" }
}

/// Who decided a link.
public enum LinkOrigin: String, Sendable, CaseIterable {
    /// The team's crosswalk file (re-read on every run; edit the file to change it).
    case crosswalk
    /// A team member, with `vigil people link`.
    case manual
    /// Vigil itself: a proposal with an exact agreement on every configured strong field.
    case automatic
}

/// A record linked to a person, with who decided it and when.
public struct PersonLink: Sendable, Equatable {
    public var record: RecordRef
    public var personID: String
    public var origin: LinkOrigin
    /// `crosswalk FILE:LINE`, a user name, or `vigil` for automatic links.
    public var decidedBy: String
    public var decidedAt: Date

    public init(record: RecordRef, personID: String, origin: LinkOrigin, decidedBy: String, decidedAt: Date) {
        self.record = record
        self.personID = personID
        self.origin = origin
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}

/// Two records that may be one person: a score in 0…1 with the reasons behind it.
public struct LinkProposal: Sendable, Equatable {
    /// What a proposal became.
    public enum State: String, Sendable {
        case pending, linked, rejected
    }

    /// The stored id (`vigil people review` shows it); 0 before it is stored.
    public var id: Int64
    public var pair: RecordPair
    public var score: Double
    public var reasons: [String]
    public var state: State
    public var proposedAt: Date
    /// Who decided, for a linked or rejected pair.
    public var decidedBy: String?
    public var decidedAt: Date?

    public init(
        id: Int64 = 0, pair: RecordPair, score: Double, reasons: [String], state: State = .pending, proposedAt: Date,
        decidedBy: String? = nil, decidedAt: Date? = nil
    ) {
        self.id = id
        self.pair = pair
        self.score = score
        self.reasons = reasons
        self.state = state
        self.proposedAt = proposedAt
        self.decidedBy = decidedBy
        self.decidedAt = decidedAt
    }
}

/// One decision about people, kept for the person's history: who, when, what.
public struct PersonDecision: Sendable, Equatable {
    public enum Action: String, Sendable {
        case link, unlink, reject
    }

    public var at: Date
    public var by: String
    public var action: Action
    public var personID: String
    public var records: [RecordRef]
    /// Why: a proposal's score and reasons, a crosswalk line, a note.
    public var note: String

    public init(at: Date, by: String, action: Action, personID: String, records: [RecordRef], note: String = "") {
        self.at = at
        self.by = by
        self.action = action
        self.personID = personID
        self.records = records
        self.note = note
    }
}

/// The person an event is about, as the run saw them: every linked record with its current
/// status. A record nobody linked is a person of its own, with the id `SOURCE:KEY`.
public struct PersonSnapshot: Sendable, Equatable {
    /// One linked record as its source lists it now (status "" when the source no longer lists it).
    public struct Listing: Sendable, Equatable {
        public var sourceID: String
        public var key: String
        public var name: String
        public var status: String

        public init(sourceID: String, key: String, name: String, status: String) {
            self.sourceID = sourceID
            self.key = key
            self.name = name
            self.status = status
        }
    }

    public var id: String
    public var name: String
    /// In configuration order of the sources.
    public var listings: [Listing]

    public init(id: String, name: String, listings: [Listing]) {
        self.id = id
        self.name = name
        self.listings = listings
    }

    /// The sources that list the person now.
    public var sources: [String] { listings.filter { !$0.status.isEmpty }.map(\.sourceID) }
    /// The current statuses, one per source in ``sources``.
    public var statuses: [String] { listings.filter { !$0.status.isEmpty }.map(\.status) }
}

/// A disagreement between linked sources on a person's status, raised once and remembered
/// until the sources agree.
public struct PersonConflict: Sendable, Equatable {
    public var personID: String
    /// `source=status` pairs, sorted, joined by `; `: the same text is the same disagreement.
    public var statuses: String
    public var eventID: String
    public var raisedAt: Date

    public init(personID: String, statuses: String, eventID: String, raisedAt: Date) {
        self.personID = personID
        self.statuses = statuses
        self.eventID = eventID
        self.raisedAt = raisedAt
    }
}

/// A change of a person the team was told about, remembered for the fold window: the
/// same change reported by another linked source within the window is not told again.
public struct PersonChange: Sendable, Equatable {
    public var personID: String
    /// What changed, independent of the source (``PeopleStage/signature(of:)``).
    public var signature: String
    public var eventID: String
    public var sourceID: String
    public var at: Date

    public init(personID: String, signature: String, eventID: String, sourceID: String, at: Date) {
        self.personID = personID
        self.signature = signature
        self.eventID = eventID
        self.sourceID = sourceID
        self.at = at
    }
}

/// What one run or one decision changes about people, stored with the rest of a
/// ``ChangeSet`` (or alone, by ``PeopleStore/decide(_:)``).
public struct PeopleChanges: Sendable {
    /// Links to store (replacing a record's earlier link).
    public var links: [PersonLink] = []
    /// Records whose link is removed (each becomes a person of its own).
    public var unlinks: [RecordRef] = []
    /// Display names of people (nil removes a name).
    public var names: [String: String?] = [:]
    /// New proposals, and decided ones (stored by pair: a decision replaces the pending row).
    public var proposals: [LinkProposal] = []
    public var decisions: [PersonDecision] = []
    /// Conflicts raised or replaced, and the people whose sources agree again.
    public var conflicts: [PersonConflict] = []
    public var resolvedConflicts: [String] = []
    /// Changes told to the team, for the fold window.
    public var told: [PersonChange] = []

    public init() {}

    public var isEmpty: Bool {
        links.isEmpty && unlinks.isEmpty && names.isEmpty && proposals.isEmpty && decisions.isEmpty
            && conflicts.isEmpty && resolvedConflicts.isEmpty && told.isEmpty
    }
}
