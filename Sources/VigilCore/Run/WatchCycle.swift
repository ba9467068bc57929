import Curl
import Foundation
import Logging

/// One watch cycle: fetch every source, detect changes, queue notifications, deliver.
///
/// Detection and enqueueing commit in one transaction; delivery happens after the commit
/// and records each outcome, so a crash in between re-sends with the same idempotency key.
/// Callers hold the ``RunLock`` around ``run(options:)``.
public struct WatchCycle: Sendable {
    /// Knobs of one run.
    public struct Options: Sendable {
        /// Sources whose suspicious drop the operator accepts for this run.
        public var acceptDrop: Set<String>
        public var now: Date
        /// Only these sources (all fetched sources when nil). Push sources are never fetched.
        public var sources: Set<String>?
        /// Deliver due notifications after committing (`vigil serve` delivers in its own loop).
        public var deliver: Bool

        public init(acceptDrop: Set<String> = [], now: Date = Date(), sources: Set<String>? = nil, deliver: Bool = true)
        {
            self.acceptDrop = acceptDrop
            self.now = now
            self.sources = sources
            self.deliver = deliver
        }
    }

    public let configuration: Configuration
    public let store: StateStore
    public let curl: CurlEngine
    public let logger: Logger

    public init(configuration: Configuration, store: StateStore, curl: CurlEngine, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.curl = curl
        self.logger = logger
    }

    public func run(options: Options = Options()) async throws(StateStore.Failure) -> RunReport {
        let now = options.now
        var report = RunReport()
        let clock = ContinuousClock()
        let started = clock.now
        let batch = try await plan(options: options, report: &report)
        logger.debug("detected \(batch.events.count) events at \(clock.now - started)")
        let runID = try store.commit(batch)
        logger.debug("committed at \(clock.now - started)")
        logger.info("run \(runID): \(batch.events.count) events, \(batch.notifications.count) notifications queued")
        for followUp in try followUps(runID: runID, now: now) {
            report.add(followUp)
        }

        if options.deliver {
            let engine = DeliveryEngine(
                store: store, outputs: configuration.outputs, policies: configuration.deliveryPolicies,
                context: DeliveryContext(
                    curl: curl, logger: logger, configDirectory: configuration.directory,
                    stateDirectory: store.directory, deadline: .now + configuration.deliveryTimeout),
                runID: runID, router: configuration.router
            )
            let delivery = try await engine.deliverDue(at: now)
            report.delivered = delivery.delivered
            report.retrying = delivery.retrying
            report.failedDeliveries = delivery.deadLettered.count + delivery.abandoned
            logger.debug("delivered at \(clock.now - started)")
        }
        try store.finishRun(runID, exitCode: report.exitStatus.rawValue, at: Date())
        return report
    }

    /// Fetches, detects and routes without storing or sending anything: what a run would do.
    /// (`vigil preview`.)
    public func preview(options: Options = Options()) async throws(StateStore.Failure) -> (RunBatch, RunReport) {
        var report = RunReport()
        var batch = try await plan(options: options, report: &report)
        for followUp in try followUps(runID: nil, now: options.now, commit: false) {
            batch.events += followUp.events
            batch.notifications += followUp.notifications
            report.add(followUp)
        }
        return (batch, report)
    }

    /// Fetch, detection and routing: the batch a run commits.
    private func plan(options: Options, report: inout RunReport) async throws(StateStore.Failure) -> RunBatch {
        let now = options.now
        let states = try store.sourceStates()
        let results = await fetchAll(states: states, only: options.sources)
        var batch = RunBatch(startedAt: now)
        for source in configuration.sources {
            guard let result = results[source.id] else { continue }
            let sourceReport = try detect(
                source, result: result, state: states[source.id] ?? SourceState(id: source.id), options: options,
                batch: &batch)
            report.sources.append(sourceReport)
        }
        try route(&batch, at: now)
        report.add(batch)
        return batch
    }

    /// Routes a batch's events (holding what needs confirmation, releasing what is now
    /// confirmed) and keeps the deadline watches in step with its record writes.
    private func route(_ batch: inout RunBatch, at now: Date) throws(StateStore.Failure) {
        let router = configuration.router(store: store)
        let routing = router.routing(for: batch.events, at: now)
        batch.notifications += routing.notifications
        try confirm(routing.held, router: router, batch: &batch, now: now)
        try watchDeadlines(batch: &batch)
    }

    // MARK: - Pushed documents

    /// Applies a document pushed to `vigil serve` for push source `sourceID`: a JSON document of
    /// records (the source's `records` path, compared like a fetch, removals included), or
    /// `{"record": {…}}` for one record (added or changed, nothing removed). Detection and
    /// queuing commit in one transaction; delivery is left to the caller.
    ///
    /// A document that cannot be read is refused with ``PushFailure/invalid(_:)`` and changes
    /// nothing; `webhookID` is stored with the batch, so the same push is never applied twice.
    public func push(
        sourceID: String, body: [UInt8], webhookID: String? = nil, options: Options = Options(deliver: false)
    ) async throws(PushFailure) -> (report: RunReport, runID: Int64) {
        guard let source = configuration.sources.first(where: { $0.id == sourceID }) else {
            throw .invalid(.parse("no source \"\(sourceID)\""))
        }
        do {
            let states = try store.sourceStates()
            let state = states[sourceID] ?? SourceState(id: sourceID)
            let result = await pushResult(source, body: body, baselined: state.baselineAt != nil)
            if case .failed(let failure) = result { throw PushFailure.invalid(failure) }
            return try await apply(source, result: result, state: state, webhookID: webhookID, options: options)
        } catch let failure as PushFailure {
            throw failure
        } catch let failure as StateStore.Failure {
            throw .state(failure)
        } catch {
            throw .state(.database("\(error)"))
        }
    }

    /// Why a push was not applied.
    public enum PushFailure: Error, Sendable {
        /// The document cannot be read into records; nothing was changed.
        case invalid(SourceFailure)
        /// The state could not be read or written (a replayed id lands here too, as a conflict).
        case state(StateStore.Failure)
    }

    private func apply(
        _ source: SourceConfiguration, result: SourceResult, state: SourceState, webhookID: String?, options: Options
    ) async throws(StateStore.Failure) -> (report: RunReport, runID: Int64) {
        let sourceID = source.id
        var batch = RunBatch(startedAt: options.now)
        batch.webhookID = webhookID.map { ($0, sourceID) }
        var report = RunReport()
        report.sources.append(try detect(source, result: result, state: state, options: options, batch: &batch))
        try route(&batch, at: options.now)
        report.add(batch)
        batch.exitCode = report.exitStatus.rawValue
        let runID = try store.commit(batch)
        for followUp in try followUps(runID: runID, now: options.now) {
            report.add(followUp)
        }
        return (report, runID)
    }

    private func pushResult(_ source: SourceConfiguration, body: [UInt8], baselined: Bool) async -> SourceResult {
        do {
            let single: Bool
            let parsed: ParsedSource
            if let value = try? JSONParser.parse(body), case .object? = value["record"]?.kind,
                let record = value["record"]
            {
                var document = "["
                JSONWriter.write(record, to: &document)
                document += "]"
                parsed = try await JSONRecordReader.read(
                    Array(document.utf8), records: try JSONPath("$[*]"), mapping: source.mapping)
                single = true
            } else {
                parsed = try await source.parse(body)
                single = false
            }
            let stored =
                single
                ? try store.storedDigests(source: source.id, keys: parsed.records.map(\.key))
                : try store.storedDigests(source: source.id)
            guard baselined || single else {
                let keys = Set(parsed.records.map(\.key))
                return .parsed(parsed, Validators(), .baseline(staleKeys: stored.keys.filter { !keys.contains($0) }))
            }
            let diff = try await RecordDiff.compute(storedDigests: stored, fresh: parsed.records) { keys in
                try store.storedContents(source: source.id, keys: keys)
            }
            return .parsed(parsed, Validators(), .diff(diff, storedCount: stored.count, partial: single))
        } catch let failure as SourceFailure {
            return .failed(failure)
        } catch {
            return .stateFailed("\(error)")
        }
    }

    // MARK: - Fetch and parse

    enum SourceResult: Sendable {
        case notModified
        case parsed(ParsedSource, Validators, Comparison)
        case failed(SourceFailure)
        /// The stored records could not be read: the run must stop without applying anything.
        case stateFailed(String)
    }

    /// The fresh records against the stored ones, computed beside the fetch.
    enum Comparison: Sendable {
        /// No baseline yet: store everything; `staleKeys` are leftovers to delete.
        case baseline(staleKeys: [String])
        /// `partial`: a single pushed record, compared with its stored self only.
        case diff(RecordDiff, storedCount: Int, partial: Bool)
    }

    private func fetchAll(states: [String: SourceState], only: Set<String>?) async -> [String: SourceResult] {
        let fetcher = SourceFetcher(curl: curl, configDirectory: configuration.directory)
        return await withTaskGroup(of: (String, SourceResult).self) { group in
            for source in configuration.sources where only?.contains(source.id) ?? true {
                if case .push = source.location { continue }
                // A source not yet baselined fetches unconditionally, so a 304 cannot skip its baseline.
                let state = states[source.id]
                let isBaselined = state?.baselineAt != nil
                let validators =
                    !isBaselined || state?.isFailing == true ? Validators() : state?.validators ?? Validators()
                group.addTask {
                    do {
                        switch try await fetcher.fetch(source, validators: validators) {
                        case .notModified:
                            return (source.id, .notModified)
                        case .document(let bytes, _, let fresh):
                            // Load the stored digests on another core while this one parses.
                            async let loaded = Result { () throws(StateStore.Failure) in
                                try store.storedDigests(source: source.id)
                            }
                            let parsed = try await source.parse(bytes)
                            let stored = try await loaded.get()
                            guard isBaselined else {
                                let keys = Set(parsed.records.map(\.key))
                                return (
                                    source.id,
                                    .parsed(
                                        parsed, fresh, .baseline(staleKeys: stored.keys.filter { !keys.contains($0) }))
                                )
                            }
                            let diff = try await RecordDiff.compute(storedDigests: stored, fresh: parsed.records) {
                                keys in
                                try store.storedContents(source: source.id, keys: keys)
                            }
                            return (
                                source.id,
                                .parsed(parsed, fresh, .diff(diff, storedCount: stored.count, partial: false))
                            )
                        }
                    } catch let failure as SourceFailure {
                        return (source.id, .failed(failure))
                    } catch {
                        return (source.id, .stateFailed("\(error)"))
                    }
                }
            }
            var results: [String: SourceResult] = [:]
            for await (id, result) in group { results[id] = result }
            return results
        }
    }

    // MARK: - Detection and guards

    private func detect(
        _ source: SourceConfiguration, result: SourceResult, state previous: SourceState, options: Options,
        batch: inout RunBatch
    ) throws(StateStore.Failure) -> RunReport.SourceReport {
        let now = options.now
        var state = previous
        state.lastAttemptAt = now
        let firstEventIndex = batch.events.count
        var report = RunReport.SourceReport(
            id: source.id, outcome: .notModified, unmappedStatuses: [], unparsedDates: 0)

        // One alert per failure streak, and one more for each new cause (an HTTP 500 that
        // becomes a login page); a cause already reported in the streak is not reported
        // again, and other runs only log at info level, so that cron, which mails whatever a
        // job prints, mails an outage once and not every run.
        func fail(_ failure: SourceFailure) {
            let kind: Event.Kind = failure.kind == "drop" ? .suspicious : .failing
            let reported = state.isFailing ? state.reportedFailureKinds : []
            defer { state.reportedFailureKinds = [failure.kind] + reported.filter { $0 != failure.kind } }
            if !state.isFailing {
                logger.warning("source \(source.id) failed closed: \(failure.description)")
                state.failingSince = now
                batch.events.append(Event(kind: kind, sourceID: source.id, at: now, message: failure.description))
            } else if !reported.contains(failure.kind), let previous = reported.first {
                logger.warning("source \(source.id) still fails closed, for another reason: \(failure.description)")
                batch.events.append(
                    Event(
                        kind: kind, sourceID: source.id, at: now,
                        message:
                            "still failing, for another reason (before: \(SourceFailure.describe(kind: previous))): "
                            + failure.description))
            } else {
                logger.info("source \(source.id) still fails closed: \(failure.description)")
            }
            state.failureMessage = failure.description
            state.consecutiveFailures += 1
            report.outcome = .failed(failure)
        }

        switch result {
        case .failed(let failure):
            fail(failure)
        case .notModified:
            report.outcome = .notModified
        case .stateFailed(let why):
            throw .database(why)
        case .parsed(let parsed, let validators, let comparison):
            report.unmappedStatuses = parsed.unmappedStatuses.sorted()
            report.unparsedDates = parsed.unparsedDates
            switch comparison {
            case .baseline(let staleKeys):
                batch.recordWrites[source.id] = RunBatch.RecordWrites(upserts: parsed.records, deletions: staleKeys)
                state.baselineAt = now
                report.outcome = .baseline(records: parsed.records.count)
            case .diff(let diff, let storedCount, _):
                do throws(SourceFailure) {
                    if !options.acceptDrop.contains(source.id) {
                        try DropGuard.check(
                            removed: diff.removed.count, storedCount: storedCount, maxDrop: source.maxDrop)
                    }
                    for record in diff.added {
                        batch.events.append(Event(kind: .added, sourceID: source.id, at: now, record: record))
                    }
                    for change in diff.changed {
                        batch.events.append(
                            Event(
                                kind: .changed, sourceID: source.id, at: now, record: change.record,
                                changes: change.changes))
                    }
                    for record in diff.removed {
                        batch.events.append(Event(kind: .removed, sourceID: source.id, at: now, record: record))
                    }
                    batch.recordWrites[source.id] = RunBatch.RecordWrites(
                        upserts: diff.added + diff.changed.map(\.record), deletions: diff.removed.map(\.key))
                    report.outcome = .compared(
                        records: parsed.records.count, added: diff.added.count, changed: diff.changed.count,
                        removed: diff.removed.count)
                } catch {
                    fail(error)
                }
            }
            if report.isFailure { break }
            state.validators = validators
            if case .diff(let diff, _, true) = comparison {
                state.recordCount += diff.added.count
            } else {
                state.recordCount = parsed.records.count
            }
            state.unmappedStatuses = report.unmappedStatuses
        }

        if !report.isFailure {
            if let since = state.failingSince {
                let runs = state.consecutiveFailures
                // Before this source's person events: the room learns the source works again first.
                batch.events.insert(
                    Event(
                        kind: .recovered, sourceID: source.id, at: now,
                        message:
                            "after \(runs) failed run\(runs == 1 ? "" : "s") since \(Timestamp.iso8601(since))"
                    ),
                    at: firstEventIndex)
            }
            state.failingSince = nil
            state.failureKind = nil
            state.failureMessage = nil
            state.consecutiveFailures = 0
            state.lastSuccessAt = now
        }
        batch.sources.append(state)
        return report
    }
}
