import Foundation
import Synchronization

/// The whole state in memory: the same contract as ``SQLiteStateStore``, for unit tests
/// and for programs that keep nothing between runs. Commits are atomic: a change set that
/// fails leaves the state as it was.
public final class MemoryStateStore: StateStore {
    public var directory: String? { nil }
    let state = Mutex(Tables())

    public init() {}

    struct StoredRow {
        var content: String
        var digest: Int64
        var firstSeen: Date
        var lastChanged: Date
        var rawDigest: Int64?
    }

    struct OutboxRow {
        var notification: QueuedNotification
        var id: Int64
        var state: OutboxEntry.State = .pending
        var attempts = 0
        var nextAttemptAt: Double
        var windowStart: Double
        var lastError: String?
        var createdAt: Double
        var subscriptionID: Int64?
    }

    struct Watch {
        var window: Deadline.Watch
        var fired: Bool
    }

    struct Tables {
        var runs: [Int64: (startedAt: Date, finishedAt: Date?, exitCode: Int32?)] = [:]
        var sources: [String: SourceState] = [:]
        var records: [String: [String: StoredRow]] = [:]
        var events: [StoredEvent] = []
        var eventIndex: [String: Int] = [:]
        var outbox: [OutboxRow] = []
        var outboxKeys: Set<String> = []
        var held: [HeldTransition.ID: HeldTransition] = [:]
        var holdDecisions: [HoldDecision] = []
        var deadlineIndex: [String: String] = [:]
        var watches: [String: [String: Watch]] = [:]  // deadline id → "source\0key" → watch
        var digestItems: [StoredDigestItem] = []
        var realert: [RealertMark: Date] = [:]
        var pushes: [String: Date] = [:]
        var nextSequence: Int64 = 1
        var people = PeopleTables()
        var subscriptions: [Subscription: StoredSubscription] = [:]
        var subscriptionsByID: [Int64: StoredSubscription] = [:]
        var suppressions: [String: Suppression] = [:]  // recipient \0 list
        var bounces: [String: BounceCounts] = [:]  // lowercased address
        var policyRejections: [String: Date] = [:]
        var consoleUsers: [String: ConsoleUser] = [:]
        var recordCounts: [String: [Int64: Int]] = [:]  // source → hour → count
    }

    // MARK: - Writing

    @discardableResult
    public func commit(_ changes: ChangeSet) throws(StateError) -> Int64 {
        try state.withLock { (tables: inout Tables) throws(StateError) -> Int64 in
            var next = tables  // applied whole or not at all
            let runID = try Self.apply(changes, to: &next)
            tables = next
            return runID
        }
    }

    private static func apply(_ changes: ChangeSet, to tables: inout Tables) throws(StateError) -> Int64 {
        let now = changes.startedAt
        let runID: Int64
        if let existing = changes.runID {
            runID = existing
        } else {
            runID = tables.nextSequence
            tables.nextSequence += 1
            tables.runs[runID] = (now, changes.exitCode.map { _ in Date() }, changes.exitCode)
        }
        if !changes.pushes.isEmpty {
            tables.pushes = tables.pushes.filter { $0.value >= now.addingTimeInterval(-900) }
        }
        for push in changes.pushes {
            guard tables.pushes[push.id] == nil else { throw .duplicatePush(id: push.id) }
            tables.pushes[push.id] = now
        }
        for source in changes.sources {
            tables.sources[source.id] = source
            if let success = source.lastSuccessAt {
                tables.recordCounts[source.id, default: [:]][Self.hourBucket(success)] = source.recordCount
            }
        }
        for (sourceID, writes) in changes.records {
            var rows = tables.records[sourceID] ?? [:]
            for record in writes.upserts {
                let encoding = record.canonicalEncoding
                rows[record.key] = StoredRow(
                    content: encoding, digest: RecordDiff.digest(encoding),
                    firstSeen: rows[record.key]?.firstSeen ?? now,
                    lastChanged: now, rawDigest: writes.rawDigests[record.key])
            }
            for (key, raw) in writes.rawDigestsOnly { rows[key]?.rawDigest = raw }
            for key in writes.deletions { rows[key] = nil }
            tables.records[sourceID] = rows
        }
        for event in changes.events {
            guard tables.eventIndex[event.id] == nil else { throw .database("event \(event.id) is stored already") }
            tables.eventIndex[event.id] = tables.events.count
            tables.events.append(StoredEvent(sequence: Int64(tables.events.count + 1), runID: runID, event: event))
        }
        let seconds = now.timeIntervalSince1970
        enqueue(changes.notifications.filter { $0.digest == nil }, at: seconds, in: &tables)
        for id in changes.holds.released { tables.held[id] = nil }
        for transition in changes.holds.held { tables.held[transition.id] = transition }
        tables.holdDecisions += changes.holds.decisions
        applyDeadlines(changes.deadlines, now: now, to: &tables)
        for notification in changes.notifications {
            guard let item = notification.digest,
                !tables.digestItems.contains(where: { $0.idempotencyKey == notification.idempotencyKey })
            else { continue }
            tables.digestItems.append(
                StoredDigestItem(
                    sequence: tables.nextSequence, item: item, eventID: notification.eventID,
                    idempotencyKey: notification.idempotencyKey,
                    rendered: TemplateLibrary.Rendered(
                        subject: notification.subject, text: notification.text, html: notification.html),
                    createdAt: now))
            tables.nextSequence += 1
        }
        let consumed = Set(changes.consumedDigestItems)
        tables.digestItems.removeAll { consumed.contains($0.sequence) }
        for mark in changes.notifications.compactMap(\.realert) { tables.realert[mark] = now }
        tables.people.apply(changes.people, at: now)
        applyMailing(changes.mailing, to: &tables)
        return runID
    }

    private static func enqueue(_ notifications: [QueuedNotification], at now: Double, in tables: inout Tables) {
        for notification in notifications where tables.outboxKeys.insert(notification.idempotencyKey).inserted {
            var subscriptionID: Int64?
            if let subscription = notification.subscription {
                var stored =
                    tables.subscriptions[subscription]
                    ?? StoredSubscription(
                        id: Int64(tables.subscriptions.count + 1), subscription: subscription,
                        createdAt: Date(timeIntervalSince1970: now))
                stored.subscription.person = subscription.person ?? stored.subscription.person
                tables.subscriptions[subscription] = stored
                tables.subscriptionsByID[stored.id] = stored
                subscriptionID = stored.id
            }
            tables.outbox.append(
                OutboxRow(
                    notification: notification, id: Int64(tables.outbox.count + 1), nextAttemptAt: now,
                    windowStart: now, createdAt: now, subscriptionID: subscriptionID))
        }
    }

    private static func applyMailing(_ changes: MailingChanges, to tables: inout Tables) {
        for suppression in changes.suppressions {
            let key = suppression.recipientID + "\u{0}" + suppression.list
            if tables.suppressions[key] == nil { tables.suppressions[key] = suppression }
            let everything = suppression.list == Subscription.everything
            for index in tables.outbox.indices
            where tables.outbox[index].state == .pending
                || tables.outbox[index].state == .failed
            {
                guard let id = tables.outbox[index].subscriptionID, let stored = tables.subscriptionsByID[id],
                    stored.subscription.recipientID == suppression.recipientID,
                    everything || stored.subscription.list == suppression.list
                else { continue }
                tables.outbox[index].state = .dropped
                tables.outbox[index].lastError = "recipient \(suppression.reason.rawValue)"
            }
        }
        for bounce in changes.bounces {
            var counts = tables.bounces[bounce.address.lowercased()] ?? BounceCounts()
            if bounce.hard { counts.hard += 1 } else { counts.soft += 1 }
            tables.bounces[bounce.address.lowercased()] = counts
        }
        for (outputID, at) in changes.policyRejections { tables.policyRejections[outputID] = at }
        for (recipientID, list) in changes.lifted {
            for suppression in tables.suppressions.values
            where suppression.recipientID == recipientID && (list == nil || suppression.list == list) {
                if let address = suppression.address { tables.bounces[address.lowercased()] = nil }
            }
            tables.suppressions = tables.suppressions.filter { _, suppression in
                !(suppression.recipientID == recipientID && (list == nil || suppression.list == list))
            }
        }
    }

    public func suppressions() throws(StateError) -> [Suppression] {
        state.withLock { tables in
            tables.suppressions.values.sorted { ($0.recipientID, $0.list) < ($1.recipientID, $1.list) }
        }
    }

    public func subscription(id: Int64) throws(StateError) -> StoredSubscription? {
        state.withLock { $0.subscriptionsByID[id] }
    }

    public func sentMessage(outboxID: Int64) throws(StateError) -> SentMessage? {
        state.withLock { tables in tables.outbox.first { $0.id == outboxID }.map { Self.sent($0, tables: tables) } }
    }

    public func sentMessage(idempotencyKey: String) throws(StateError) -> SentMessage? {
        state.withLock { tables in
            tables.outbox.first { $0.notification.idempotencyKey == idempotencyKey }.map {
                Self.sent($0, tables: tables)
            }
        }
    }

    private static func sent(_ row: OutboxRow, tables: Tables) -> SentMessage {
        SentMessage(
            outboxID: row.id, outputID: row.notification.outputID, eventID: row.notification.eventID,
            address: row.notification.recipient,
            subscription: row.subscriptionID.flatMap { tables.subscriptionsByID[$0]?.subscription })
    }

    public func bounceCounts(address: String) throws(StateError) -> BounceCounts {
        state.withLock { $0.bounces[address.lowercased()] ?? BounceCounts() }
    }

    public func lastPolicyRejection(outputID: String) throws(StateError) -> Date? {
        state.withLock { $0.policyRejections[outputID] }
    }

    private static func applyDeadlines(_ changes: DeadlineChanges, now: Date, to tables: inout Tables) {
        if let configured = changes.configured {
            for id in tables.deadlineIndex.keys where !configured.contains(id) {
                tables.deadlineIndex[id] = nil
                tables.watches[id] = nil
            }
        }
        for (id, specification) in changes.rebuilds {
            tables.watches[id] = nil
            tables.deadlineIndex[id] = specification
        }
        for row in changes.watches {
            let key = "\(row.sourceID)\u{0}\(row.key)"
            guard let window = row.watch else {
                tables.watches[row.deadlineID]?[key] = nil
                continue
            }
            let fresh = row.fired && window.dueAt <= now
            let previous = tables.watches[row.deadlineID]?[key]
            let fired = previous.map { $0.window.value == window.value ? $0.fired : fresh } ?? fresh
            tables.watches[row.deadlineID, default: [:]][key] = Watch(window: window, fired: fired)
        }
        for row in changes.fired {
            tables.watches[row.deadlineID]?["\(row.sourceID)\u{0}\(row.key)"]?.fired = true
        }
    }

    public func finishRun(_ runID: Int64, exitCode: Int32, at date: Date) throws(StateError) {
        state.withLock { tables in
            tables.runs[runID]?.finishedAt = date
            tables.runs[runID]?.exitCode = exitCode
        }
    }

    // MARK: - Records and events

    public func sourceStates() throws(StateError) -> [String: SourceState] {
        state.withLock { $0.sources }
    }

    public func storedDigests(source: String) throws(StateError) -> [String: Int64] {
        state.withLock { ($0.records[source] ?? [:]).mapValues(\.digest) }
    }

    public func storedRawDigests(source: String) throws(StateError) -> [Int64: String] {
        state.withLock { tables in
            var keys: [Int64: String] = [:]
            for (key, row) in tables.records[source] ?? [:] {
                if let raw = row.rawDigest { keys[raw] = key }
            }
            return keys
        }
    }

    public func storedDigests(source: String, keys: [String]) throws(StateError) -> [String: Int64] {
        state.withLock { tables in
            var digests: [String: Int64] = [:]
            for key in keys { digests[key] = tables.records[source]?[key]?.digest }
            return digests
        }
    }

    public func storedContents(source: String, keys: [String]) throws(StateError) -> [String: String] {
        state.withLock { tables in
            var contents: [String: String] = [:]
            for key in keys { contents[key] = tables.records[source]?[key]?.content }
            return contents
        }
    }

    public func records(source: String?) throws(StateError) -> [StoredRecord] {
        let rows = state.withLock { tables in
            tables.records.filter { source == nil || $0.key == source }
        }
        var result: [StoredRecord] = []
        for (sourceID, byKey) in rows.sorted(by: { $0.key < $1.key }) {
            for (key, row) in byKey.sorted(by: { $0.key < $1.key }) {
                guard let record = try? Record(key: key, canonicalEncoding: row.content) else {
                    throw .corruptRecord(source: sourceID, key: key)
                }
                result.append(
                    StoredRecord(
                        sourceID: sourceID, record: record, firstSeen: row.firstSeen, lastChanged: row.lastChanged))
            }
        }
        return result
    }

    public func events(limit: Int, source: String?) throws(StateError) -> [StoredEvent] {
        state.withLock { tables in
            Array(tables.events.reversed().lazy.filter { source == nil || $0.event.sourceID == source }.prefix(limit))
        }
    }

    public func event(id: String) throws(StateError) -> Event? {
        state.withLock { tables in tables.eventIndex[id].map { tables.events[$0].event } }
    }

    public func reportedKeys() throws(StateError) -> Set<String> {
        state.withLock { tables in
            var keys = Set(tables.events.compactMap { $0.event.record?.key })
            for rows in tables.records.values { keys.formUnion(rows.keys) }
            return keys
        }
    }

    public func hasReceivedPush(id: String) throws(StateError) -> Bool {
        state.withLock { $0.pushes[id] != nil }
    }

    // MARK: - Follow-ups

    public func heldTransitions() throws(StateError) -> [HeldTransition] {
        state.withLock { tables in
            tables.held.values.sorted {
                ($0.heldSince, $0.ruleID, $0.sourceID, $0.key) < ($1.heldSince, $1.ruleID, $1.sourceID, $1.key)
            }
        }
    }

    public func holdDecisions(records: Set<RecordRef>?) throws(StateError) -> [HoldDecision] {
        state.withLock { tables in
            tables.holdDecisions.reversed().filter { records?.contains($0.record) ?? true }
        }
    }

    public func deadlineSpecifications() throws(StateError) -> [String: String] {
        state.withLock { $0.deadlineIndex }
    }

    public func dueDeadlines(at now: Date) throws(StateError) -> [DueDeadline] {
        let candidates = state.withLock { tables in
            tables.watches.flatMap { deadlineID, rows in
                rows.compactMap { key, watch -> (String, String, String, Deadline.Watch, String)? in
                    guard !watch.fired, watch.window.dueAt <= now, (watch.window.expiresAt.map { $0 > now } ?? true)
                    else { return nil }
                    let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
                    let (sourceID, recordKey) = (String(parts[0]), String(parts[1]))
                    guard let content = tables.records[sourceID]?[recordKey]?.content else { return nil }
                    return (deadlineID, sourceID, recordKey, watch.window, content)
                }
            }
        }
        var due: [(Date, DueDeadline)] = []
        for (deadlineID, sourceID, key, window, content) in candidates {
            guard let record = try? Record(key: key, canonicalEncoding: content) else {
                throw .corruptRecord(source: sourceID, key: key)
            }
            due.append(
                (
                    window.dueAt,
                    DueDeadline(deadlineID: deadlineID, sourceID: sourceID, record: record, value: window.value)
                ))
        }
        return due.sorted { $0.0 < $1.0 }.map(\.1)
    }

    public func hasDueDigestItems(at now: Date) throws(StateError) -> Bool {
        state.withLock { tables in
            tables.digestItems.contains { $0.createdAt.addingTimeInterval($0.item.window) <= now }
        }
    }

    public func digestItems() throws(StateError) -> [StoredDigestItem] {
        state.withLock { $0.digestItems }
    }

    public func lastNotified(_ mark: RealertMark) throws(StateError) -> Date? {
        state.withLock { $0.realert[mark] }
    }

    // MARK: - Outbox

    public func dueNotifications(at date: Date, limit: Int) throws(StateError) -> [OutboxEntry] {
        let now = date.timeIntervalSince1970
        return state.withLock { tables in
            tables.outbox.lazy.filter { $0.state == .pending && $0.nextAttemptAt <= now }.prefix(limit)
                .map { Self.entry($0, tables: tables) }
        }
    }

    public func undeliveredNotifications() throws(StateError) -> [OutboxEntry] {
        state.withLock { tables in
            tables.outbox.filter { $0.state == .pending || $0.state == .failed }.map { Self.entry($0, tables: tables) }
        }
    }

    static func entry(_ row: OutboxRow, tables: Tables) -> OutboxEntry {
        let queued = row.notification
        return OutboxEntry(
            notification: RenderedNotification(
                id: row.id, idempotencyKey: queued.idempotencyKey, eventID: queued.eventID, outputID: queued.outputID,
                recipient: queued.recipient, subject: queued.subject, text: queued.text, html: queued.html,
                event: tables.eventIndex[queued.eventID].map { tables.events[$0].event },
                subscriptionID: row.subscriptionID),
            state: row.state, attempts: row.attempts, nextAttemptAt: Date(timeIntervalSince1970: row.nextAttemptAt),
            createdAt: Date(timeIntervalSince1970: row.createdAt), lastError: row.lastError)
    }

    @discardableResult
    public func recordOutcomes(
        _ outcomes: [(id: Int64, outcome: DeliveryOutcome)], at date: Date, policy: RetryPolicy, runID: Int64?,
        alert: (DeadLetter) -> (event: Event, notifications: [QueuedNotification])?
    ) throws(StateError) -> OutcomeSummary {
        let now = date.timeIntervalSince1970
        return state.withLock { tables in
            var summary = OutcomeSummary()
            var alerts: [(Event, [QueuedNotification])] = []
            for (id, outcome) in outcomes {
                let index = Int(id) - 1
                guard tables.outbox.indices.contains(index), tables.outbox[index].state == .pending else { continue }
                var row = tables.outbox[index]
                switch OutboxTransition(
                    outcome, attempts: row.attempts, windowStart: row.windowStart, now: now, policy: policy)
                {
                case .delivered:
                    row.state = .delivered
                    row.attempts += 1
                    row.lastError = nil
                    summary.delivered += 1
                case .retry(let attempts, let next, let reason):
                    (row.attempts, row.nextAttemptAt, row.lastError) = (attempts, next, reason)
                    summary.retrying += 1
                case .abandoned(let attempts, let reason):
                    (row.state, row.attempts, row.lastError) = (.failed, attempts, reason)
                    summary.abandoned += 1
                case .deadLetter(let attempts, let reason):
                    (row.state, row.attempts, row.lastError) = (.failed, attempts, reason)
                    let event = tables.eventIndex[row.notification.eventID].map { tables.events[$0].event }
                    let deadLetter = DeadLetter(
                        outboxID: id, idempotencyKey: row.notification.idempotencyKey,
                        outputID: row.notification.outputID, eventID: row.notification.eventID,
                        sourceID: event?.sourceID ?? "", eventKind: event?.kind, attempts: attempts, reason: reason)
                    summary.deadLettered.append(deadLetter)
                    if runID != nil, let raised = alert(deadLetter) { alerts.append(raised) }
                }
                tables.outbox[index] = row
            }
            for (event, notifications) in alerts {
                if let runID {
                    tables.eventIndex[event.id] = tables.events.count
                    tables.events.append(
                        StoredEvent(sequence: Int64(tables.events.count + 1), runID: runID, event: event))
                }
                Self.enqueue(notifications, at: now, in: &tables)
                summary.alertsQueued += notifications.count
            }
            return summary
        }
    }

    @discardableResult
    public func retry(ids: [Int64]?, at date: Date) throws(StateError) -> Int {
        let now = date.timeIntervalSince1970
        return state.withLock { tables in
            var count = 0
            for index in tables.outbox.indices where tables.outbox[index].state == .failed {
                guard ids?.contains(tables.outbox[index].id) ?? true else { continue }
                tables.outbox[index].state = .pending
                tables.outbox[index].nextAttemptAt = now
                tables.outbox[index].windowStart = now
                count += 1
            }
            return count
        }
    }

    @discardableResult
    public func drop(id: Int64) throws(StateError) -> Bool {
        state.withLock { tables in
            let index = Int(id) - 1
            guard tables.outbox.indices.contains(index),
                [.pending, .failed].contains(tables.outbox[index].state)
            else { return false }
            tables.outbox[index].state = .dropped
            return true
        }
    }
}

extension MemoryStateStore {
    /// The people tables, with the same semantics as the SQLite ones.
    struct PeopleTables {
        var links: [RecordRef: PersonLink] = [:]
        var names: [String: String] = [:]
        var proposals: [RecordPair: LinkProposal] = [:]
        var nextProposal: Int64 = 1
        var decisions: [PersonDecision] = []
        var conflicts: [String: PersonConflict] = [:]
        var told: [String: PersonChange] = [:]  // person id \0 signature

        mutating func apply(_ changes: PeopleChanges, at now: Date) {
            for record in changes.unlinks { links[record] = nil }
            for link in changes.links { links[link.record] = link }
            for (person, name) in changes.names { names[person] = name }
            for proposal in changes.proposals {
                if var existing = proposals[proposal.pair] {
                    guard proposal.state != .pending else { continue }
                    existing.state = proposal.state
                    existing.decidedBy = proposal.decidedBy
                    existing.decidedAt = proposal.decidedAt
                    proposals[proposal.pair] = existing
                } else {
                    var stored = proposal
                    stored.id = nextProposal
                    nextProposal += 1
                    proposals[proposal.pair] = stored
                }
            }
            decisions += changes.decisions
            for person in changes.resolvedConflicts { conflicts[person] = nil }
            for conflict in changes.conflicts { conflicts[conflict.personID] = conflict }
            if !changes.told.isEmpty { told = told.filter { $0.value.at >= now.addingTimeInterval(-31 * 86_400) } }
            for change in changes.told { told[change.personID + "\u{0}" + change.signature] = change }
        }
    }

    public func personLinks() throws(StateError) -> [PersonLink] {
        state.withLock { tables in
            tables.people.links.values.sorted { ($0.personID, $0.record) < ($1.personID, $1.record) }
        }
    }

    public func personNames() throws(StateError) -> [String: String] {
        state.withLock { $0.people.names }
    }

    public func linkProposals(state wanted: LinkProposal.State?) throws(StateError) -> [LinkProposal] {
        state.withLock { tables in
            tables.people.proposals.values.filter { wanted == nil || $0.state == wanted }
                .sorted { ($1.score, $0.id) < ($0.score, $1.id) }
        }
    }

    public func personConflicts() throws(StateError) -> [String: PersonConflict] {
        state.withLock { $0.people.conflicts }
    }

    public func toldChanges(since date: Date) throws(StateError) -> [PersonChange] {
        state.withLock { tables in tables.people.told.values.filter { $0.at >= date }.sorted { $0.at < $1.at } }
    }

    public func personDecisions() throws(StateError) -> [PersonDecision] {
        state.withLock { $0.people.decisions }
    }

    public func decide(_ changes: PeopleChanges, at date: Date) throws(StateError) {
        state.withLock { $0.people.apply(changes, at: date) }
    }
}
