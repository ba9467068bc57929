import Foundation
import Testing

@testable import VigilCore

@Suite struct ConfigurationAuditTests {
    static let text = """
        {"sources": [{"id": "list", "type": "json", "path": "l.json", "key": "id", "name": "n",
                      "fields": {"lastIcrcVisit": "visit"}}],
         "outputs": [{"id": "mail", "type": "stdout"}, {"id": "room", "type": "stdout"}],
         "recipients": [
           {"id": "lyon", "language": "fr", "contacts": {"mail": "m@lyon.example"}, "sponsors": {"keys": ["VG-1", "VG-404"]},
            "groups": ["cities"]},
           {"id": "desk", "language": "de", "contacts": {"room": "@desk:example.org"}, "groups": ["team"]}
         ],
         "rules": [
           {"id": "ok", "when": "true", "notify": "sponsors", "via": "mail"},
           {"id": "nobody-on-room", "when": "true", "notify": ["sponsors", "group:cities"], "via": ["mail", "room"]},
           {"id": "desk-mail", "when": "true", "notify": "recipient:desk", "via": "mail"}
         ]}
        """

    @Test func warnsAboutUnreachableRulesUnknownKeysAndMissingLanguages() throws {
        let configuration = try Configuration.parse(Array(Self.text.utf8), file: "/tmp/audit.json")
        let findings = ConfigurationAudit.findings(configuration, reportedKeys: ["VG-1", "VG-2"])
        let described = findings.map(\.description)
        #expect(
            described.contains(
                "$.rules[1]: rule \"nobody-on-room\" can never notify anyone through output \"room\": "
                    + "\"sponsors\": no sponsor has a contact on it; \"group:cities\": no member has a contact on it"),
            "\(described)")
        #expect(
            described.contains(
                "$.rules[2]: rule \"desk-mail\" can never notify anyone through output \"mail\": \"recipient:desk\" has no contact on it"
            ))
        #expect(
            described.contains(
                "$.recipients[0].sponsors.keys: recipient \"lyon\" sponsors a key no source has ever reported: VG-404"))
        #expect(
            described.contains(
                "$.recipients[1].language: no \"de\" templates in set \"default\" for recipient \"desk\": \"en\" will be used"
            ))
        #expect(findings.count == 4, "\(described)")
        #expect(
            !ConfigurationAudit.findings(configuration, reportedKeys: nil).contains {
                $0.path.hasSuffix("sponsors.keys")
            },
            "no state yet: sponsorships are not judged")
    }

    @Test func mailingRecipientsWithoutOneClickUnsubscribeIsAWarning() throws {
        var configuration = try Configuration.parse(Array(Self.text.utf8), file: "/tmp/audit.json")
        #expect(!ConfigurationAudit.findings(configuration, reportedKeys: nil).contains { $0.path == "$.mailing" })
        configuration.outputs.append(MailingTests.HonouringOutput())
        configuration.rules[0].via = ["honouring"]
        let warning = ConfigurationAudit.findings(configuration, reportedKeys: nil).first { $0.path == "$.mailing" }
        #expect(
            warning?.message.hasPrefix("rules mail recipients through \"honouring\" without a \"mailing\" section")
                == true)
        configuration.mailing = MailingSettings(
            baseURL: "https://alerts.example.org", secret: try SecretString("${env:VIGIL_MAILING_SECRET}"))
        #expect(!ConfigurationAudit.findings(configuration, reportedKeys: nil).contains { $0.path == "$.mailing" })
    }

    @Test func anApprovalNobodyIsToldAboutIsAWarning() throws {
        func findings(_ rules: String) throws -> [ConfigurationAudit.Finding] {
            let text = """
                {"sources": [{"id": "list", "type": "json", "path": "l.json", "key": "id", "name": "n"}],
                 "outputs": [{"id": "mail", "type": "stdout"}, {"id": "team", "type": "stdout"}],
                 "recipients": [{"id": "a", "contacts": {"mail": "a@example.org"}, "sponsors": {"keys": ["1"]}}],
                 "rules": \(rules)}
                """
            let configuration = try Configuration.parse(Array(text.utf8), file: "/tmp/audit.json")
            return ConfigurationAudit.findings(configuration, reportedKeys: nil).filter {
                $0.path.hasSuffix(".confirm")
            }
        }
        let held =
            #"{"id": "release", "when": "true", "notify": "sponsors", "via": "mail", "confirm": {"approval": true}}"#
        let silent = try findings("[\(held)]")
        #expect(silent.map(\.path) == ["$.rules[0].confirm"])
        #expect(silent.first?.message.contains("no rule tells anyone when one waits") == true)
        let told = try findings(
            #"[\#(held), {"id": "team", "when": "event.kind == 'approval_requested'", "notify": "outputs", "via": "team"}]"#
        )
        #expect(told.isEmpty, "\(told)")
    }

    @Test func badConfirmDigestAndDeadlineSettingsAreReportedWhereTheyAre() {
        let text = """
            {"sources": [{"id": "list", "type": "json", "path": "l.json", "key": "id", "name": "n",
                          "fields": {"lastIcrcVisit": "visit"}}],
             "outputs": [{"id": "mail", "type": "stdout"}],
             "recipients": [{"id": "a", "contacts": {"mail": "a@example.org"}, "preferences": {"digest": "weekly"}}],
             "deadlines": [
               {"id": "visit", "field": "lastIcrcVisit", "overdue": "35d", "upcoming": "7d"},
               {"id": "hearing", "field": "nextHearing", "upcoming": "7d", "sources": ["court"]},
               {"id": "visit", "field": "lastIcrcVisit", "overdue": "soon"}
             ],
             "rules": [
               {"when": "true", "notify": "outputs", "via": "mail", "confirm": {"runs": 2, "sources": 2}},
               {"when": "true", "notify": "outputs", "via": "mail", "confirm": {"runs": 0}, "digest": "hourly"}
             ]}
            """
        let issues = configurationIssues(text, file: "/tmp/follow-ups.json")
        let described = issues.map(\.description)
        func has(_ path: String, _ fragment: String) -> Bool {
            issues.contains { $0.path == path && $0.message.contains(fragment) && $0.location != nil }
        }
        #expect(
            has("$.recipients[0].preferences.digest", "expected \"immediate\", \"run\" or a duration"), "\(described)")
        #expect(has("$.deadlines[0]", "exactly one of \"overdue\" or \"upcoming\""), "\(described)")
        #expect(has("$.deadlines[1].sources", "no source \"court\""), "\(described)")
        #expect(has("$.deadlines[1].field", "no source maps a field \"nextHearing\""), "\(described)")
        #expect(has("$.deadlines[2].id", "duplicate deadline id \"visit\""), "\(described)")
        #expect(has("$.rules[0].confirm", "expected one of \"runs\""), "\(described)")
        #expect(has("$.rules[1].confirm.runs", "expected a whole number from 1 to 1000, got 0"), "\(described)")
        #expect(!has("$.rules[1].confirm", "expected one of"), "one message for one mistake")
        #expect(has("$.rules[1].digest", "expected \"run\" or a duration"), "\(described)")
    }
}
