import Curl
import Foundation
import Logging
import VigilCEL
import VigilCore

/// Everything `vigil serve` changes goes through here: scheduled cycles, pushes, delivery.
///
/// Cycles and delivery passes take the state directory's run lock, so a cron `vigil run` and
/// `vigil serve` never fetch or deliver at the same time; a tick that finds the lock taken is
/// skipped and tried again at the next one. One delivery pass at a time.
actor Coordinator {
    /// The configuration; its recipient files are read again when they change.
    private(set) var configuration: Configuration
    /// The recipient files' modification times when last read.
    private var recipientStamps: [Date?] = []
    /// When the bounce mailbox was last polled.
    private var lastBouncePoll: ContinuousClock.Instant?
    let store: any StateStore
    let curl: CurlEngine
    let logger: Logger
    let metrics: ServerMetrics
    let stateDirectory: String
    private var lastRun: [String: ContinuousClock.Instant] = [:]
    private var delivering = false
    private var pushQueue = PushQueue()

    init(
        configuration: Configuration, store: any StateStore, curl: CurlEngine, logger: Logger, metrics: ServerMetrics,
        stateDirectory: String
    ) {
        self.configuration = configuration
        self.store = store
        self.curl = curl
        self.logger = logger
        self.metrics = metrics
        self.stateDirectory = stateDirectory
        self.recipientStamps = Self.stamps(configuration)
    }

    var cycle: WatchCycle {
        WatchCycle(configuration: configuration, store: store, curl: curl, logger: logger)
    }

    /// Reads the recipient files again when one changed since the last read. A file with a
    /// problem is reported and the recipients read before are kept.
    func refreshRecipients() {
        guard !configuration.recipientList.files.isEmpty else { return }
        let stamps = Self.stamps(configuration)
        guard stamps != recipientStamps else { return }
        recipientStamps = stamps
        let (reloaded, issues) = configuration.reloadingRecipients()
        guard issues.isEmpty else {
            for issue in issues { logger.error("recipients not reloaded: \(issue.description)") }
            return
        }
        configuration = reloaded
        logger.info("recipient files read again: \(reloaded.recipients.count) recipients")
    }

    private static func stamps(_ configuration: Configuration) -> [Date?] {
        configuration.recipientList.files.map {
            (try? FileManager.default.attributesOfItem(atPath: $0.path))?[.modificationDate] as? Date
        }
    }

    /// Polls the bounce mailbox when its interval has passed, holding the run lock (a cron
    /// `vigil run` polls the same mailbox).
    func pollBouncesIfDue() async {
        guard let mailbox = configuration.mailing?.bounceMailbox else { return }
        let now = ContinuousClock.now
        if let last = lastBouncePoll, now - last < mailbox.every { return }
        guard let lock = try? RunLock(directory: stateDirectory) else { return }
        lastBouncePoll = now
        await cycle.pollBounces()
        withExtendedLifetime(lock) {}
    }

    /// Runs the fetched sources whose interval has passed.
    func runDueSources() async {
        refreshRecipients()
        await pollBouncesIfDue()
        let now = ContinuousClock.now
        let due = configuration.sources.filter { source in
            if case .push = source.location { return false }
            guard let last = lastRun[source.id] else { return true }
            return now - last >= source.every
        }
        guard !due.isEmpty else { return }
        let lock: RunLock
        do {
            lock = try RunLock(directory: stateDirectory)
        } catch {
            logger.info("scheduled run skipped: \(error.description)")
            return
        }
        for source in due { lastRun[source.id] = now }
        do {
            let report = try await cycle.run(options: WatchCycle.Options(sources: Set(due.map(\.id)), deliver: false))
            metrics.record(report)
        } catch {
            logger.error("scheduled run failed: \(error.description)")
        }
        withExtendedLifetime(lock) {}
    }

    /// Applies a verified push (refusing a `webhook-id` already applied) with the pushes to
    /// the same source that arrive meanwhile (``PushQueue``); returns its report once its
    /// group has committed.
    func push(sourceID: String, body: [UInt8], webhookID: String) async throws(PushVerifier.Refusal) -> RunReport {
        refreshRecipients()
        let replayed = PushVerifier.Refusal(
            status: 409, code: "replayed", message: "webhook-id \(webhookID) was already applied")
        // A cheap early answer; the commit itself refuses a replay that slips past it.
        let seen: Bool
        do {
            seen = try store.hasReceivedPush(id: webhookID)
        } catch {
            logger.error("push to \(sourceID): the state cannot be read: \(error.description)")
            throw PushVerifier.Refusal(
                status: 500, code: "state_error", message: "the push could not be stored; nothing was applied")
        }
        if seen { throw replayed }
        let result = await withCheckedContinuation { answer in
            let push = WatchCycle.PendingPush(body: body, webhookID: webhookID)
            if pushQueue.enqueue(push, for: sourceID, answer: answer) {
                Task { await self.drainPushes(for: sourceID) }
            }
        }
        switch result {
        case .success(let report):
            metrics.record(report)
            return report
        case .failure(.invalid(let failure)):
            throw PushVerifier.Refusal(status: 400, code: "invalid_document", message: failure.description)
        case .failure(.state(.duplicatePush)):
            throw replayed
        case .failure(.state(let failure)):
            logger.error("push to \(sourceID) could not be stored: \(failure.description)")
            throw PushVerifier.Refusal(
                status: 500, code: "state_error", message: "the push could not be stored; nothing was applied")
        }
    }

    /// Applies the waiting pushes of a source group by group until none waits.
    private func drainPushes(for sourceID: String) async {
        while let group = pushQueue.nextGroup(for: sourceID) {
            let results = await cycle.pushBatch(sourceID: sourceID, group.map(\.push))
            for (member, result) in zip(group, results) { member.answer.resume(returning: result) }
        }
    }

    /// Delivers what is due; skipped while another pass (or a cron run) holds the way.
    func deliverDue() async {
        guard !delivering else { return }
        refreshRecipients()
        delivering = true
        defer { delivering = false }
        let lock: RunLock
        do {
            lock = try RunLock(directory: stateDirectory)
        } catch {
            // Held: a cron run is delivering; this pass steps aside. Anything else is a fault.
            if case .cannotOpen = error { logger.error("delivery pass skipped: \(error.description)") }
            return
        }
        do {
            let followUps = try cycle.queueDueFollowUps(at: Date())
            if followUps > 0 { logger.info("\(followUps) deadline or digest notifications queued") }
            let due = try store.dueNotifications(at: Date(), limit: 1)
            if !due.isEmpty {
                let runID = try store.commit(ChangeSet(startedAt: Date()))
                let engine = DeliveryEngine(
                    store: store, outputs: configuration.outputs, policies: configuration.deliveryPolicies,
                    context: DeliveryContext(
                        curl: curl, logger: logger, configDirectory: configuration.directory,
                        stateDirectory: stateDirectory, deadline: .now + configuration.deliveryTimeout,
                        mailing: configuration.mailing),
                    runID: runID, router: configuration.router)
                let summary = try await engine.deliverDue(at: Date())
                metrics.record(summary)
                try store.finishRun(runID, exitCode: 0, at: Date())
            }
            metrics.setOutboxDepth(try store.undeliveredNotifications().count)
        } catch {
            logger.error("delivery pass failed: \(error.description)")
        }
        withExtendedLifetime(lock) {}
    }

    /// `GET /healthz`: the state answers, and each source's last run.
    func health() -> (healthy: Bool, json: String) {
        let states: [String: SourceState]
        do {
            states = try store.sourceStates()
        } catch {
            logger.error("healthz: the state store does not answer: \(error.description)")
            return (
                false,
                ServerResponses.json(ServerResponses.Health(healthy: false, error: "the state store does not answer"))
            )
        }
        let sources = configuration.sources.map { source in
            let state = states[source.id]
            return ServerResponses.Health.Source(
                id: source.id, failing: state?.isFailing == true,
                lastAttempt: state?.lastAttemptAt.map(Timestamp.iso8601),
                lastSuccess: state?.lastSuccessAt.map(Timestamp.iso8601))
        }
        return (true, ServerResponses.json(ServerResponses.Health(healthy: true, sources: sources)))
    }
}
