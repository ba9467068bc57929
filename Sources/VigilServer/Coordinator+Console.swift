import Foundation
import VigilCore

/// The console's actions: each under the run lock (a cron `vigil run` or a scheduled cycle
/// may hold it; the console then answers "busy" and changes nothing).
extension Coordinator {
    /// What a console action did, in words for the page.
    enum ActionResult: Sendable {
        case done(String)
        case refused(String)
        case busy
    }

    /// Approves or rejects a held transition; an approval is released (queued) at once by a
    /// run that fetches nothing, and delivery is kicked by the caller.
    func decideHeld(_ id: String, approve: Bool, by user: String, reason: String) async -> ActionResult {
        await underRunLock { await self.decideHeldLocked(id, approve: approve, by: user, reason: reason) }
    }

    private func decideHeldLocked(_ id: String, approve: Bool, by user: String, reason: String) async -> ActionResult {
        let queue = HeldQueue(configuration: configuration, store: store)
        let outcome: HeldQueue.Outcome
        do {
            outcome =
                approve ? try queue.approve(id, by: user) : try queue.reject(id, by: user, reason: reason)
        } catch {
            return .refused(error.description)
        }
        switch outcome {
        case .approved(let decision):
            do {
                let report = try await cycle.run(options: WatchCycle.Options(sources: [], deliver: false))
                metrics.record(report)
                return .done(
                    report.queued > 0
                        ? "Approved \(decision.record): \(report.queued) notification\(report.queued == 1 ? "" : "s") queued."
                        : "Approved \(decision.record): it is sent once its rule's runs or sources confirm it.")
            } catch {
                logger.error("release after an approval failed: \(error.description)")
                return .refused(
                    "the approval is stored, but the release failed (\(error.description)); the next run retries it")
            }
        case .rejected(let decision): return .done("Rejected \(decision.record): nothing is sent.")
        case .withdrawn(let decision):
            return .refused(
                "\(decision.record) changed again since it was held; the hold was dropped and nothing is sent")
        }
    }

    /// Makes a dead-lettered notification pending again, due now.
    func retryNotification(_ id: Int64) async -> ActionResult {
        await underRunLock {
            do throws(StateError) {
                let count = try self.store.retry(ids: [id], at: Date())
                return count > 0
                    ? .done("Notification \(id) will be sent again.") : .refused("notification \(id) has not failed")
            } catch {
                return .refused(error.description)
            }
        }
    }

    /// Gives up an undelivered notification for good.
    func dropNotification(_ id: Int64) async -> ActionResult {
        await underRunLock {
            do throws(StateError) {
                return try self.store.drop(id: id)
                    ? .done("Notification \(id) was dropped.") : .refused("notification \(id) is not waiting")
            } catch {
                return .refused(error.description)
            }
        }
    }

    /// `body` while this process holds the run lock; `.busy` when another run holds it.
    private func underRunLock(_ body: () async -> ActionResult) async -> ActionResult {
        guard let lock = try? RunLock(directory: stateDirectory) else { return .busy }
        defer { withExtendedLifetime(lock) {} }
        return await body()
    }

    /// The configuration as it is now (recipient files read again when they changed).
    func currentConfiguration() -> Configuration {
        refreshRecipients()
        return configuration
    }
}
