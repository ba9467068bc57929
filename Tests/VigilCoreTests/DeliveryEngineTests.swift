import Curl
import Foundation
import Logging
import Synchronization
import Testing

@testable import VigilCore

/// An output that answers with a fixed outcome and records how many calls ran at once.
final class ProbeOutput: Output, Sendable {
    let id: String
    let outcome: DeliveryOutcome
    let delay: Duration
    private let state = Mutex((running: 0, maxRunning: 0, received: [RenderedNotification]()))

    init(id: String, outcome: DeliveryOutcome = .delivered, delay: Duration = .zero) {
        self.id = id
        self.outcome = outcome
        self.delay = delay
    }

    var maxRunning: Int { state.withLock { $0.maxRunning } }
    var received: [RenderedNotification] { state.withLock { $0.received } }

    /// A batch starts: count it as running, and take `delay` as if opening a connection.
    func prepare(_ context: DeliveryContext) async throws(OutputFailure) {
        state.withLock {
            $0.running += 1
            $0.maxRunning = max($0.maxRunning, $0.running)
        }
        if delay > .zero { try? await Task.sleep(for: delay) }
    }

    func send(_ notification: RenderedNotification, session: Void) async -> DeliveryOutcome {
        state.withLock { $0.received.append(notification) }
        return outcome
    }

    func finish(_ session: Void) async {
        state.withLock { $0.running -= 1 }
    }
}

@Suite struct DeliveryEngineTests {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-delivery-\(UUID())").path
    let curl = CurlEngine()

    func store() throws -> any StateStore { try SQLiteStateStore(directory: directory) }

    /// Commits `count` events, each broadcast to `outputs`; returns the run id.
    func enqueue(_ count: Int, to outputs: [any Output], in store: any StateStore, at now: Date) throws -> Int64 {
        var batch = ChangeSet(startedAt: now)
        for index in 0..<count {
            let event = Event(
                kind: .changed, sourceID: "list", at: now,
                record: Record(key: "\(index)", name: "Person \(index)", status: .canonical(.released)),
                changes: [FieldChange(field: "status", from: "detained", to: "released")])
            batch.events.append(event)
            batch.notifications += Broadcast(outputs: outputs).notifications(for: event)
        }
        return try store.commit(batch)
    }

    func engine(
        _ store: any StateStore, _ outputs: [any Output], policies: [String: DeliveryPolicy] = [:], runID: Int64
    )
        -> DeliveryEngine
    {
        DeliveryEngine(
            store: store, outputs: outputs, policies: policies,
            context: DeliveryContext(
                curl: curl, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }),
                configDirectory: directory),
            runID: runID)
    }

    @Test func aDeadLetterRaisesOneAlertToTheOtherOutputs() async throws {
        let store = try store()
        let broken = ProbeOutput(id: "mail", outcome: .failed(reason: "550 no such user"))
        let room = ProbeOutput(id: "room")
        let now = Date()
        let runID = try enqueue(1, to: [broken, room], in: store, at: now)
        let summary = try await engine(store, [broken, room], runID: runID).deliverDue(at: now)

        #expect(summary.deadLettered.count == 1)
        #expect(summary.deadLettered.first?.reason == "550 no such user")
        #expect(summary.alertsQueued == 1)
        #expect(broken.received.count == 1, "the failing output is not told about its own failure")
        #expect(room.received.count == 2)
        let alert = try #require(room.received.last)
        #expect(alert.text.contains("delivery dead-lettered"))
        #expect(alert.text.contains("to output mail given up after 1 attempt: 550 no such user"))
        #expect(try store.events(limit: 10).map(\.event.kind).contains(.deadLettered))
        #expect(try store.undeliveredNotifications().map(\.state) == [.failed])
    }

    /// An output that never answers until cancelled (a server holding the connection).
    struct StuckOutput: Output {
        let id: String
        func send(_ notification: RenderedNotification, session: Void) async -> DeliveryOutcome {
            try? await Task.sleep(for: .seconds(600))
            return .retry(after: nil, reason: "cancelled at the deadline")
        }
    }

    @Test func aStuckOutputCannotHoldTheRunPastTheDeliveryDeadline() async throws {
        let store = try store()
        let stuck = StuckOutput(id: "stuck")
        let room = ProbeOutput(id: "room")
        let now = Date()
        let runID = try enqueue(250, to: [stuck, room], in: store, at: now)
        var engine = engine(store, [stuck, room], policies: ["stuck": DeliveryPolicy(concurrency: 1)], runID: runID)
        engine = DeliveryEngine(
            store: store, outputs: engine.outputs, policies: engine.policies,
            context: DeliveryContext(
                curl: curl, logger: engine.context.logger, configDirectory: directory,
                deadline: .now + .milliseconds(500)),
            runID: runID)
        let started = ContinuousClock.now
        let summary = try await engine.deliverDue(at: now)
        #expect(ContinuousClock.now - started < .seconds(60), "the stuck output would take 10 minutes")
        #expect(summary.byOutput["room"]?.delivered == 250, "the other output is not held up")
        #expect(summary.retrying == 100, "the running batch is cancelled and retried later")
        let left = try store.undeliveredNotifications()
        #expect(left.count == 250, "nothing lost: 100 retrying, 150 never started and still due")
    }

    @Test func deadLettersOfAlertsDoNotCascade() async throws {
        let store = try store()
        let first = ProbeOutput(id: "a", outcome: .failed(reason: "down"))
        let second = ProbeOutput(id: "b", outcome: .failed(reason: "down"))
        let now = Date()
        let runID = try enqueue(1, to: [first, second], in: store, at: now)
        let summary = try await engine(store, [first, second], runID: runID).deliverDue(at: now)
        // Two originals fail (two alerts, one to each other output); the two alerts fail and raise nothing.
        #expect(summary.deadLettered.count == 4)
        #expect(summary.alertsQueued == 2)
        #expect(try store.events(limit: 10).filter { $0.event.kind == .deadLettered }.count == 2)
    }

    @Test func transientFailuresAreRetriedThenGivenUp() async throws {
        let store = try store()
        let flaky = ProbeOutput(id: "hook", outcome: .retry(after: .seconds(120), reason: "503"))
        let policy = DeliveryPolicy(retry: RetryPolicy(initialDelay: .seconds(60), giveUpAfter: .seconds(3600)))
        let now = Date()
        let runID = try enqueue(1, to: [flaky], in: store, at: now)
        let engine = engine(store, [flaky], policies: ["hook": policy], runID: runID)

        let first = try await engine.deliverDue(at: now)
        #expect(first.retrying == 1)
        let pending = try #require(try store.undeliveredNotifications().first)
        #expect(pending.state == .pending)
        #expect(pending.nextAttemptAt.timeIntervalSince(now) >= 119, "Retry-After is honoured")
        #expect(pending.lastError == "503")

        #expect(try await engine.deliverDue(at: now.addingTimeInterval(60)).retrying == 0, "not due yet")
        let late = try await engine.deliverDue(at: now.addingTimeInterval(4000))
        #expect(late.deadLettered.count == 1)
        #expect(late.deadLettered.first?.reason.hasPrefix("gave up after 2 attempts: 503") == true)
        #expect(flaky.received.count == 2)
        #expect(Set(flaky.received.map(\.idempotencyKey)).count == 1)
    }

    @Test func eachOutputKeepsToItsConcurrencyAndNeverWaitsForAnother() async throws {
        let store = try store()
        let slow = ProbeOutput(id: "slow", delay: .milliseconds(200))
        let fast = ProbeOutput(id: "fast")
        let now = Date()
        let runID = try enqueue(100, to: [slow, fast], in: store, at: now)
        let policies = [
            "slow": DeliveryPolicy(concurrency: 2, batchSize: 10), "fast": DeliveryPolicy(concurrency: 3, batchSize: 5),
        ]
        let summary = try await engine(store, [slow, fast], policies: policies, runID: runID).deliverDue(at: now)
        #expect(summary.delivered == 200)
        #expect(slow.maxRunning == 2)
        #expect(fast.maxRunning <= 3)
        #expect(fast.received.count == 100)
        #expect(try store.undeliveredNotifications().isEmpty)
    }

    @Test func failedRowsCanBeRetriedOrDropped() async throws {
        let store = try store()
        let broken = ProbeOutput(id: "mail", outcome: .failed(reason: "550"))
        let now = Date()
        let runID = try enqueue(3, to: [broken], in: store, at: now)
        _ = try await engine(store, [broken], runID: runID).deliverDue(at: now)
        let failed = try store.undeliveredNotifications()
        #expect(failed.count == 3)
        #expect(try store.drop(id: failed[0].notification.id))
        #expect(try store.drop(id: failed[0].notification.id) == false)
        #expect(try store.retry(ids: [failed[1].notification.id]) == 1)
        #expect(try store.undeliveredNotifications().map(\.state) == [.pending, .failed])
        #expect(try store.retry() == 1)
        #expect(try store.undeliveredNotifications().map(\.state) == [.pending, .pending])
    }

    @Test func keysAreStablePerRecipientAndSafeAsMessageIDs() {
        let first = IdempotencyKey.make(eventID: "e1", outputID: "mail", recipient: "Mairie@Lyon.fr")
        #expect(first == IdempotencyKey.make(eventID: "e1", outputID: "mail", recipient: "mairie@lyon.fr"))
        #expect(first != IdempotencyKey.make(eventID: "e1", outputID: "mail", recipient: "ngo@example.org"))
        #expect(first.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" })
        #expect(IdempotencyKey.make(eventID: "e1", outputID: "room", recipient: nil) == "e1.room")
    }
}
