import Curl
import Foundation
import Logging
import Testing

@testable import VigilCore

/// Runs of a rules configuration over two local sources, on simulated days.
final class RulesFixture {
    let directory: String
    let curl = CurlEngine()
    let store: any StateStore
    let mail = InMemoryOutput(
        id: "mail", capabilities: OutputCapabilities(templateKind: TemplateKind(name: "email", html: true)))
    let room = InMemoryOutput(
        id: "room", capabilities: OutputCapabilities(templateKind: TemplateKind(name: "matrix", html: true)))
    let configuration: Configuration
    static let day: TimeInterval = 86_400
    let start = Date(timeIntervalSince1970: 1_764_547_200)  // 2025-12-01T00:00:00Z

    /// `crosswalk`: the CSV written to `people.csv` (name it in `extra` as `"people": {"crosswalk": "people.csv"}`).
    init(rules: String, extra: String = "", crosswalk: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-rules-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if let crosswalk { try crosswalk.write(toFile: directory + "/people.csv", atomically: true, encoding: .utf8) }
        let text = """
            {"sources": [
               {"id": "ministry", "type": "json", "path": "ministry.json", "records": "$[*]", "key": "id", "name": "name",
                "status": "status", "fields": {"lastIcrcVisit": "visit", "nextHearing": "hearing"}},
               {"id": "ngo", "type": "json", "path": "ngo.json", "records": "$[*]", "key": "id", "name": "name",
                "status": "status"}],
             "outputs": [{"id": "mail", "type": "stdout"}, {"id": "room", "type": "stdout"}],
             "recipients": [
               {"id": "lyon", "name": "Ville de Lyon", "language": "fr", "contacts": {"mail": "mairie@lyon.example"},
                "sponsors": {"keys": ["1", "2", "3"]}},
               {"id": "digest-reader", "name": "Weekly", "contacts": {"mail": "weekly@example.org"},
                "sponsors": {"keys": ["1", "2", "3"]}, "preferences": {"digest": "7d"}}
             ],
             \(extra)
             "rules": \(rules)}
            """
        try text.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        var configuration = try Configuration.load(path: directory + "/config.json")
        configuration.outputs = [mail, room]
        self.configuration = configuration
        store = try SQLiteStateStore(directory: directory + "/state")
    }

    deinit {
        curl.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Writes a source's people: id → (status, visit, hearing).
    func write(_ source: String, _ people: [String: (status: String, visit: String?, hearing: String?)]) throws {
        let items = people.keys.sorted().map { id -> String in
            let person = people[id]!
            var item = #"{"id": "\#(id)", "name": "Person \#(id)", "status": "\#(person.status)""#
            if let visit = person.visit { item += #", "visit": "\#(visit)""# }
            if let hearing = person.hearing { item += #", "hearing": "\#(hearing)""# }
            return item + "}"
        }
        try ("[" + items.joined(separator: ",") + "]").write(
            toFile: directory + "/\(source).json", atomically: true, encoding: .utf8)
    }

    @discardableResult
    func run(day: Int) async throws -> RunReport {
        let cycle = WatchCycle(
            configuration: configuration, store: store, curl: curl,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await cycle.run(options: WatchCycle.Options(now: start.addingTimeInterval(Double(day) * Self.day)))
    }

    func people(_ statuses: [String: String]) -> [String: (status: String, visit: String?, hearing: String?)] {
        statuses.mapValues { ($0, nil, nil) }
    }
}

@Suite struct FollowUpTests {
    static let releaseRule = """
        [{"id": "release", "when": "has(change.status) && change.status.to == 'released'", "notify": "sponsors",
          "via": "mail", "confirm": {"runs": 3}},
         {"id": "room", "when": "event.kind != 'changed' || change.status.to != 'released'", "notify": "outputs", "via": "room"}]
        """

    @Test func aReleaseIsHeldUntilSeenInThreeConsecutiveRuns() async throws {
        let fixture = try RulesFixture(rules: Self.releaseRule)
        try fixture.write("ministry", fixture.people(["1": "detained", "2": "detained"]))
        try fixture.write("ngo", fixture.people(["1": "detained"]))
        try await fixture.run(day: 0)
        try fixture.write("ministry", fixture.people(["1": "released", "2": "released"]))
        try await fixture.run(day: 1)
        #expect(fixture.mail.notifications.isEmpty, "held, not notified")
        #expect(try fixture.store.heldTransitions().count == 2)
        // Person 2 goes back to detained: an announced release that did not happen.
        try fixture.write("ministry", fixture.people(["1": "released", "2": "detained"]))
        try await fixture.run(day: 2)
        #expect(fixture.mail.notifications.isEmpty)
        #expect(try fixture.store.heldTransitions().map(\.key) == ["1"])
        try await fixture.run(day: 3)
        let sent = fixture.mail.notifications
        // Lyon hears at once after confirmation; the digest reader's copy waits for the digest.
        #expect(sent.map(\.recipient) == ["mairie@lyon.example"], "\(sent.map(\.recipient))")
        #expect(sent.first?.subject == "Person 1 : détenu(e) → libéré(e)")
        #expect(try fixture.store.heldTransitions().isEmpty)
        try await fixture.run(day: 4)
        #expect(fixture.mail.notifications.count == 1, "released once")
    }

    /// Person 1 listed as detained on day 0, released by the ministry on day 1: held by `release`.
    func heldRelease() async throws -> RulesFixture {
        let fixture = try RulesFixture(rules: Self.releaseRule)
        try fixture.write("ministry", fixture.people(["1": "detained"]))
        try fixture.write("ngo", fixture.people(["1": "detained"]))
        try await fixture.run(day: 0)
        try fixture.write("ministry", fixture.people(["1": "released"]))
        try await fixture.run(day: 1)
        return fixture
    }

    @Test func aHoldIsDroppedWhenNoRuleConfirmsAnyMore() async throws {
        let fixture = try await heldRelease()
        #expect(try fixture.store.heldTransitions().count == 1)
        let unconfirmed = try RulesFixture(
            rules: #"[{"id": "room", "when": "true", "notify": "outputs", "via": "room"}]"#)
        let cycle = WatchCycle(
            configuration: unconfirmed.configuration, store: fixture.store, curl: fixture.curl,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        _ = try await cycle.run(
            options: WatchCycle.Options(now: fixture.start.addingTimeInterval(2 * RulesFixture.day)))
        #expect(try fixture.store.heldTransitions().isEmpty, "the rule that held it is gone")
    }

    @Test func aFailingSourceNeitherConfirmsNorCancels() async throws {
        let fixture = try await heldRelease()
        try "<html>maintenance</html>".write(
            toFile: fixture.directory + "/ministry.json", atomically: true, encoding: .utf8)
        try await fixture.run(day: 2)
        try await fixture.run(day: 3)
        #expect(fixture.mail.notifications.isEmpty)
        #expect(try fixture.store.heldTransitions().first?.runsSeen == 1)
        try fixture.write("ministry", fixture.people(["1": "released"]))
        try await fixture.run(day: 4)
        try await fixture.run(day: 5)
        #expect(fixture.mail.notifications.count == 1)
    }

    @Test func aReleaseReportedByTwoSourcesIsConfirmed() async throws {
        let rules = """
            [{"id": "release", "when": "has(change.status) && change.status.to == 'released'", "notify": "recipient:lyon",
              "via": "mail", "confirm": {"sources": 2}}]
            """
        // Two sources count for one person once the team links their records.
        let fixture = try RulesFixture(
            rules: rules, extra: #""people": {"crosswalk": "people.csv"},"#,
            crosswalk: "person,source,key\nP1,ministry,1\nP1,ngo,1\n")
        try fixture.write("ministry", fixture.people(["1": "detained"]))
        try fixture.write("ngo", fixture.people(["1": "detained"]))
        try await fixture.run(day: 0)
        try fixture.write("ministry", fixture.people(["1": "released"]))
        try await fixture.run(day: 1)
        try await fixture.run(day: 2)
        #expect(fixture.mail.notifications.isEmpty, "one source only")
        try fixture.write("ngo", fixture.people(["1": "released"]))
        try await fixture.run(day: 3)
        // The NGO's event is confirmed at once (two sources agree), and the ministry's held one with
        // it: one notification about one release.
        let subjects = fixture.mail.notifications.map(\.subject)
        #expect(subjects == ["Person 1 : détenu(e) → libéré(e)"], "\(subjects)")
        #expect(try fixture.store.heldTransitions().isEmpty)
    }

    @Test func deadlinesFireOnceAndReArmWhenTheFieldChanges() async throws {
        let rules = """
            [{"id": "deadlines", "when": "event.kind in ['overdue', 'upcoming']", "notify": "outputs", "via": "room"}]
            """
        let deadlines = """
            "deadlines": [{"id": "icrc-visit", "field": "lastIcrcVisit", "overdue": "35d"},
                          {"id": "hearing", "field": "nextHearing", "upcoming": "7d", "sources": ["ministry"]}],
            """
        let fixture = try RulesFixture(rules: rules, extra: deadlines)
        // Day 0 is 2025-12-01. Person 1: visited 2025-11-20 → overdue from 2025-12-25 (day 24).
        // Person 2: hearing 2025-12-20 → upcoming from 2025-12-13 (day 12) until the hearing.
        try fixture.write(
            "ministry",
            [
                "1": ("detained", "2025-11-20", nil), "2": ("on_trial", nil, "2025-12-20"),
                "3": ("detained", "2025-01-01", nil),
            ])
        try fixture.write("ngo", fixture.people(["1": "detained"]))
        try await fixture.run(day: 0)
        #expect(fixture.room.notifications.isEmpty, "the baseline is silent: person 3's old visit included")
        for day in 1...11 { try await fixture.run(day: day) }
        #expect(fixture.room.notifications.isEmpty)
        try await fixture.run(day: 12)
        #expect(fixture.room.notifications.map(\.subject) == ["Person 2: coming up (hearing)"])
        #expect(
            fixture.room.notifications.first?.text.contains("nextHearing 2025-12-20 is less than 7 days away") == true)
        for day in 13...23 { try await fixture.run(day: day) }
        #expect(fixture.room.notifications.count == 1, "fires once per occurrence")
        try await fixture.run(day: 24)
        #expect(fixture.room.notifications.map(\.subject).last == "Person 1: overdue (icrc-visit)")
        for day in 25...30 { try await fixture.run(day: day) }
        #expect(fixture.room.notifications.count == 2)
        // A visit is recorded on day 31 (2026-01-01): re-armed, overdue again 35 days later.
        try fixture.write(
            "ministry",
            [
                "1": ("detained", "2026-01-01", nil), "2": ("on_trial", nil, "2025-12-20"),
                "3": ("detained", "2025-01-01", nil),
            ])
        try await fixture.run(day: 31)
        #expect(fixture.room.notifications.count == 2, "the changed visit date is no deadline event by itself")
        try await fixture.run(day: 65)
        #expect(fixture.room.notifications.count == 2)
        try await fixture.run(day: 66)
        #expect(fixture.room.notifications.count == 3)
        #expect(try fixture.store.events(limit: 100).filter { $0.event.kind == .overdue }.count == 2)
    }

    @Test func digestsGatherARecipientsNotificationsOverTheirWindow() async throws {
        let rules = """
            [{"id": "sponsors", "when": "event.kind == 'changed'", "notify": "sponsors", "via": "mail"}]
            """
        let fixture = try RulesFixture(rules: rules)
        try fixture.write("ministry", fixture.people(["1": "detained", "2": "detained", "3": "detained"]))
        try fixture.write("ngo", fixture.people(["1": "detained"]))
        try await fixture.run(day: 0)
        try fixture.write("ministry", fixture.people(["1": "on_trial", "2": "detained", "3": "detained"]))
        try await fixture.run(day: 1)
        try fixture.write("ministry", fixture.people(["1": "sentenced", "2": "transferred", "3": "detained"]))
        try await fixture.run(day: 3)
        let weekly = { fixture.mail.notifications.filter { $0.recipient == "weekly@example.org" } }
        #expect(fixture.mail.notifications.filter { $0.recipient == "mairie@lyon.example" }.count == 3)
        #expect(weekly().isEmpty, "waiting for the 7-day window")
        // Between runs (`vigil serve`), the window's end queues the digest without a fetch.
        let cycle = WatchCycle(
            configuration: fixture.configuration, store: fixture.store, curl: fixture.curl,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        #expect(try cycle.queueDueFollowUps(at: fixture.start.addingTimeInterval(7.9 * RulesFixture.day)) == 0)
        #expect(try cycle.queueDueFollowUps(at: fixture.start.addingTimeInterval(8 * RulesFixture.day)) == 1)
        #expect(try fixture.store.undeliveredNotifications().map(\.notification.recipient) == ["weekly@example.org"])
        try await fixture.run(day: 8)
        let digest = try #require(weekly().first)
        #expect(weekly().count == 1)
        #expect(digest.subject == "3 updates from Vigil")
        #expect(digest.text.hasPrefix("Dear Weekly, 3 updates:\n"), "\(digest.text)")
        #expect(digest.text.contains("* Person 1: on trial → sentenced"), "\(digest.text)")
        #expect(digest.html?.contains("<h3>Person 2: detained → transferred</h3>") == true)
        try await fixture.run(day: 20)
        #expect(weekly().count == 1)
    }
}
