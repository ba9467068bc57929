import Foundation

/// Everything one run (or one push, or one follow-up pass) decided, committed to the state
/// in a single transaction: source health, record writes, events, the notifications they
/// produced, and the rules' follow-ups. Either all of it is stored or none of it, so
/// nothing is lost between "noticed" and "queued".
public struct ChangeSet: Sendable {
    /// The run's clock: record dates, queue times and follow-up windows are reckoned from it.
    public var startedAt: Date
    /// When set, the changes belong to this run (a follow-up pass) instead of starting a new one.
    public var runID: Int64?
    /// When set, the run is marked finished with this exit code in the same transaction.
    public var exitCode: Int32?
    /// Source health after this run, one entry per source attempted.
    public var sources: [SourceState] = []
    /// The changes to each source's stored records, by source id.
    public var records: [String: RecordWrites] = [:]
    public var events: [Event] = []
    /// Notifications for the outbox, and those waiting for a digest (``QueuedNotification/digest``).
    public var notifications: [QueuedNotification] = []
    /// Transitions held for confirmation, and those released or cancelled.
    public var holds = HoldChanges()
    /// Deadline watch rows kept in step with the record writes.
    public var deadlines = DeadlineChanges()
    /// Digest items gathered into a digest in this change set (their sequence numbers).
    public var consumedDigestItems: [Int64] = []
    /// The pushes this change set applies (several when pushes that arrived together are
    /// committed together); storing an id already stored fails the whole commit with
    /// ``StateError/duplicatePush(id:)``.
    public var pushes: [PushReceipt] = []
    /// Links, proposals, conflicts and told changes of people decided in this run.
    public var people = PeopleChanges()
    /// Suppressions recorded (their pending mail dropped) or lifted.
    public var mailing = MailingChanges()

    public init(startedAt: Date) {
        self.startedAt = startedAt
    }
}

/// The changes to one source's stored records.
public struct RecordWrites: Sendable, Equatable {
    public var upserts: [Record] = []
    public var deletions: [String] = []
    /// The digest of the bytes records were read from (``KnownRecords``), by key: stored with
    /// the upserted records, and for the others (read again, unchanged) stored alone.
    public var rawDigests: [String: Int64] = [:]

    public init(upserts: [Record] = [], deletions: [String] = [], rawDigests: [String: Int64] = [:]) {
        self.upserts = upserts
        self.deletions = deletions
        self.rawDigests = rawDigests
    }

    /// The raw digests of records read again but not upserted: stored alone.
    public var rawDigestsOnly: [(key: String, digest: Int64)] {
        guard !rawDigests.isEmpty else { return [] }
        let upserted = Set(upserts.map(\.key))
        return rawDigests.filter { !upserted.contains($0.key) }.map { ($0.key, $0.value) }
    }
}

/// Transitions held for confirmation: new or seen again (replacing the stored row), and
/// those released or cancelled; and the decisions about those held for approval.
public struct HoldChanges: Sendable {
    public var held: [HeldTransition] = []
    public var released: [HeldTransition.ID] = []
    public var decisions: [HoldDecision] = []

    public init() {}
}

/// Changes to the deadline watch rows.
public struct DeadlineChanges: Sendable {
    /// Deadline ids whose watch rows are rebuilt from scratch, with their new specification.
    public var rebuilds: [String: String] = [:]
    /// When set, watch rows of deadlines not in this set are dropped (no longer configured).
    public var configured: Set<String>?
    /// Rows to store (re-armed when the value changed) or, without a watch, remove.
    public var watches: [DeadlineWatchRow] = []
    /// Rows that fired.
    public var fired: [DeadlineWatchRow] = []

    public init() {}
}

/// A pushed document's `webhook-id`, remembered so the same push is never applied twice.
public struct PushReceipt: Sendable, Equatable {
    public var id: String
    public var sourceID: String

    public init(id: String, sourceID: String) {
        self.id = id
        self.sourceID = sourceID
    }
}

/// A notification to store in the outbox before anything is sent.
public struct QueuedNotification: Sendable {
    public var idempotencyKey: String
    public var eventID: String
    public var outputID: String
    public var recipient: String?
    public var subject: String
    public var text: String
    public var html: String?
    /// Set when a rule with `realert` sent it: remembered so the window can be honoured.
    public var realert: RealertMark?
    /// Set when it waits for a digest instead of going to the outbox.
    public var digest: DigestItem?
    /// Set when it goes to a recipient through an output that honours unsubscribes: the
    /// list it belongs to (stored, so its unsubscribe link can name it).
    public var subscription: Subscription?

    public init(
        idempotencyKey: String, eventID: String, outputID: String, recipient: String?, subject: String,
        text: String, html: String? = nil
    ) {
        self.idempotencyKey = idempotencyKey
        self.eventID = eventID
        self.outputID = outputID
        self.recipient = recipient
        self.subject = subject
        self.text = text
        self.html = html
    }
}

/// Who was told about which record by which rule, for `realert` windows.
public struct RealertMark: Sendable, Hashable {
    public var rule: String
    public var recipient: String
    public var source: String
    public var key: String

    public init(rule: String, recipient: String, source: String, key: String) {
        self.rule = rule
        self.recipient = recipient
        self.source = source
        self.key = key
    }
}
