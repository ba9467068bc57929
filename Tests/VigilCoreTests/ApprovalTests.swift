import Curl
import Foundation
import Logging
import Testing

@testable import VigilCore

/// `confirm: {"approval": true}`: a transition held until a team member approves or rejects it.
@Suite struct ApprovalTests {
    static func rules(_ confirm: String) -> String {
        """
        [{"id": "release", "when": "has(change.status) && change.status.to == 'released'", "notify": "recipient:lyon",
          "via": "mail", "confirm": \(confirm)},
         {"id": "team", "when": "event.kind == 'approval_requested'", "notify": "outputs", "via": "room"}]
        """
    }

    /// Person 1 detained on day 0, released by the ministry on day 1.
    func heldRelease(_ confirm: String = #"{"approval": true}"#, crosswalk: Bool = false) async throws
        -> RulesFixture
    {
        let fixture = try RulesFixture(
            rules: Self.rules(confirm), extra: crosswalk ? #""people": {"crosswalk": "people.csv"},"# : "",
            crosswalk: crosswalk ? "person,source,key\nP1,ministry,1\nP1,ngo,1\n" : nil)
        try fixture.write("ministry", fixture.people(["1": "detained"]))
        try fixture.write("ngo", fixture.people(["1": "detained"]))
        try await fixture.run(day: 0)
        try fixture.write("ministry", fixture.people(["1": "released"]))
        try await fixture.run(day: 1)
        return fixture
    }

    /// What `vigil approve` runs after storing the decision: a run that fetches nothing.
    func releaseRun(_ fixture: RulesFixture, day: Double) async throws -> RunReport {
        try await WatchCycle(
            configuration: fixture.configuration, store: fixture.store, curl: fixture.curl,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ).run(options: WatchCycle.Options(now: fixture.start.addingTimeInterval(day * RulesFixture.day), sources: []))
    }

    func queue(_ fixture: RulesFixture) -> HeldQueue {
        HeldQueue(configuration: fixture.configuration, store: fixture.store)
    }

    @Test func anApprovedReleaseIsSentOnceWithTheHeldEventsKeys() async throws {
        let fixture = try await heldRelease()
        #expect(fixture.mail.notifications.isEmpty, "held: nothing sent to the sponsor")
        // The team is told once, with who, what and how many would be told; no record attached.
        let notices = fixture.room.notifications
        #expect(notices.count == 1)
        #expect(notices.first?.subject == "Held for approval: Person 1")
        #expect(notices.first?.text.contains("status \"released\" of Person 1 reported by source ministry") == true)
        #expect(notices.first?.text.contains("1 recipient would be told") == true, "\(notices.first?.text ?? "")")
        let items = try queue(fixture).items()
        #expect(items.count == 1)
        let item = try #require(items.first)
        #expect(item.awaitsApproval && item.waitingFor == "approval")
        #expect(item.wouldNotify.map(\.recipient) == ["mairie@lyon.example"])
        #expect(notices.first?.text.contains("held as \(item.id)") == true)

        // Later runs keep it held and do not announce it again.
        try await fixture.run(day: 2)
        #expect(fixture.room.notifications.count == 1 && fixture.mail.notifications.isEmpty)

        let outcome = try queue(fixture).approve(
            item.id, by: "alice", at: fixture.start.addingTimeInterval(2.5 * 86_400))
        guard case .approved(let decision) = outcome else {
            Issue.record("expected an approval, got \(outcome)")
            return
        }
        #expect(decision.by == "alice" && decision.verdict == .approved)
        #expect(fixture.mail.notifications.isEmpty, "the decision alone sends nothing")
        let report = try await releaseRun(fixture, day: 2.5)
        #expect(report.delivered == 1)
        let sent = fixture.mail.notifications
        #expect(sent.map(\.recipient) == ["mairie@lyon.example"])
        #expect(sent.first?.eventID == item.transition.eventID, "the held event's notification, keys and all")
        #expect(sent.first?.idempotencyKey == item.wouldNotify.first?.idempotencyKey)
        #expect(try fixture.store.heldTransitions().isEmpty)
        #expect(try fixture.store.holdDecisions(records: [item.transition.record]).map(\.verdict) == [.approved])

        // Approving twice: refused, naming the first decision; nothing sent again.
        #expect(throws: HeldQueueError.alreadyDecided(item.id, decision)) {
            try queue(fixture).approve(item.id, by: "bob")
        }
        try await fixture.run(day: 3)
        _ = try await releaseRun(fixture, day: 3.5)
        #expect(fixture.mail.notifications.count == 1, "sent once")
    }

    @Test func aRejectedReleaseIsNeverSentAndItsReasonIsKept() async throws {
        let fixture = try await heldRelease()
        let id = try #require(try queue(fixture).items().first?.id)
        #expect(throws: HeldQueueError.reasonRequired) { try queue(fixture).reject(id, by: "alice", reason: "  ") }
        #expect(try fixture.store.heldTransitions().count == 1, "a refused decision changes nothing")
        let outcome = try queue(fixture).reject(
            id, by: "alice", reason: "the family says he is still held",
            at: fixture.start.addingTimeInterval(1.5 * 86_400))
        guard case .rejected(let decision) = outcome else {
            Issue.record("expected a rejection, got \(outcome)")
            return
        }
        #expect(try fixture.store.heldTransitions().isEmpty)
        for day in 2...4 { try await fixture.run(day: day) }
        #expect(fixture.mail.notifications.isEmpty, "rejected: never sent")
        #expect(try fixture.store.holdDecisions(records: nil) == [decision])
        #expect(decision.reason == "the family says he is still held")
        #expect(throws: HeldQueueError.alreadyDecided(id, decision)) { try queue(fixture).approve(id, by: "bob") }
    }

    @Test func aRecordThatChangesAgainWithdrawsTheHoldAndCannotBeApproved() async throws {
        let fixture = try await heldRelease()
        let id = try #require(try queue(fixture).items().first?.id)
        try fixture.write("ministry", fixture.people(["1": "detained"]))
        try await fixture.run(day: 2)
        #expect(try fixture.store.heldTransitions().isEmpty)
        let withdrawn = try #require(try fixture.store.holdDecisions(records: nil).first)
        #expect(withdrawn.verdict == .withdrawn && withdrawn.by == HoldDecision.automatic)
        #expect(throws: HeldQueueError.alreadyDecided(id, withdrawn)) { try queue(fixture).approve(id, by: "alice") }
        _ = try await releaseRun(fixture, day: 2.5)
        #expect(fixture.mail.notifications.isEmpty)

        // Released again: a new hold, a new notice, approvable on its own.
        try fixture.write("ministry", fixture.people(["1": "released"]))
        try await fixture.run(day: 3)
        let again = try #require(try queue(fixture).items().first)
        #expect(again.id != id && again.transition.approval == nil)
        #expect(fixture.room.notifications.count == 2)
        _ = try queue(fixture).approve(again.id, by: "alice")
        _ = try await releaseRun(fixture, day: 3.5)
        #expect(fixture.mail.notifications.count == 1)
    }

    @Test func anApprovalSurvivesARestart() async throws {
        let fixture = try await heldRelease()
        let id = try #require(try queue(fixture).items().first?.id)
        // Another process: a new store on the same state directory, a new queue.
        let reopened = try SQLiteStateStore(directory: fixture.directory + "/state")
        let queue = HeldQueue(configuration: fixture.configuration, store: reopened)
        #expect(try queue.items().map(\.id) == [id])
        _ = try queue.approve(String(id.prefix(6)), by: "alice")
        _ = try await releaseRun(fixture, day: 1.5)
        #expect(fixture.mail.notifications.map(\.recipient) == ["mairie@lyon.example"])
    }

    @Test func anEarlyApprovalWaitsForTheRunsItsRuleAsks() async throws {
        let fixture = try await heldRelease(#"{"runs": 3, "approval": true}"#)
        #expect(fixture.room.notifications.isEmpty, "not announced before the runs confirm it")
        let item = try #require(try queue(fixture).items().first)
        #expect(!item.awaitsApproval && item.waitingFor == "seen in 3 consecutive runs, then approved by the team")
        _ = try queue(fixture).approve(item.id, by: "alice")
        #expect(throws: HeldQueueError.self) { try queue(fixture).approve(item.id, by: "bob") }
        _ = try await releaseRun(fixture, day: 1.5)
        #expect(fixture.mail.notifications.isEmpty, "approved, but seen in one run only")
        try await fixture.run(day: 2)
        #expect(fixture.mail.notifications.isEmpty)
        try await fixture.run(day: 3)
        #expect(fixture.mail.notifications.count == 1, "third run: confirmed and approved")
        #expect(fixture.room.notifications.isEmpty, "approved before it waited: no notice")
    }

    @Test func runsThenApprovalAnnouncesOnceTheRunsConfirm() async throws {
        let fixture = try await heldRelease(#"{"runs": 2, "approval": true}"#)
        #expect(fixture.room.notifications.isEmpty)
        try await fixture.run(day: 2)
        #expect(fixture.room.notifications.count == 1 && fixture.mail.notifications.isEmpty)
        try await fixture.run(day: 3)
        #expect(fixture.room.notifications.count == 1, "announced once")
        let id = try #require(try queue(fixture).items().first?.id)
        _ = try queue(fixture).approve(id, by: "alice")
        _ = try await releaseRun(fixture, day: 3.5)
        #expect(fixture.mail.notifications.count == 1, "runs already counted: released at once")
    }

    @Test func oneApprovalCoversThePersonsOtherSources() async throws {
        let fixture = try await heldRelease(#"{"approval": true}"#, crosswalk: true)
        // Two days later (past the one-day fold window), the NGO reports the release too.
        try await fixture.run(day: 2)
        try fixture.write("ngo", fixture.people(["1": "released"]))
        try await fixture.run(day: 3)
        #expect(try fixture.store.heldTransitions().count == 2, "one hold per source")
        #expect(fixture.room.notifications.count == 1, "one notice per person")
        let id = try #require(try queue(fixture).items().first?.id)
        _ = try queue(fixture).approve(id, by: "alice")
        _ = try await releaseRun(fixture, day: 3.5)
        #expect(fixture.mail.notifications.count == 1, "one release told once")
        #expect(try fixture.store.heldTransitions().isEmpty)
    }

    @Test func aReleaseThatWouldTellNobodyWaitsForNoDecision() async throws {
        let rules = """
            [{"id": "release", "when": "has(change.status) && change.status.to == 'released'", "notify": "sponsors",
              "via": "mail", "confirm": {"approval": true}},
             {"id": "team", "when": "event.kind == 'approval_requested'", "notify": "outputs", "via": "room"}]
            """
        let fixture = try RulesFixture(rules: rules)
        try fixture.write("ministry", fixture.people(["1": "detained", "9": "detained"]))
        try await fixture.run(day: 0)
        try fixture.write("ministry", fixture.people(["1": "released", "9": "released"]))
        try await fixture.run(day: 1)
        // Person 9 has no sponsor: nothing to approve, no notice.
        #expect(try fixture.store.heldTransitions().map(\.key) == ["1"])
        #expect(fixture.room.notifications.map(\.subject) == ["Held for approval: Person 1"])
    }

    @Test func decisionsNeedAHeldApprovalAndAnUnambiguousId() async throws {
        let fixture = try await heldRelease(#"{"runs": 3}"#)
        let id = try #require(try queue(fixture).items().first?.id)
        #expect(throws: HeldQueueError.needsNoApproval(id, "seen in 3 consecutive runs")) {
            try queue(fixture).approve(id, by: "alice")
        }
        #expect(throws: HeldQueueError.tooShort("ab")) { try queue(fixture).approve("ab", by: "alice") }
        #expect(throws: HeldQueueError.unknown("ffffffff")) {
            try queue(fixture).approve(id.hasPrefix("ffff") ? "eeeeeeee" : "ffffffff", by: "alice")
        }
    }
}
