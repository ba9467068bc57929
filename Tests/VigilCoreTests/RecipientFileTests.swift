import Foundation
import Testing
import VigilTesting

@testable import VigilCore

/// Recipients from the organiser's spreadsheet: mapped columns, checked row by row with
/// the file and line, unique ids across inline and file recipients, read again on reload.
@Suite struct RecipientFileTests {
    func configuration(_ recipients: String, in directory: TemporaryDirectory) -> String {
        """
        {"sources": [{"id": "list", "type": "json", "path": "l.json", "key": "id", "name": "n", "status": "s"}],
         "outputs": [{"id": "mail", "type": "stdout"}, {"id": "room", "type": "stdout"}],
         "recipients": \(recipients),
         "rules": [{"when": "true", "notify": "sponsors", "via": "mail"}]}
        """
    }

    let mapping = """
        "columns": {"id": "ID", "name": "Name", "language": "Langue", "groups": "Groups", "keys": "Sponsored",
                    "events": "Events", "digest": "Digest", "mutedUntil": "Muted until"},
        "contacts": {"mail": "Email", "room": "Matrix"}
        """

    @Test func aSpreadsheetOfSponsorsIsReadWithItsColumns() throws {
        let directory = try TemporaryDirectory("recipients")
        // A spreadsheet export: BOM, semicolons, a quoted cell holding the delimiter, an empty row.
        let rows: [String] = [
            "\u{FEFF}ID;Name;Langue;Email;Matrix;Groups;Sponsored;Events;Digest;Muted until",
            "paris;\"Ville de Paris; Mairie\";fr;paris@example.org;;press, cities;P1, P2;changed;1d;",
            ";;;;;;;;;",
            "yerevan;Երևան;;yerevan@example.org;@yerevan:example.org;;P3;;;2030-01-01T00:00:00Z",
        ]
        try Data((rows.joined(separator: "\r\n") + "\r\n").utf8).write(
            to: URL(fileURLWithPath: directory.file("sponsors.csv")))
        let text = configuration(
            #"[{"id": "team", "contacts": {"room": "!team:example.org"}}, {"file": "sponsors.csv", "language": "hy", "#
                + mapping + "}]", in: directory)
        let loaded = try Configuration.parse(Array(text.utf8), file: directory.file("config.json"))
        #expect(loaded.recipients.map(\.id) == ["team", "paris", "yerevan"])
        let paris = loaded.recipients[1]
        #expect(paris.name == "Ville de Paris; Mairie")
        #expect(paris.language == "fr")
        #expect(paris.contacts == ["mail": "paris@example.org"])
        #expect(paris.groups == ["press", "cities"])
        #expect(paris.sponsorship.keys == ["P1", "P2"])
        #expect(paris.events == [.changed])
        #expect(paris.digest == .every(.seconds(86_400)))
        let yerevan = loaded.recipients[2]
        #expect(yerevan.name == "Երևան")
        #expect(yerevan.language == "hy", "the file's default language")
        #expect(yerevan.contacts == ["mail": "yerevan@example.org", "room": "@yerevan:example.org"])
        #expect(yerevan.mutedUntil == Date(timeIntervalSince1970: 1_893_456_000))

        // The same rows as JSON, lists as lists.
        try Data(
            #"""
            [{"ID": "paris", "Name": "Ville de Paris", "Email": "paris@example.org", "Sponsored": ["P1", "P2"],
              "Groups": ["press"], "Events": ["changed", "added"]},
             {"ID": 7, "Email": "seven@example.org", "Matrix": null}]
            """#.utf8
        ).write(to: URL(fileURLWithPath: directory.file("sponsors.json")))
        let json = try Configuration.parse(
            Array(configuration(#"[{"file": "sponsors.json", "# + mapping + "}]", in: directory).utf8),
            file: directory.file("config.json"))
        #expect(json.recipients.map(\.id) == ["paris", "7"])
        #expect(json.recipients[0].sponsorship.keys == ["P1", "P2"])
        #expect(json.recipients[0].events == [.changed, .added])
        #expect(json.recipients[1].name == "7")
        #expect(json.recipients[1].contacts == ["mail": "seven@example.org"])
        // Warnings about a file's recipient name its row.
        let findings = ConfigurationAudit.findings(loaded, reportedKeys: ["P1", "P2"]).map(\.description)
        #expect(
            findings.contains { $0.hasPrefix("sponsors.csv:4 (sponsors.keys): recipient \"yerevan\" sponsors a key") })
        #expect(findings.contains { $0.hasPrefix("sponsors.csv:4 (language): no \"hy\" templates") }, "\(findings)")
    }

    @Test func everyBadRowIsReportedWithFileAndLine() throws {
        let directory = try TemporaryDirectory("recipients")
        let rows: [String] = [
            "ID,Name,Langue,Email,Matrix,Groups,Sponsored,Events,Digest,Muted until",
            "paris,Paris,fr,paris@example.org,,,P1,,,",
            ",No id,en,x@example.org,,,,,,",
            "lyon,Lyon,en,lyon@example.org,,,P2,released,,",
            "team,Team twice,en,t@example.org,,,,,weekly,",
            "nice,Nice,fr,nice@example.org,,,,,,tomorrow",
            "paris,Paris again,fr,p2@example.org,,,,,,",
        ]
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(
            to: URL(fileURLWithPath: directory.file("sponsors.csv")))
        let file = directory.file("sponsors.csv")
        let issues = configurationIssues(
            configuration(
                #"[{"id": "team"}, {"file": "sponsors.csv", "#
                    + mapping + "}]", in: directory), file: directory.file("config.json")
        ).map(\.description)
        let expected = [
            "\(file):3:1: $.recipients[1]: column \"ID\": expected the recipient's id",
            "\(file):4:1: $.recipients[1]: column \"Events\": unknown event kind \"released\"",
            "\(file):5:1: $.recipients[1]: column \"Digest\": expected \"immediate\", \"run\" or a duration",
            "\(file):6:1: $.recipients[1]: column \"Muted until\": expected an RFC 3339 time",
            "\(file):7:1: $.recipients[1]: duplicate recipient id \"paris\" (also sponsors.csv:2)",
        ]
        #expect(issues.count == expected.count, "\(issues)")
        for line in expected {
            #expect(issues.contains { $0.hasPrefix(line) }, "missing \(line) in \(issues)")
        }

        // A row whose id is configured inline names both places.
        try Data("ID,Email\nteam,t@example.org\n".utf8).write(to: URL(fileURLWithPath: file))
        let duplicate = configurationIssues(
            configuration(
                #"[{"id": "team"}, {"file": "sponsors.csv", "columns": {"id": "ID"}, "contacts": {"mail": "Email"}}]"#,
                in: directory), file: directory.file("config.json"))
        #expect(
            duplicate.map(\.description) == [
                "\(file):2:1: $.recipients[1]: duplicate recipient id \"team\" (also $.recipients[0])"
            ])

        // The mapping itself is checked against the configuration and the header.
        let mappingIssues = configurationIssues(
            configuration(
                #"[{"file": "sponsors.csv", "columns": {"name": "Name", "colour": "C"}, "contacts": {"fax": "Email"}}]"#,
                in: directory), file: directory.file("config.json")
        ).map(\.description)
        #expect(mappingIssues.contains { $0.contains("$.recipients[0].columns: expected \"id\"") }, "\(mappingIssues)")
        #expect(mappingIssues.contains { $0.contains("$.recipients[0].columns.colour: unknown column role") })
        #expect(mappingIssues.contains { $0.contains("$.recipients[0].contacts.fax: no output \"fax\"") })
        let header = configurationIssues(
            configuration(#"[{"file": "sponsors.csv", "columns": {"id": "Identifier"}}]"#, in: directory),
            file: directory.file("config.json"))
        #expect(
            header.map(\.description) == [
                "\(file):1:1: $.recipients[0]: column \"Identifier\" is not in the header (found: id, email)"
            ])
        let missing = configurationIssues(
            configuration(#"[{"file": "nowhere.csv", "columns": {"id": "ID"}}]"#, in: directory),
            file: directory.file("config.json"))
        #expect(
            missing.map(\.description) == [
                "\(directory.file("nowhere.csv")): $.recipients[0]: cannot read the recipients file"
            ])
    }

    @Test func aReloadReadsTheFileAgainAndKeepsTheOldListWhenTheNewOneIsBroken() throws {
        let directory = try TemporaryDirectory("recipients")
        let file = directory.file("sponsors.csv")
        try Data("ID,Email,Sponsored\nparis,paris@example.org,P1\n".utf8).write(to: URL(fileURLWithPath: file))
        let loaded = try Configuration.parse(
            Array(
                configuration(
                    #"[{"file": "sponsors.csv", "columns": {"id": "ID", "keys": "Sponsored"}, "contacts": {"mail": "Email"}}]"#,
                    in: directory
                ).utf8), file: directory.file("config.json"))
        #expect(loaded.recipients.map(\.id) == ["paris"])
        try Data("ID,Email,Sponsored\nparis,paris@example.org,P1\nlyon,lyon@example.org,P1\n".utf8)
            .write(to: URL(fileURLWithPath: file))
        let (reloaded, issues) = loaded.reloadingRecipients()
        #expect(issues.isEmpty)
        #expect(reloaded.recipients.map(\.id) == ["paris", "lyon"])
        // Routing sees the new sponsor.
        let event = Event(
            kind: .changed, sourceID: "list", at: Date(),
            record: Record(key: "P1", name: "P1", status: DetaineeStatus(stored: "released")),
            changes: [FieldChange(field: "status", from: "detained", to: "released")])
        #expect(
            Set(reloaded.router.notifications(for: [event], at: Date()).compactMap(\.recipient)) == [
                "paris@example.org", "lyon@example.org",
            ])
        // Half-saved: the old list stays, with the problem.
        try Data("ID,Email,Sponsored\nparis,paris@example.org\n".utf8).write(to: URL(fileURLWithPath: file))
        let (kept, problems) = reloaded.reloadingRecipients()
        #expect(kept.recipients.map(\.id) == ["paris", "lyon"])
        #expect(problems.map(\.description) == ["\(file):2:1: $.recipients[0]: the row has 2 fields, the header has 3"])
    }
}
