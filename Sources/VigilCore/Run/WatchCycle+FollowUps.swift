import Foundation
import Logging

/// The parts of a run that outlive it: transitions held for confirmation, deadlines watched
/// over stored dates, notifications gathered into digests.
extension WatchCycle {
    // MARK: - Confirmation (inside the run's own batch)

    /// Holds what rules with `confirm` matched, and re-checks what earlier runs held: a held
    /// transition still true in this run's state counts one more run (or its sources are
    /// counted); once confirmed its notifications are queued, and if the state moved on it is
    /// dropped without a word.
    func confirm(
        _ held: [(event: Event, rule: Rule)], router: any EventRouter, batch: inout RunBatch, now: Date
    ) throws(StateStore.Failure) {
        let healthy = Set(batch.sources.filter { !$0.isFailing && $0.lastSuccessAt == now }.map(\.id))
        let rules = Dictionary(configuration.rules.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var fresh: Set<String> = []
        // Rule, key and status released in this pass: several sources confirming the same
        // transition make one notification, not one per source.
        var released: Set<String> = []
        func release(_ event: Event, _ transition: HeldTransition) {
            guard released.insert("\(transition.ruleID)\u{0}\(transition.key)\u{0}\(transition.status)").inserted
            else { return }
            batch.notifications += router.release(event, ruleID: transition.ruleID, at: now)
        }
        for (event, rule) in held {
            guard let record = event.record, let confirmation = rule.confirm else { continue }
            let transition = HeldTransition(
                ruleID: rule.id, sourceID: event.sourceID, key: record.key, eventID: event.id,
                status: HeldTransition.expectedStatus(of: event), runsSeen: 1, heldSince: now)
            fresh.insert("\(rule.id)\u{0}\(event.sourceID)\u{0}\(record.key)")
            if try isConfirmed(transition, by: confirmation, batch: batch) {
                release(event, transition)
            } else {
                batch.held.append(transition)
            }
        }
        for var transition in try store.heldTransitions() {
            let id = (transition.ruleID, transition.sourceID, transition.key)
            guard !fresh.contains("\(id.0)\u{0}\(id.1)\u{0}\(id.2)") else { continue }
            guard let confirmation = rules[transition.ruleID]?.confirm else {
                batch.unheld.append(id)  // the rule is gone or no longer holds: nothing to confirm
                continue
            }
            if case .runs = confirmation, !healthy.contains(transition.sourceID) { continue }
            guard try currentStatus(source: transition.sourceID, key: transition.key, batch: batch) == transition.status
            else {
                logger.debug("held transition of rule \(transition.ruleID) dropped: the record changed again")
                batch.unheld.append(id)
                continue
            }
            transition.runsSeen += 1
            guard try isConfirmed(transition, by: confirmation, batch: batch) else {
                batch.held.append(transition)
                continue
            }
            batch.unheld.append(id)
            if let event = try store.event(id: transition.eventID) { release(event, transition) }
        }
    }

    private func isConfirmed(_ transition: HeldTransition, by confirmation: Confirmation, batch: RunBatch)
        throws(StateStore.Failure) -> Bool
    {
        switch confirmation {
        case .runs(let runs):
            return transition.runsSeen >= runs
        case .sources(let count):
            guard !transition.status.isEmpty else { return false }
            var agreeing = 0
            for source in configuration.sources
            where try currentStatus(source: source.id, key: transition.key, batch: batch) == transition.status {
                agreeing += 1
            }
            return agreeing >= count
        }
    }

    /// The status of a record once this batch is applied; "" when the source does not list it.
    private func currentStatus(source: String, key: String, batch: RunBatch) throws(StateStore.Failure) -> String {
        if let writes = batch.recordWrites[source] {
            if let record = writes.upserts.first(where: { $0.key == key }) { return record.status.description }
            if writes.deletions.contains(key) { return "" }
        }
        guard let content = try store.storedContents(source: source, keys: [key])[key] else { return "" }
        guard let record = try? Record(key: key, canonicalEncoding: content) else {
            throw .corruptRecord(source: source, key: key)
        }
        return record.status.description
    }

    // MARK: - Deadline watches (inside the run's own batch)

    /// Keeps the deadline watch rows in step with this batch's record writes, and rebuilds
    /// those of a deadline that is new or was changed in the configuration.
    func watchDeadlines(batch: inout RunBatch) throws(StateStore.Failure) {
        let specifications = try store.deadlineSpecifications()
        guard !configuration.deadlines.isEmpty || !specifications.isEmpty else { return }
        batch.configuredDeadlines = Set(configuration.deadlines.map(\.id))
        let baselined = Set(batch.sources.filter { $0.baselineAt == batch.startedAt }.map(\.id))
        for deadline in configuration.deadlines {
            if specifications[deadline.id] != deadline.specification {
                batch.deadlineRebuilds[deadline.id] = deadline.specification
                for source in configuration.sources where deadline.applies(to: source.id) {
                    for stored in try store.records(source: source.id) {
                        guard let window = deadline.window(for: stored.record) else { continue }
                        batch.deadlineWatches.append(
                            DeadlineWatchRow(
                                deadlineID: deadline.id, sourceID: source.id, key: stored.record.key, watch: window))
                    }
                }
            }
            for (sourceID, writes) in batch.recordWrites where deadline.applies(to: sourceID) {
                for record in writes.upserts {
                    batch.deadlineWatches.append(
                        DeadlineWatchRow(
                            deadlineID: deadline.id, sourceID: sourceID, key: record.key,
                            watch: deadline.window(for: record), fired: baselined.contains(sourceID)))
                }
                for key in writes.deletions {
                    batch.deadlineWatches.append(
                        DeadlineWatchRow(deadlineID: deadline.id, sourceID: sourceID, key: key, watch: nil))
                }
            }
        }
    }

    // MARK: - After the run's commit

    /// Raises the deadlines due and queues the digests whose window ended, outside a run
    /// (`vigil serve` calls it between runs, so a window ends on time without a fetch).
    /// Returns how many notifications were queued. Callers hold the ``RunLock``.
    public func queueDueFollowUps(at now: Date) throws(StateStore.Failure) -> Int {
        try followUps(runID: nil, now: now).reduce(0) { $0 + $1.notifications.count }
    }

    /// Raises the deadlines due at `now` (skipping failing sources, whose dates may be stale)
    /// and sends the digests whose window has ended, each in its own transaction attached to
    /// run `runID`. With `commit` false nothing is stored (preview). Returns what was queued.
    func followUps(runID: Int64?, now: Date, commit: Bool = true) throws(StateStore.Failure) -> [RunBatch] {
        var deadlines = RunBatch(startedAt: now)
        deadlines.runID = runID
        // Outside a run, the batch is a run of its own, finished when stored.
        if runID == nil { deadlines.exitCode = 0 }
        let due = try store.dueDeadlines(at: now)
        let failing = due.isEmpty ? [] : Set(try store.sourceStates().values.filter(\.isFailing).map(\.id))
        let configured = Dictionary(
            configuration.deadlines.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for due in due where !failing.contains(due.sourceID) {
            guard let deadline = configured[due.deadlineID] else { continue }
            deadlines.events.append(
                Event(
                    kind: deadline.direction == .overdue ? .overdue : .upcoming, sourceID: due.sourceID, at: now,
                    record: due.record, message: deadline.message(value: due.value), deadline: deadline.id))
            deadlines.firedDeadlines.append(
                DeadlineWatchRow(deadlineID: due.deadlineID, sourceID: due.sourceID, key: due.record.key, watch: nil))
        }
        if !deadlines.events.isEmpty {
            let router = configuration.router(store: store)
            let routing = router.routing(for: deadlines.events, at: now)
            // A deadline is no transition to confirm: rules with `confirm` notify it at once.
            deadlines.notifications =
                routing.notifications
                + routing.held.flatMap { router.release($0.event, ruleID: $0.rule.id, at: now) }
            if commit { try store.commit(deadlines) }
        }

        var digests = RunBatch(startedAt: now)
        digests.runID = runID
        if runID == nil { digests.exitCode = 0 }
        // Items are read only when one may be due: the first item of a due group is.
        let items = try store.hasDueDigestItems(at: now) ? try store.digestItems() : []
        let groups = Dictionary(grouping: items) {
            "\($0.item.recipientID)\u{0}\($0.item.outputID)\u{0}\($0.item.address ?? "")"
        }
        let recipients = Dictionary(
            configuration.recipients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let kinds = Dictionary(
            configuration.outputs.map { ($0.id, $0.contentKind) }, uniquingKeysWith: { first, _ in first })
        for key in groups.keys.sorted() {
            guard let group = groups[key], let first = group.first else { continue }
            guard first.item.window == 0 || first.createdAt.addingTimeInterval(first.item.window) <= now else {
                continue
            }
            let rendered: TemplateLibrary.Rendered
            let idempotencyKey: String
            if group.count == 1 {
                rendered = first.rendered
                idempotencyKey = first.idempotencyKey
            } else {
                rendered = configuration.templates.renderDigest(
                    group.map(\.rendered), recipient: recipients[first.item.recipientID], set: first.item.template,
                    kind: kinds[first.item.outputID] ?? .text)
                let joined = group.map(\.idempotencyKey).joined(separator: ",")
                idempotencyKey = "digest-" + String(UInt64(bitPattern: RecordDiff.digest(joined)), radix: 16)
            }
            digests.notifications.append(
                RunBatch.QueuedNotification(
                    idempotencyKey: idempotencyKey, eventID: first.eventID, outputID: first.item.outputID,
                    recipient: first.item.address, subject: rendered.subject, text: rendered.text, html: rendered.html))
            digests.consumedDigestItems += group.map(\.sequence)
        }
        if commit, !digests.notifications.isEmpty { try store.commit(digests) }
        return [deadlines, digests]
    }
}
