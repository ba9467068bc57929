import Foundation

/// Where Vigil keeps what it knows between runs.
///
/// Narrow on purpose: one write, ``commit(_:)``, stores a whole ``ChangeSet`` in one
/// transaction; the pipeline reads through the small protocols it refines. SQLite
/// (``SQLiteStateStore``) is the default; ``MemoryStateStore`` holds the same state in
/// memory for tests, and a shared database can be added without touching the pipeline.
public protocol StateStore: RecordReading, EventReading, FollowUpReading, OutboxStore, PeopleStore,
    SubscriptionReading, ConsoleStore
{
    /// A private directory where outputs may keep files of their own (a session); nil when
    /// the state is not on this machine.
    var directory: String? { get }

    /// Stores `changes` in one transaction; returns the run id they belong to.
    @discardableResult
    func commit(_ changes: ChangeSet) throws(StateError) -> Int64

    /// Marks a run finished with its exit code.
    func finishRun(_ runID: Int64, exitCode: Int32, at date: Date) throws(StateError)
}

/// Source health and stored records: what detection compares against.
public protocol RecordReading: Sendable {
    func sourceStates() throws(StateError) -> [String: SourceState]
    /// Stored records of one source as key → digest of the canonical encoding.
    func storedDigests(source: String) throws(StateError) -> [String: Int64]
    /// The digests of some stored records of one source (those that exist), by key.
    func storedDigests(source: String, keys: [String]) throws(StateError) -> [String: Int64]
    /// The canonical encodings of some stored records of one source, by key.
    func storedContents(source: String, keys: [String]) throws(StateError) -> [String: String]
    /// Stored records with their dates, ordered by source and key (every source when nil).
    func records(source: String?) throws(StateError) -> [StoredRecord]
    /// The stored records of one source that have the digest of the bytes they were read
    /// from (``KnownRecords``): digest → key.
    func storedRawDigests(source: String) throws(StateError) -> [Int64: String]
}

extension RecordReading {
    /// A store that keeps no raw digests: every record is read and built on every run.
    public func storedRawDigests(source: String) throws(StateError) -> [Int64: String] { [:] }
}

/// Stored events and pushes: history, and what confirmation releases.
public protocol EventReading: Sendable {
    /// The most recent events, newest first.
    func events(limit: Int, source: String?) throws(StateError) -> [StoredEvent]
    /// One stored event, or nil.
    func event(id: String) throws(StateError) -> Event?
    /// Every record key any source has reported: stored now, or named by a past event.
    func reportedKeys() throws(StateError) -> Set<String>
    /// True when a push with this `webhook-id` was already applied.
    func hasReceivedPush(id: String) throws(StateError) -> Bool
}

/// The rules' follow-ups between runs: held transitions, deadline watches, digest items,
/// re-alert windows.
public protocol FollowUpReading: Sendable {
    /// Every transition held for confirmation, oldest first.
    func heldTransitions() throws(StateError) -> [HeldTransition]
    /// Decisions about transitions held for approval, newest first: all of them, or those
    /// about the given records.
    func holdDecisions(records: Set<RecordRef>?) throws(StateError) -> [HoldDecision]
    /// The specification each deadline's watch rows were built for.
    func deadlineSpecifications() throws(StateError) -> [String: String]
    /// The deadlines due at `now` (not fired, not expired), with the records they are about.
    func dueDeadlines(at now: Date) throws(StateError) -> [DueDeadline]
    /// True when some waiting digest item's own window has ended.
    func hasDueDigestItems(at now: Date) throws(StateError) -> Bool
    /// Every waiting digest item, oldest first.
    func digestItems() throws(StateError) -> [StoredDigestItem]
    /// When a rule last notified a recipient about a record (`realert` windows); nil when never.
    func lastNotified(_ mark: RealertMark) throws(StateError) -> Date?
}

/// The outbox: what delivery reads and the outcomes it records.
public protocol OutboxStore: Sendable {
    /// Pending rows whose next attempt is due, oldest first.
    func dueNotifications(at date: Date, limit: Int) throws(StateError) -> [OutboxEntry]
    /// Pending and failed rows, for `vigil outbox`.
    func undeliveredNotifications() throws(StateError) -> [OutboxEntry]
    /// Records delivery outcomes in one transaction. For each row given up on, `alert` may
    /// return an operational event and its notifications, stored in the same transaction so
    /// a dead letter is never silent.
    @discardableResult
    func recordOutcomes(
        _ outcomes: [(id: Int64, outcome: DeliveryOutcome)], at date: Date, policy: RetryPolicy, runID: Int64?,
        alert: (DeadLetter) -> (event: Event, notifications: [QueuedNotification])?
    ) throws(StateError) -> OutcomeSummary
    /// Makes failed rows pending again, due now, with a fresh give-up window. Returns how many.
    @discardableResult
    func retry(ids: [Int64]?, at date: Date) throws(StateError) -> Int
    /// Gives up a pending or failed row for good. Returns false when no such row is undelivered.
    @discardableResult
    func drop(id: Int64) throws(StateError) -> Bool
}

extension RecordReading {
    public func records() throws(StateError) -> [StoredRecord] { try records(source: nil) }

    /// Every stored record of one source as key → canonical encoding.
    public func storedRecords(source: String) throws(StateError) -> [String: String] {
        var result: [String: String] = [:]
        for stored in try records(source: source) { result[stored.record.key] = stored.record.canonicalEncoding }
        return result
    }
}

extension EventReading {
    public func events(limit: Int) throws(StateError) -> [StoredEvent] { try events(limit: limit, source: nil) }
}

extension OutboxStore {
    public func dueNotifications(at date: Date) throws(StateError) -> [OutboxEntry] {
        try dueNotifications(at: date, limit: 100_000)
    }

    @discardableResult
    public func recordOutcomes(
        _ outcomes: [(id: Int64, outcome: DeliveryOutcome)], at date: Date, policy: RetryPolicy = RetryPolicy(),
        runID: Int64? = nil
    ) throws(StateError) -> OutcomeSummary {
        try recordOutcomes(outcomes, at: date, policy: policy, runID: runID, alert: { _ in nil })
    }

    @discardableResult
    public func retry(ids: [Int64]? = nil, at date: Date = Date()) throws(StateError) -> Int {
        try retry(ids: ids, at: date)
    }
}

/// A deadline that is due: not fired, due at or before now, not expired.
public struct DueDeadline: Sendable {
    public var deadlineID: String
    public var sourceID: String
    public var record: Record
    public var value: String

    public init(deadlineID: String, sourceID: String, record: Record, value: String) {
        self.deadlineID = deadlineID
        self.sourceID = sourceID
        self.record = record
        self.value = value
    }
}

/// A digest item waiting for its window.
public struct StoredDigestItem: Sendable {
    public var sequence: Int64
    public var item: DigestItem
    public var eventID: String
    public var idempotencyKey: String
    public var rendered: TemplateLibrary.Rendered
    public var createdAt: Date
}
