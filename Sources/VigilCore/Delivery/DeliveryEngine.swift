import Foundation
import Logging

/// Delivers due outbox rows through their outputs and records every outcome.
///
/// Outputs run concurrently with each other; each output gets up to its
/// ``DeliveryPolicy/concurrency`` batches at once, so one slow or failing output never delays
/// another. Outcomes are stored after each batch, so a crash re-sends at most the batches in
/// flight, with the same idempotency keys. A row given up on raises one `dead_lettered`
/// event, queued to the other outputs in the same transaction and delivered in the same run.
///
/// With a ``DeliveryContext/deadline``, no batch starts after it and batches still running
/// then are cancelled (their outputs report what they did not send as retries), so one
/// stuck output cannot hold the run — and its lock — forever.
public struct DeliveryEngine: Sendable {
    public let store: any StateStore
    public let outputs: [any Output]
    public let policies: [String: DeliveryPolicy]
    public let context: DeliveryContext
    /// The run that delivers; dead-letter events are recorded under it.
    public let runID: Int64
    /// Routes dead-letter alerts (every other output, without rules).
    public let router: any EventRouter

    public init(
        store: any StateStore, outputs: [any Output], policies: [String: DeliveryPolicy], context: DeliveryContext,
        runID: Int64, router: (any EventRouter)? = nil
    ) {
        self.router = router ?? Broadcast(outputs: outputs)
        self.store = store
        self.outputs = outputs
        self.policies = policies
        self.context = context
        self.runID = runID
    }

    /// Delivers everything due at `now`, then the dead-letter alerts that raised (one more pass).
    /// `now` is the run's clock: outcomes, retry times and alerts are all reckoned from it.
    public func deliverDue(at now: Date) async throws(StateError) -> OutcomeSummary {
        var total = OutcomeSummary()
        for _ in 0..<2 {
            if let deadline = context.deadline, ContinuousClock.now >= deadline { break }
            let due = try store.dueNotifications(at: now)
            if due.isEmpty { break }
            let pass = try await deliver(due.map(\.notification), at: now)
            total.delivered += pass.delivered
            total.retrying += pass.retrying
            total.deadLettered += pass.deadLettered
            total.alertsQueued += pass.alertsQueued
            total.abandoned += pass.abandoned
            for (output, tally) in pass.byOutput {
                var merged = total.byOutput[output] ?? OutcomeSummary.OutputTally()
                merged.delivered += tally.delivered
                merged.retried += tally.retried
                merged.failed += tally.failed
                merged.batches += tally.batches
                total.byOutput[output] = merged
            }
            if pass.alertsQueued == 0 { break }
        }
        return total
    }

    private func deliver(_ due: [RenderedNotification], at now: Date) async throws(StateError) -> OutcomeSummary {
        let byID = Dictionary(outputs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var batches:
            [(output: any Output, policy: DeliveryPolicy, lane: DeliveryLane?, notifications: [RenderedNotification])] =
                []
        for (outputID, notifications) in Dictionary(grouping: due, by: \.outputID).sorted(by: { $0.key < $1.key }) {
            guard let output = byID[outputID] else {
                context.logger.warning(
                    "\(notifications.count) queued notifications for output \(outputID), which is no longer configured")
                continue
            }
            let policy = policies[outputID] ?? output.defaultDeliveryPolicy
            // Lanes (mail domains) are batched apart, in order of their first notification.
            var lanes: [DeliveryLane?] = []
            var byLane: [DeliveryLane?: [RenderedNotification]] = [:]
            for notification in notifications {
                let lane = output.deliveryLane(for: notification)
                if byLane[lane] == nil { lanes.append(lane) }
                byLane[lane, default: []].append(notification)
            }
            for lane in lanes {
                let members = byLane[lane] ?? []
                for start in stride(from: 0, to: members.count, by: policy.batchSize) {
                    batches.append(
                        (output, policy, lane, Array(members[start..<min(members.count, start + policy.batchSize)])))
                }
            }
        }

        // Each output has its own lane limit; lanes of different outputs run side by side.
        var summary = OutcomeSummary()
        var failure: StateError?
        typealias Finished = (
            outputID: String, lane: String?, policy: DeliveryPolicy, outcomes: [(id: Int64, outcome: DeliveryOutcome)],
            took: Duration
        )
        let deadline = context.deadline
        await withTaskGroup(of: Finished?.self) { group in
            var waiting = batches
            var running: [String: Int] = [:]
            var runningLanes: [String: Int] = [:]
            var expired = false
            if let deadline {
                // The watchdog: a nil result means the deadline passed.
                group.addTask {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    return nil
                }
            }
            var allDone: Bool { waiting.isEmpty && !running.values.contains { $0 > 0 } }
            func startWhatFits() {
                guard !expired else { return }
                var index = 0
                while index < waiting.count {
                    let batch = waiting[index]
                    let id = batch.output.id
                    let laneKey = batch.lane.map { id + "\u{0}" + $0.name }
                    let laneFree = batch.lane.map { runningLanes[laneKey ?? "", default: 0] < $0.concurrency } ?? true
                    if running[id, default: 0] < batch.policy.concurrency, laneFree {
                        running[id, default: 0] += 1
                        if let laneKey { runningLanes[laneKey, default: 0] += 1 }
                        waiting.remove(at: index)
                        let context = self.context
                        group.addTask {
                            let started = ContinuousClock.now
                            let results = await batch.output.deliver(batch.notifications, context: context)
                            let took = ContinuousClock.now - started
                            let outcomes = batch.notifications.enumerated().map { index, notification in
                                (
                                    id: notification.id,
                                    outcome: index < results.count
                                        ? results[index] : .retry(after: nil, reason: "the output returned no outcome")
                                )
                            }
                            return (id, laneKey, batch.policy, outcomes, took)
                        }
                    } else {
                        index += 1
                    }
                }
            }
            startWhatFits()
            if allDone { group.cancelAll() }
            for await finished in group {
                guard let (outputID, lane, policy, outcomes, took) = finished else {
                    if !allDone {
                        expired = true
                        let left = waiting.reduce(0) { $0 + $1.notifications.count }
                        context.logger.warning(
                            "delivery deadline reached: running batches cancelled, \(left) notifications left for later"
                        )
                        group.cancelAll()
                    }
                    continue
                }
                running[outputID, default: 1] -= 1
                if let lane { runningLanes[lane, default: 1] -= 1 }
                var tally = summary.byOutput[outputID] ?? OutcomeSummary.OutputTally()
                tally.batches.append((took, outcomes.count))
                for (_, outcome) in outcomes {
                    switch outcome {
                    case .delivered: tally.delivered += 1
                    case .retry: tally.retried += 1
                    case .failed, .abandoned: tally.failed += 1
                    }
                }
                summary.byOutput[outputID] = tally
                do throws(StateError) {
                    let recorded = try store.recordOutcomes(
                        outcomes, at: now, policy: policy.retry, runID: runID, alert: { alert($0, at: now) })
                    summary.delivered += recorded.delivered
                    summary.retrying += recorded.retrying
                    summary.deadLettered += recorded.deadLettered
                    summary.alertsQueued += recorded.alertsQueued
                    summary.abandoned += recorded.abandoned
                    log(outcomes)
                } catch {
                    failure = error
                }
                startWhatFits()
                // All done: stop the watchdog too.
                if allDone { group.cancelAll() }
            }
        }
        if let failure { throw failure }
        return summary
    }

    /// The operational event for a dead letter, queued to every other output. A dead letter of
    /// an alert about a dead letter raises nothing, so failures cannot cascade.
    private func alert(_ deadLetter: DeadLetter, at now: Date) -> (
        event: Event, notifications: [QueuedNotification]
    )? {
        guard deadLetter.eventKind != .deadLettered else { return nil }
        let event = Event(
            kind: .deadLettered, sourceID: deadLetter.sourceID, at: now,
            message:
                "outbox row \(deadLetter.outboxID) to output \(deadLetter.outputID) given up after "
                + "\(deadLetter.attempts) attempt\(deadLetter.attempts == 1 ? "" : "s"): \(deadLetter.reason)")
        return (event, router.notifications(for: event, at: now, excluding: [deadLetter.outputID]))
    }

    /// Outcomes at info level name rows and outputs only; reasons (which may quote an address)
    /// go to debug.
    private func log(_ outcomes: [(id: Int64, outcome: DeliveryOutcome)]) {
        for (id, outcome) in outcomes {
            switch outcome {
            case .delivered:
                break
            case .retry(_, let reason):
                context.logger.warning("outbox row \(id): delivery will be retried")
                context.logger.debug("outbox row \(id): \(reason)")
            case .failed(let reason), .abandoned(let reason):
                context.logger.error("outbox row \(id): delivery failed permanently")
                context.logger.debug("outbox row \(id): \(reason)")
            }
        }
    }
}
