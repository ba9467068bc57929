import Foundation
import Testing

@testable import VigilCore

@Suite struct RulesTests {
    static let config = """
        {
          "sources": [{"id": "list", "type": "json", "path": "list.json", "key": "id", "name": "name", "status": "status"}],
          "outputs": [{"id": "mail", "type": "stdout"}, {"id": "room", "type": "stdout"}, {"id": "hook", "type": "stdout"}],
          "recipients": [
            {"id": "lyon", "name": "Ville de Lyon", "language": "fr", "contacts": {"mail": "mairie@lyon.example"},
             "groups": ["cities"], "sponsors": {"keys": ["VG-017", "VG-018"]}},
            {"id": "ngo", "name": "NGO", "contacts": {"mail": "desk@ngo.example"},
             "sponsors": {"match": [{"field": "group", "equals": "soldiers-2020-12"}]},
             "preferences": {"events": ["changed"]}},
            {"id": "muted", "name": "Muted", "contacts": {"mail": "quiet@example.org"}, "sponsors": {"keys": ["VG-017"]},
             "preferences": {"mutedUntil": "2099-01-01T00:00:00Z"}},
            {"id": "partner", "name": "Partner", "contacts": {"hook": "https://partner.example/hooks"}}
          ],
          "rules": [
            {"id": "sponsors", "when": "event.kind == 'changed' && has(change.status) && change.status.to in ['sentenced', 'released']",
             "notify": "sponsors", "via": "mail", "priority": 10},
            {"id": "sponsors-again", "when": "has(change.status) && change.status.to == 'released'", "notify": ["sponsors", "group:cities"], "via": ["mail"]},
            {"id": "team", "when": "true", "notify": "outputs", "via": "room"},
            {"id": "partner", "when": "has(change.status) && change.status.to == 'released'", "notify": "recipient:partner", "via": "hook"}
          ]
        }
        """

    func configuration() throws -> Configuration {
        try Configuration.parse(Array(Self.config.utf8), file: "/tmp/rules.json")
    }

    func changed(_ key: String, to status: DetaineeStatus.Canonical, group: String = "civilians") -> Event {
        Event(
            kind: .changed, sourceID: "list", at: Date(),
            record: Record(key: key, name: "Person \(key)", status: .canonical(status), fields: ["group": group]),
            changes: [FieldChange(field: "status", from: "detained", to: status.rawValue)])
    }

    @Test func eachRecipientHearsOncePerEventAndOutput() throws {
        let router = try configuration().router
        let now = Date()
        let released = router.notifications(for: changed("VG-017", to: .released), at: now, excluding: [])
        let targets = released.map { "\($0.outputID):\($0.recipient ?? "-")" }.sorted()
        // Lyon matches two rules (sponsor and group) but hears once per output; the muted sponsor hears nothing.
        #expect(targets == ["hook:https://partner.example/hooks", "mail:mairie@lyon.example", "room:-"])
        #expect(Set(released.map(\.idempotencyKey)).count == released.count)

        let transferred = router.notifications(for: changed("VG-020", to: .transferred), at: now, excluding: [])
        #expect(transferred.map(\.outputID) == ["room"], "only the team room hears a transfer")

        let soldier = router.notifications(
            for: changed("VG-030", to: .sentenced, group: "soldiers-2020-12"), at: now, excluding: [])
        #expect(
            soldier.map { "\($0.outputID):\($0.recipient ?? "-")" }.sorted() == ["mail:desk@ngo.example", "room:-"])
    }

    @Test func sourceHealthGoesThroughTheSameRules() throws {
        let router = try configuration().router
        let failing = Event(kind: .failing, sourceID: "list", at: Date(), message: "server answered HTTP 500")
        let notifications = router.notifications(for: failing, at: Date(), excluding: [])
        #expect(notifications.map(\.outputID) == ["room"], "record-based rules do not match; the catch-all does")
        #expect(router.notifications(for: failing, at: Date(), excluding: ["room"]).isEmpty)
    }

    @Test func preferencesFilterEventKinds() throws {
        let router = try configuration().router
        let removed = Event(
            kind: .removed, sourceID: "list", at: Date(),
            record: Record(
                key: "VG-031", name: "P", status: .canonical(.detained), fields: ["group": "soldiers-2020-12"]))
        #expect(router.notifications(for: removed, at: Date(), excluding: []).map(\.outputID) == ["room"])
    }

    @Test func aReleaseSuppressesTheSameRunsMove() throws {
        let text = """
            {"sources": [{"id": "list", "type": "json", "path": "l.json", "key": "id", "name": "n", "fields": {"place": "p"}}],
             "outputs": [{"id": "room", "type": "stdout"}],
             "rules": [
               {"id": "releases", "when": "has(change.status) && change.status.to == 'released'", "notify": "outputs", "via": "room",
                "suppress": ["moves"]},
               {"id": "moves", "when": "has(change.place)", "notify": "outputs", "via": "room"}
             ]}
            """
        let router = try Configuration.parse(Array(text.utf8), file: "/tmp/suppress.json").router
        var released = changed("VG-017", to: .released)
        released.changes.append(FieldChange(field: "place", from: "Colony East", to: nil))
        let moved = Event(
            kind: .changed, sourceID: "list", at: Date(),
            record: Record(key: "VG-042", name: "P", status: .canonical(.transferred)),
            changes: [FieldChange(field: "place", from: "Colony East", to: "Prison North")])
        let notifications = router.notifications(for: [released, moved], at: Date())
        #expect(
            notifications.map(\.eventID) == [released.id, moved.id], "one notice each: the release's move is silenced")
        #expect(
            (try? Configuration.parse(
                Array(text.replacingOccurrences(of: "[\"moves\"]", with: "[\"nothing\"]").utf8), file: "/tmp/s.json"))
                == nil)
    }

    @Test func realertKeepsQuietWithinItsWindowAcrossRuns() throws {
        let text = """
            {"sources": [{"id": "list", "type": "json", "path": "l.json", "key": "id", "name": "n"}],
             "outputs": [{"id": "mail", "type": "stdout"}],
             "recipients": [{"id": "lyon", "contacts": {"mail": "mairie@lyon.example"}, "sponsors": {"keys": ["VG-017"]}}],
             "rules": [{"id": "sponsors", "when": "record.key == 'VG-017'", "notify": "sponsors", "via": "mail", "realert": "24h"}]}
            """
        let configuration = try Configuration.parse(Array(text.utf8), file: "/tmp/realert.json")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-realert-\(UUID())").path
        let store = try SQLiteStateStore(directory: directory)
        let start = Date(timeIntervalSince1970: 1_702_512_000)
        func run(at date: Date, to status: DetaineeStatus.Canonical) throws -> Int {
            var event = changed("VG-017", to: status)
            event.at = date
            var batch = ChangeSet(startedAt: date)
            batch.events = [event]
            batch.notifications = try configuration.withRouter(store: store) { router in
                router.notifications(for: event, at: date, excluding: [])
            }
            try store.commit(batch)
            return batch.notifications.count
        }
        #expect(try run(at: start, to: .sentenced) == 1)
        #expect(try run(at: start.addingTimeInterval(3600), to: .released) == 0, "within 24 h of the last notice")
        #expect(try run(at: start.addingTimeInterval(25 * 3600), to: .transferred) == 1, "the window has passed")

        // A window that cannot be read is not "never notified": the routing is refused.
        struct Unreadable: FollowUpReading, SuppressionReading {
            func suppressions() throws(StateError) -> [Suppression] { [] }
            func heldTransitions() throws(StateError) -> [HeldTransition] { [] }
            func holdDecisions(records: Set<RecordRef>?) throws(StateError) -> [HoldDecision] { [] }
            func deadlineSpecifications() throws(StateError) -> [String: String] { [:] }
            func dueDeadlines(at now: Date) throws(StateError) -> [DueDeadline] { [] }
            func hasDueDigestItems(at now: Date) throws(StateError) -> Bool { false }
            func digestItems() throws(StateError) -> [StoredDigestItem] { [] }
            func lastNotified(_ mark: RealertMark) throws(StateError) -> Date? { throw .database("disk I/O error") }
        }
        #expect(throws: StateError.database("disk I/O error")) {
            try configuration.withRouter(store: Unreadable()) { router in
                router.notifications(for: changed("VG-017", to: .released), at: start, excluding: [])
            }
        }
    }

    @Test func mistakesInRulesAreReportedWithPathAndCaret() {
        let text = """
            {"sources": [{"id": "s", "type": "json", "path": "s.json", "key": "id", "name": "n"}],
             "outputs": [{"id": "mail", "type": "stdout"}],
             "recipients": [{"id": "a", "contacts": {"sms": "+100"}, "preferences": {"events": ["released"]}}],
             "rules": [
               {"when": "record.stauts == 'released' &&", "notify": "sponsors", "via": "mail"},
               {"when": "recrd.status == 'x'", "notify": "group:nobody", "via": ["mail", "pigeon"]},
               {"when": "true", "notify": "everyone", "via": "mail"}
             ]}
            """
        let issues = configurationIssues(text, file: "/tmp/bad-rules.json")
        let described = issues.map(\.description)
        #expect(
            issues.contains {
                $0.path == "$.rules[0].when" && $0.message.contains("column 31")
                    && $0.message.contains("\n                              ^")
            }, "\(described)")
        #expect(
            issues.contains { $0.path == "$.rules[1].when" && $0.message.contains("undeclared reference to 'recrd'") },
            "\(described)")
        #expect(
            issues.contains {
                $0.path == "$.rules[1].notify" && $0.message.contains("no recipient is in group \"nobody\"")
            })
        #expect(issues.contains { $0.path == "$.rules[1].via" && $0.message.contains("no output \"pigeon\"") })
        #expect(issues.contains { $0.path == "$.rules[2].notify" && $0.message.contains("got \"everyone\"") })
        #expect(
            issues.contains { $0.path == "$.recipients[0].contacts.sms" && $0.message.contains("no output \"sms\"") })
        #expect(
            issues.contains {
                $0.path == "$.recipients[0].preferences.events"
                    && $0.message.contains("unknown event kind \"released\"")
            })
        #expect(issues.allSatisfy { $0.location != nil }, "every problem has a line and column")
    }
}
