import Curl
import Foundation
import Logging
import Testing

@testable import VigilCore

/// The same contract checked against every ``StateStore``: SQLite on disk and the
/// in-memory twin, so the pipeline can trust either (and a third must pass these too).
@Suite struct StateStoreContractTests {
    enum Kind: String, CaseIterable, CustomTestStringConvertible {
        case sqlite, memory
        var testDescription: String { rawValue }
    }

    /// A fresh store of `kind`, removed when the test ends.
    static func withStore<T>(_ kind: Kind, _ body: (any StateStore) async throws -> T) async throws -> T {
        switch kind {
        case .memory:
            return try await body(MemoryStateStore())
        case .sqlite:
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-contract-\(UUID())")
                .path
            defer { try? FileManager.default.removeItem(atPath: directory) }
            return try await body(try SQLiteStateStore(directory: directory))
        }
    }

    let now = Date(timeIntervalSince1970: 1_702_512_000)

    func person(_ key: Int, _ status: String = "detained", visit: String? = nil) -> Record {
        Record(
            key: "VG-\(key)", name: "Person \(key)", status: DetaineeStatus(stored: status),
            fields: visit.map { ["visit": $0] } ?? [:])
    }

    func queued(_ key: String, event: Event, output: String = "mail") -> QueuedNotification {
        QueuedNotification(
            idempotencyKey: key, eventID: event.id, outputID: output, recipient: "a@example.org", subject: "s",
            text: "t")
    }

    /// A first run: health, records, an event, two notifications (one for a digest), a
    /// held transition, a deadline watch and a push id.
    func firstRun() -> (ChangeSet, Event) {
        var changes = ChangeSet(startedAt: now)
        var state = SourceState(id: "list")
        state.baselineAt = now
        state.recordCount = 2
        changes.sources = [state]
        changes.records["list"] = RecordWrites(upserts: [person(1, visit: "2023-11-01"), person(2)])
        let event = Event(kind: .added, sourceID: "list", at: now, record: person(2))
        changes.events = [event]
        var digest = queued("k-digest", event: event)
        digest.digest = DigestItem(
            recipientID: "lyon", outputID: "mail", address: nil, window: 3600, template: "default")
        var realert = queued("k-1", event: event)
        realert.realert = RealertMark(rule: "r", recipient: "lyon", source: "list", key: "VG-2")
        changes.notifications = [realert, digest]
        changes.holds.held = [
            HeldTransition(
                ruleID: "r", sourceID: "list", key: "VG-2", eventID: event.id, status: "detained", runsSeen: 1,
                heldSince: now)
        ]
        changes.deadlines.rebuilds["visit"] = "visit overdue 35d"
        changes.deadlines.configured = ["visit"]
        changes.deadlines.watches = [
            DeadlineWatchRow(
                deadlineID: "visit", sourceID: "list", key: "VG-1",
                watch: Deadline.Watch(value: "2023-11-01", dueAt: now.addingTimeInterval(60), expiresAt: nil))
        ]
        changes.pushes = [PushReceipt(id: "msg_1", sourceID: "list")]
        return (changes, event)
    }

    @Test(arguments: Kind.allCases) func aCommitIsReadBackWhole(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            let (changes, event) = firstRun()
            let runID = try store.commit(changes)
            #expect(runID == 1)
            #expect(try store.sourceStates()["list"]?.recordCount == 2)
            #expect(try store.records(source: "list").map(\.record.key) == ["VG-1", "VG-2"])
            #expect(try store.storedDigests(source: "list")["VG-2"] == person(2).canonicalDigest)
            #expect(try store.storedDigests(source: "list", keys: ["VG-2", "VG-9"]).keys.sorted() == ["VG-2"])
            #expect(
                try store.storedContents(source: "list", keys: ["VG-1"])["VG-1"]
                    == person(1, visit: "2023-11-01").canonicalEncoding)
            #expect(try store.event(id: event.id)?.record?.key == "VG-2")
            #expect(try store.events(limit: 10).map(\.runID) == [1])
            #expect(try store.reportedKeys() == ["VG-1", "VG-2"])
            #expect(try store.hasReceivedPush(id: "msg_1"))
            #expect(try store.dueNotifications(at: now).map(\.notification.idempotencyKey) == ["k-1"])
            #expect(try store.dueNotifications(at: now).first?.notification.event?.id == event.id)
            #expect(try store.digestItems().map(\.idempotencyKey) == ["k-digest"])
            #expect(try !store.hasDueDigestItems(at: now))
            #expect(try store.hasDueDigestItems(at: now.addingTimeInterval(3600)))
            #expect(try store.heldTransitions().map(\.key) == ["VG-2"])
            #expect(
                try store.lastNotified(RealertMark(rule: "r", recipient: "lyon", source: "list", key: "VG-2")) == now)
            #expect(
                try store.lastNotified(RealertMark(rule: "r", recipient: "lyon", source: "list", key: "VG-1")) == nil)
            #expect(try store.deadlineSpecifications() == ["visit": "visit overdue 35d"])
            #expect(try store.dueDeadlines(at: now).isEmpty)
            #expect(try store.dueDeadlines(at: now.addingTimeInterval(60)).map(\.record.key) == ["VG-1"])
        }
    }

    @Test(arguments: Kind.allCases) func aReplayedPushChangesNothing(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            try store.commit(firstRun().0)
            var replay = ChangeSet(startedAt: now.addingTimeInterval(10))
            replay.records["list"] = RecordWrites(deletions: ["VG-1", "VG-2"])
            replay.events = [Event(kind: .removed, sourceID: "list", at: now, record: person(1))]
            replay.pushes = [PushReceipt(id: "msg_1", sourceID: "list")]
            #expect(throws: StateError.duplicatePush(id: "msg_1")) { try store.commit(replay) }
            #expect(try store.records(source: "list").count == 2, "the whole change set was refused")
            #expect(try store.events(limit: 10).count == 1)
        }
    }

    @Test(arguments: Kind.allCases) func followUpsChangeAsTheRulesSay(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            let (first, event) = firstRun()
            try store.commit(first)
            var next = ChangeSet(startedAt: now.addingTimeInterval(120))
            next.runID = 1
            next.holds.released = [HeldTransition.ID(ruleID: "r", sourceID: "list", key: "VG-2")]
            next.deadlines.fired = [DeadlineWatchRow(deadlineID: "visit", sourceID: "list", key: "VG-1", watch: nil)]
            next.consumedDigestItems = try store.digestItems().map(\.sequence)
            next.notifications = [queued("k-1", event: event), queued("k-2", event: event)]  // k-1 is queued already
            #expect(try store.commit(next) == 1)
            #expect(try store.heldTransitions().isEmpty)
            #expect(try store.digestItems().isEmpty)
            #expect(try store.dueDeadlines(at: now.addingTimeInterval(120)).isEmpty, "fired once")
            #expect(
                try store.dueNotifications(at: now.addingTimeInterval(120)).map(\.notification.idempotencyKey) == [
                    "k-1", "k-2",
                ])

            // A changed value re-arms the watch; the same value keeps it fired.
            var same = ChangeSet(startedAt: now.addingTimeInterval(180))
            same.deadlines.watches = [
                DeadlineWatchRow(
                    deadlineID: "visit", sourceID: "list", key: "VG-1",
                    watch: Deadline.Watch(value: "2023-11-01", dueAt: now.addingTimeInterval(60), expiresAt: nil))
            ]
            try store.commit(same)
            #expect(try store.dueDeadlines(at: now.addingTimeInterval(180)).isEmpty)
            var changed = same
            changed.deadlines.watches[0].watch?.value = "2023-12-01"
            try store.commit(changed)
            #expect(try store.dueDeadlines(at: now.addingTimeInterval(180)).map(\.value) == ["2023-12-01"])
        }
    }

    @Test(arguments: Kind.allCases) func outcomesMoveOutboxRowsAndDeadLettersRaiseAlerts(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            var changes = ChangeSet(startedAt: now)
            let event = Event(kind: .changed, sourceID: "list", at: now, record: person(1, "released"))
            changes.events = [event]
            changes.notifications = (1...4).map { queued("k-\($0)", event: event) }
            let runID = try store.commit(changes)
            let ids = try store.dueNotifications(at: now).map(\.notification.id)
            let policy = RetryPolicy(initialDelay: .seconds(60), maxDelay: .seconds(60), giveUpAfter: .seconds(3600))
            let summary = try store.recordOutcomes(
                [
                    (ids[0], .delivered), (ids[1], .retry(after: nil, reason: "busy")),
                    (ids[2], .failed(reason: "550 no such user")), (ids[3], .abandoned(reason: "gone")),
                ], at: now, policy: policy, runID: runID,
                alert: { deadLetter in
                    let alert = Event(kind: .deadLettered, sourceID: deadLetter.sourceID, at: now, message: "dead")
                    return (alert, [self.queued("alert-\(deadLetter.outboxID)", event: alert, output: "room")])
                })
            #expect(summary.delivered == 1 && summary.retrying == 1 && summary.abandoned == 1)
            #expect(summary.deadLettered.map(\.reason) == ["550 no such user"])
            #expect(summary.deadLettered.first?.eventKind == .changed)
            #expect(summary.alertsQueued == 1)
            #expect(try store.dueNotifications(at: now).map(\.notification.outputID) == ["room"])
            let later = try store.dueNotifications(at: now.addingTimeInterval(60))
            #expect(later.map(\.notification.idempotencyKey) == ["k-2", "alert-\(ids[2])"])
            #expect(later.first?.attempts == 1 && later.first?.lastError == "busy")
            #expect(try store.undeliveredNotifications().map(\.state) == [.pending, .failed, .failed, .pending])
            #expect(try store.retry(ids: [ids[2]], at: now) == 1)
            #expect(try store.drop(id: ids[3]))
            #expect(try !store.drop(id: ids[0]), "a delivered row cannot be dropped")
            #expect(try store.undeliveredNotifications().map(\.state) == [.pending, .pending, .pending])
        }
    }

    @Test func aWholeRunWorksOnTheMemoryStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-memory-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let file = directory + "/list.csv"
        let output = InMemoryOutput(id: "memory")
        let source = SourceConfiguration(
            id: "list", location: .file(file), type: "csv", reader: CSVSourceReader(delimiter: ","),
            mapping: FieldMapping(key: ["id"], name: ["name"], status: "status"))
        let configuration = Configuration(
            file: directory + "/config.json", directory: directory, sources: [source], outputs: [output],
            stateDirectory: directory)
        let curl = CurlEngine()
        defer { curl.shutdown() }
        let store = MemoryStateStore()
        let cycle = WatchCycle(
            configuration: configuration, store: store, curl: curl,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        try Data("id,name,status\n1,A,detained\n2,B,detained\n".utf8).write(to: URL(fileURLWithPath: file))
        #expect(try await cycle.run().events == 0)
        try Data("id,name,status\n1,A,released\n2,B,detained\n".utf8).write(to: URL(fileURLWithPath: file))
        let report = try await cycle.run()
        #expect(report.delivered == 1)
        #expect(output.notifications.map { $0.event?.kind } == [.changed])
        #expect(try store.records(source: "list").first?.record.status.description == "released")
    }

    @Test(arguments: Kind.allCases)
    func peopleDecisionsAreStoredAndReadBack(kind: Kind) async throws {
        try await Self.withStore(kind) { store in
            let a = RecordRef(sourceID: "hy", key: "1")
            let b = RecordRef(sourceID: "ru", key: "A")
            let c = RecordRef(sourceID: "en", key: "x")
            var changes = ChangeSet(startedAt: now)
            changes.people.links = [
                PersonLink(
                    record: a, personID: "P-1", origin: .crosswalk, decidedBy: "crosswalk people.csv:2", decidedAt: now),
                PersonLink(record: b, personID: "P-1", origin: .automatic, decidedBy: "vigil", decidedAt: now),
            ]
            changes.people.names = ["P-1": "Ruben Vardanyan"]
            changes.people.proposals = [
                LinkProposal(
                    pair: RecordPair(a, c), score: 0.93, reasons: ["surname vardanyan agrees"], proposedAt: now),
                LinkProposal(pair: RecordPair(b, c), score: 0.91, reasons: [], proposedAt: now),
            ]
            changes.people.conflicts = [
                PersonConflict(personID: "P-1", statuses: "hy=released; ru=detained", eventID: "e1", raisedAt: now)
            ]
            changes.people.told = [
                PersonChange(personID: "P-1", signature: "status:released", eventID: "e1", sourceID: "hy", at: now)
            ]
            try store.commit(changes)
            #expect(try store.personLinks().map(\.record) == [a, b])
            #expect(try store.personLinks().map(\.origin) == [.crosswalk, .automatic])
            #expect(try store.personNames() == ["P-1": "Ruben Vardanyan"])
            #expect(try store.linkProposals(state: .pending).map(\.score) == [0.93, 0.91])
            #expect(try store.personConflicts()["P-1"]?.statuses == "hy=released; ru=detained")
            #expect(try store.toldChanges(since: now).map(\.eventID) == ["e1"])
            #expect(try store.toldChanges(since: now.addingTimeInterval(1)).isEmpty)

            // A decision replaces the pending row; proposing the pair again changes nothing.
            let id = try #require(try store.linkProposals(state: .pending).first?.id)
            var decision = PeopleChanges()
            decision.proposals = [
                LinkProposal(
                    pair: RecordPair(c, a), score: 0, reasons: [], state: .rejected, proposedAt: now, decidedBy: "anna",
                    decidedAt: now)
            ]
            decision.unlinks = [b]
            decision.resolvedConflicts = ["P-1"]
            decision.decisions = [
                PersonDecision(at: now, by: "anna", action: .reject, personID: "P-1", records: [a, c])
            ]
            try store.decide(decision, at: now)
            var again = ChangeSet(startedAt: now)
            again.people.proposals = [LinkProposal(pair: RecordPair(a, c), score: 0.99, reasons: [], proposedAt: now)]
            try store.commit(again)
            let rejected = try store.linkProposals(state: .rejected)
            #expect(rejected.map(\.id) == [id] && rejected.first?.decidedBy == "anna")
            #expect(try store.linkProposals(state: .pending).count == 1)
            #expect(try store.personLinks().map(\.record) == [a])
            #expect(try store.personConflicts().isEmpty)
            #expect(try store.personDecisions().map(\.records) == [[a, c]])
        }
    }
}
