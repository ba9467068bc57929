import Curl
import Foundation
import Logging

/// One watch cycle, as a pipeline of stages:
///
///     fetch → read → detect → route (rules, confirmation, deadlines) → commit → deliver
///
/// ``SourceStage`` fetches and reads, ``Detector`` decides (pure), the rules route and hold,
/// the store commits the whole ``ChangeSet`` in one transaction, and the
/// ``DeliveryEngine`` delivers after the commit, recording each outcome — so a crash in
/// between re-sends with the same idempotency key. Callers hold the ``RunLock`` around
/// ``run(options:)``.
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
    public let store: any StateStore
    public let curl: CurlEngine
    public let logger: Logger

    public init(configuration: Configuration, store: any StateStore, curl: CurlEngine, logger: Logger) {
        self.configuration = configuration
        self.store = store
        self.curl = curl
        self.logger = logger
    }

    public func run(options: Options = Options()) async throws(StateError) -> RunReport {
        let now = options.now
        var report = RunReport()
        let clock = ContinuousClock()
        let started = clock.now
        let changes = try await plan(options: options, report: &report)
        logger.debug("detected \(changes.events.count) events at \(clock.now - started)")
        let runID = try store.commit(changes)
        logger.debug("committed at \(clock.now - started)")
        logger.info("run \(runID): \(changes.events.count) events, \(changes.notifications.count) notifications queued")
        for followUp in try followUps(runID: runID, now: now) {
            report.add(followUp)
        }

        if options.deliver {
            // Bounces first: an address that failed for good is not mailed again in this run.
            await pollBounces(at: now)
            let engine = DeliveryEngine(
                store: store, outputs: configuration.outputs, policies: configuration.deliveryPolicies,
                context: DeliveryContext(
                    curl: curl, logger: logger, configDirectory: configuration.directory,
                    stateDirectory: store.directory, deadline: .now + configuration.deliveryTimeout,
                    mailing: configuration.mailing),
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
    public func preview(options: Options = Options()) async throws(StateError) -> (ChangeSet, RunReport) {
        var report = RunReport()
        var changes = try await plan(options: options, report: &report)
        for followUp in try followUps(runID: nil, now: options.now, commit: false) {
            changes.events += followUp.events
            changes.notifications += followUp.notifications
            report.add(followUp)
        }
        return (changes, report)
    }

    /// Fetch, read, detect and route: the change set a run commits.
    private func plan(options: Options, report: inout RunReport) async throws(StateError) -> ChangeSet {
        let states = try store.sourceStates()
        let readings = await SourceStage(configuration: configuration, store: store, curl: curl)
            .readAll(states: states, only: options.sources)
        var changes = ChangeSet(startedAt: options.now)
        let detector = Detector(logger: logger)
        for source in configuration.sources {
            guard let reading = try readings[source.id]?.get() else { continue }
            let detection = detector.detect(
                reading, source: source, previous: states[source.id] ?? SourceState(id: source.id), at: options.now,
                acceptDrop: options.acceptDrop.contains(source.id))
            detection.apply(to: &changes)
            report.sources.append(detection.report)
        }
        changes.events += try MentionStage(configuration: configuration, store: store)
            .mentions(in: changes, at: options.now)
        let people = try PeopleStage(configuration: configuration, store: store, logger: logger)
            .apply(to: &changes, at: options.now)
        try route(&changes, at: options.now, people: people)
        report.add(changes)
        return changes
    }

    /// Routes a change set's events (holding what needs confirmation, releasing what is now
    /// confirmed) and keeps the deadline watches in step with its record writes.
    func route(_ changes: inout ChangeSet, at now: Date, people: PeopleDirectory) throws(StateError) {
        var people = people
        changes = try configuration.withRouter(store: store) { router throws(StateError) in
            var routed = changes
            // An event folded into another source's report of the same change is stored, not told.
            let told =
                routed.events.contains { $0.foldedInto != nil }
                ? routed.events.filter { $0.foldedInto == nil } : routed.events
            let routing = router.routing(for: told, at: now)
            routed.notifications += routing.notifications
            try ConfirmationStage(configuration: configuration, store: store, logger: logger)
                .confirm(routing.held, router: router, changes: &routed, people: &people, now: now)
            return routed
        }
        try DeadlineWatchStage(configuration: configuration, store: store).watch(&changes)
    }

    /// Reads the bounce mailbox, when one is configured; a mailbox that cannot be read is
    /// logged and tried again next time (it never fails the run).
    @discardableResult
    public func pollBounces(at now: Date = Date()) async -> BounceMailbox.Poll? {
        guard let mailbox = configuration.mailing?.bounceMailbox else { return nil }
        let processing = BounceProcessing(configuration: configuration, store: store)
        do {
            let poll = try await mailbox.poll(curl: curl, directory: configuration.directory) {
                message throws(StateError) in try processing.process(message, at: now)
            }
            if poll.read > 0 {
                let counts = Dictionary(grouping: poll.outcomes, by: \.rawValue).mapValues(\.count)
                let summary = counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                logger.info("bounce mailbox: \(poll.read) messages read, \(poll.deleted) deleted (\(summary))")
            }
            return poll
        } catch {
            logger.error("\(error.description)")
            return nil
        }
    }

    // MARK: - Pushed documents

    /// Applies a document pushed to `vigil serve` for push source `sourceID`: a JSON document of
    /// records (the source's `records` path, compared like a fetch, removals included), or
    /// `{"record": {…}}` for one record (added or changed, nothing removed). Detection and
    /// queuing commit in one transaction; delivery is left to the caller.
    ///
    /// A document that cannot be read is refused with ``PushFailure/invalid(_:)`` and changes
    /// nothing; `webhookID` is stored with the change set, so the same push is never applied
    /// twice (``StateError/duplicatePush(id:)``).
    public func push(
        sourceID: String, body: [UInt8], webhookID: String? = nil, options: Options = Options(deliver: false)
    ) async throws(PushFailure) -> (report: RunReport, runID: Int64) {
        guard let source = configuration.sources.first(where: { $0.id == sourceID }) else {
            throw .invalid(.parse("no source \"\(sourceID)\""))
        }
        do {
            let state = try store.sourceStates()[sourceID] ?? SourceState(id: sourceID)
            let reading = try await SourceStage(configuration: configuration, store: store, curl: curl)
                .readPush(source, body: body, baselined: state.baselineAt != nil).get()
            if case .failed(let failure) = reading { throw PushFailure.invalid(failure) }

            let applied = try applyPushed(
                reading, source: source, previous: state,
                receipts: webhookID.map { [PushReceipt(id: $0, sourceID: sourceID)] } ?? [], options: options)
            var report = applied.report
            for followUp in applied.followUps { report.add(followUp) }
            return (report, applied.runID)
        } catch let failure as PushFailure {
            throw failure
        } catch let failure as StateError {
            throw .state(failure)
        } catch {
            throw .state(.database("\(error)"))
        }
    }

    /// What a pushed reading becomes, in one transaction: detection (then `arrange`), people,
    /// routing, the commit with the pushes' `receipts`; then the deadlines and digests due.
    /// The report counts the source and the change set, not the follow-ups.
    func applyPushed(
        _ reading: SourceReading, source: SourceConfiguration, previous state: SourceState,
        receipts: [PushReceipt], options: Options, arrange: (inout Detection) -> Void = { _ in }
    ) throws(StateError) -> (changes: ChangeSet, report: RunReport, runID: Int64, followUps: [ChangeSet]) {
        var changes = ChangeSet(startedAt: options.now)
        changes.pushes = receipts
        var detection = Detector(logger: logger).detect(
            reading, source: source, previous: state, at: options.now,
            acceptDrop: options.acceptDrop.contains(source.id))
        arrange(&detection)
        detection.apply(to: &changes)
        var report = RunReport()
        report.sources.append(detection.report)
        let people = try PeopleStage(configuration: configuration, store: store, logger: logger)
            .apply(to: &changes, at: options.now)
        try route(&changes, at: options.now, people: people)
        report.add(changes)
        changes.exitCode = report.exitStatus.rawValue
        let runID = try store.commit(changes)
        return (changes, report, runID, try followUps(runID: runID, now: options.now))
    }

    /// Why a push was not applied.
    public enum PushFailure: Error, Sendable {
        /// The document cannot be read into records; nothing was changed.
        case invalid(SourceFailure)
        /// The state could not be read or written; a replayed id is ``StateError/duplicatePush(id:)``.
        case state(StateError)
    }

    // MARK: - After the run's commit

    /// Raises the deadlines due and queues the digests whose window ended, outside a run
    /// (`vigil serve` calls it between runs, so a window ends on time without a fetch).
    /// Returns how many notifications were queued. Callers hold the ``RunLock``.
    public func queueDueFollowUps(at now: Date) throws(StateError) -> Int {
        try followUps(runID: nil, now: now).reduce(0) { $0 + $1.notifications.count }
    }

    /// Raises the deadlines due at `now` and sends the digests whose window has ended, each
    /// in its own transaction attached to run `runID`. With `commit` false nothing is
    /// stored (preview). Returns what was queued.
    func followUps(runID: Int64?, now: Date, commit: Bool = true) throws(StateError) -> [ChangeSet] {
        var deadlines = ChangeSet(startedAt: now)
        deadlines.runID = runID
        // Outside a run, the change set is a run of its own, finished when stored.
        if runID == nil { deadlines.exitCode = 0 }
        try DueDeadlineStage(configuration: configuration, store: store).raise(at: now, into: &deadlines)
        if commit, !deadlines.events.isEmpty { try store.commit(deadlines) }

        var digests = ChangeSet(startedAt: now)
        digests.runID = runID
        if runID == nil { digests.exitCode = 0 }
        try DigestStage(configuration: configuration, store: store).collect(at: now, into: &digests)
        if commit, !digests.notifications.isEmpty { try store.commit(digests) }
        return [deadlines, digests]
    }
}
