import Foundation

/// A team member's account for the console of `vigil serve` (`vigil users add`).
public struct ConsoleUser: Sendable, Equatable {
    /// What an account may do.
    public enum Role: String, Sendable, CaseIterable {
        /// Reads every page; changes nothing.
        case viewer
        /// Also approves and rejects held transitions, retries and drops notifications.
        case `operator`
    }

    public var name: String
    public var role: Role
    /// A bcrypt hash (`$2b$…`); the password itself is never stored.
    public var passwordHash: String
    public var createdAt: Date

    public init(name: String, role: Role, passwordHash: String, createdAt: Date) {
        self.name = name
        self.role = role
        self.passwordHash = passwordHash
        self.createdAt = createdAt
    }
}

/// A source's record count at one time (one sample per source per hour is kept, for 90 days).
public struct RecordCountSample: Sendable, Equatable {
    public var at: Date
    public var count: Int

    public init(at: Date, count: Int) {
        self.at = at
        self.count = count
    }
}

/// Which stored events a history view asks for; every condition set must hold.
public struct EventFilter: Sendable, Equatable {
    public var source: String?
    public var kind: Event.Kind?
    /// Events about any of these records.
    public var records: Set<RecordRef>?
    public var from: Date?
    /// Exclusive.
    public var to: Date?
    /// Only events older than this sequence number (the next page).
    public var before: Int64?

    public init(
        source: String? = nil, kind: Event.Kind? = nil, records: Set<RecordRef>? = nil, from: Date? = nil,
        to: Date? = nil, before: Int64? = nil
    ) {
        self.source = source
        self.kind = kind
        self.records = records
        self.from = from
        self.to = to
        self.before = before
    }
}

/// What the console reads beyond the run's own state, and the team's accounts.
public protocol ConsoleStore: Sendable {
    /// Every account, by name.
    func consoleUsers() throws(StateError) -> [ConsoleUser]
    /// Adds an account, or replaces the one with the same name.
    func saveConsoleUser(_ user: ConsoleUser) throws(StateError)
    /// Removes an account; false when there was none.
    @discardableResult
    func removeConsoleUser(name: String) throws(StateError) -> Bool
    /// Each source's record counts since `date`, oldest first.
    func recordCountHistory(since date: Date) throws(StateError) -> [String: [RecordCountSample]]
    /// Stored events matching `filter`, newest first.
    func events(matching filter: EventFilter, limit: Int) throws(StateError) -> [StoredEvent]
    /// Every outbox row of these events (delivered and dropped ones too), oldest first.
    func outboxEntries(events: [String]) throws(StateError) -> [OutboxEntry]
    /// How many outbox rows are in each state.
    func outboxCounts() throws(StateError) -> [OutboxEntry.State: Int]
}

extension ConsoleStore {
    /// The sample a source's history keeps for `date`: one per hour.
    public static func hourBucket(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / 3600).rounded(.down)) }

    /// How long record count samples are kept.
    public static var historyLifetime: TimeInterval { 90 * 86_400 }
}
