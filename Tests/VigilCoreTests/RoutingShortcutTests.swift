import Foundation
import Testing

@testable import VigilCEL
@testable import VigilCore

/// The router skips rules whose expression cannot be true for an event, and splits large
/// runs over cores: neither may change who is notified.
@Suite struct RoutingShortcutTests {
    static let expressions = [
        "event.kind == 'changed' && has(change.status) && change.status.to == 'released'",
        "event.kind in ['added', 'removed'] && record.status == 'detained'",
        "record.status in ['sentenced', 'on_trial'] || event.kind == 'removed'",
        "has(change.place) && record.status != 'released'",
        "'changed' == event.kind && change.status.to in ['released', 'pardoned'] && has(change.sentence)",
        "!(event.kind == 'changed') && record.status == 'transferred'",
        "true",
    ]

    func events() -> [Event] {
        let statuses: [DetaineeStatus.Canonical] = [
            .detained, .released, .sentenced, .transferred, .pardoned, .onTrial,
        ]
        return (0..<1500).map { index in
            let kind: Event.Kind = [.added, .changed, .removed, .changed][index % 4]
            let status = statuses[index % statuses.count]
            var changes: [FieldChange] = []
            if kind == .changed {
                if index % 3 != 0 {
                    changes.append(FieldChange(field: "status", from: "detained", to: status.rawValue))
                }
                if index % 5 == 0 { changes.append(FieldChange(field: "place", from: "A", to: "B")) }
                if index % 7 == 0 { changes.append(FieldChange(field: "sentence", from: nil, to: "5 years")) }
            }
            return Event(
                id: "e\(index)", kind: kind, sourceID: "list", at: Date(timeIntervalSince1970: 1_700_000_000),
                record: Record(key: "K\(index % 40)", name: "P\(index)", status: .canonical(status)),
                changes: changes)
        }
    }

    @Test(arguments: expressions)
    func aSkippedRuleNeverMatches(_ expression: String) throws {
        let program = try CELProgram(expression, variables: Rule.variables)
        let box = RuleBox(Rule(id: "r", when: program, notify: [.outputs], via: ["room"]), order: 0)
        let kinds = program.requiredValues(of: ["event", "kind"])
        var skipped = 0
        for event in events() {
            let activation = RuleRouter.activation(for: event, at: event.at)
            let admitted =
                (kinds?.contains(event.kind.rawValue) ?? true)
                && box.admits(
                    event, status: event.record?.status.description,
                    statusTo: event.changes.first { $0.field == "status" }?.to)
            if !admitted {
                skipped += 1
                #expect(!program.matches(activation), "\(expression) skipped \(event.id) but matches it")
            }
        }
        if expression != "true" && !expression.contains("||") && !expression.hasPrefix("!") {
            #expect(skipped > 0, "the shortcut applies to \(expression)")
        }
    }

    @Test func aLargeRunRoutesAsEventByEvent() throws {
        let rules = try Self.expressions.enumerated().map { index, expression in
            Rule(
                id: "r\(index)", when: try CELProgram(expression, variables: Rule.variables),
                notify: index % 2 == 0 ? [.sponsors] : [.outputs, .group("team")],
                via: index % 3 == 0 ? ["mail"] : ["mail", "room"])
        }
        let recipients = (0..<40).map { index in
            Recipient(
                id: "r\(index)", name: "R\(index)", contacts: ["mail": "r\(index)@example.org"],
                groups: index % 10 == 0 ? ["team"] : [],
                sponsorship: .init(keys: ["K\(index)", "K\((index + 1) % 40)"]))
        }
        let router = RuleRouter(
            rules: rules, recipients: recipients,
            outputs: [
                InMemoryOutput(
                    id: "mail", capabilities: OutputCapabilities(templateKind: TemplateKind(name: "email", html: true))),
                InMemoryOutput(id: "room"),
            ])
        let events = events()
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let together = router.notifications(for: events, at: now)
        let oneByOne = events.flatMap { router.notifications(for: $0, at: now, excluding: []) }
        #expect(together.count > 1000)
        #expect(together.map(\.idempotencyKey) == oneByOne.map(\.idempotencyKey))
        #expect(together.map(\.subject) == oneByOne.map(\.subject))
    }
}
