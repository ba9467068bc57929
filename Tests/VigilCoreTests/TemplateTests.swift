import Foundation
import Testing

@testable import VigilCore

@Suite struct TemplateTests {
    func released(name: String = "Armen Ghukasyan") -> Event {
        Event(
            kind: .changed, sourceID: "list", at: Date(timeIntervalSince1970: 1_700_000_000),
            record: Record(key: "VG-017", name: name, status: .canonical(.released), fields: ["place": "Baku"]),
            changes: [FieldChange(field: "status", from: "detained", to: "released")])
    }

    @Test func everyShippedTemplateCompilesAndNamesOnlyKnownVariables() {
        #expect(TemplateLibrary().count == DefaultTemplates.all.count)
        for kind in Event.Kind.allCases {
            for language in ["en", "fr"] {
                for part in ["subject", "text", "html"] {
                    #expect(
                        DefaultTemplates.all["\(language)/\(kind.rawValue).\(part)"] != nil,
                        "\(language) \(kind) \(part)")
                }
            }
        }
    }

    @Test func aFrenchSponsorGetsFrenchWordsAndEscapedHTML() {
        let library = TemplateLibrary()
        let lyon = Recipient(id: "lyon", name: "Ville de Lyon", language: "fr")
        let rendered = library.render(
            released(name: "A <b>\"B\"</b> & C"), recipient: lyon, ruleID: "sponsors",
            kind: TemplateKind(name: "email", html: true))
        #expect(rendered.subject == "A <b>\"B\"</b> & C : détenu(e) → libéré(e)")
        #expect(
            rendered.text == "A <b>\"B\"</b> & C (list) :\n  status : détenu(e) → libéré(e)\n\nIdentifiant : VG-017\n")
        let html = rendered.html ?? ""
        #expect(
            html.hasPrefix("<p>A &lt;b&gt;&quot;B&quot;&lt;/b&gt; &amp; C (list) :</p>\n<ul>\n<li>status : "), "\(html)"
        )
        #expect(!html.contains("<b>"))
    }

    @Test func anOutputWithoutABodyGetsItsSubjectAndNoText() {
        let rendered = TemplateLibrary().render(
            released(), recipient: nil, ruleID: nil, kind: .subjectOnly(name: "webhook"))
        #expect(
            rendered.subject == TemplateLibrary().render(released(), recipient: nil, ruleID: nil, kind: .text).subject)
        #expect(!rendered.subject.isEmpty && rendered.text.isEmpty && rendered.html == nil)
    }

    @Test func anUnknownLanguageFallsBackToTheDefaultOne() {
        let rendered = TemplateLibrary().render(
            released(), recipient: Recipient(id: "x", name: "X", language: "de"), ruleID: nil, kind: .text)
        #expect(rendered.subject == "Armen Ghukasyan: detained → released")
        #expect(rendered.html == nil, "plain-text outputs get no HTML")
    }

    @Test func directoryTemplatesOverrideAndMistakesPointAtFileLineAndColumn() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-templates-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root + "/custom/hy", withIntermediateDirectories: true)
        try "{{record.name}}՝ {{record.statusLabel}}".write(
            toFile: root + "/custom/hy/event.subject.mustache", atomically: true, encoding: .utf8)
        try "Բարև {{recipient.name}}\n{{#changes}}{{field}}: {{toLabel}}\n{{/changes}}".write(
            toFile: root + "/custom/hy/event.text.mustache", atomically: true, encoding: .utf8)
        try "ok\n  {{record.nmae}}\n".write(
            toFile: root + "/custom/hy/removed.text.mustache", atomically: true, encoding: .utf8)
        try "{{#changes}}{{field}}".write(
            toFile: root + "/custom/hy/added.text.mustache", atomically: true, encoding: .utf8)
        var issues: [ConfigIssue] = []
        let library = TemplateLibrary(directory: root, defaultLanguage: "en") { issues.append($0) }
        #expect(issues.count == 2, "\(issues)")
        let typo = issues.first { $0.file.hasSuffix("removed.text.mustache") }
        #expect(typo?.location == TextLocation(line: 2, column: 3))
        #expect(typo?.message.contains("unknown variable \"record.nmae\"") == true, "\(typo?.message ?? "")")
        #expect(issues.contains { $0.file.hasSuffix("added.text.mustache") && $0.message.contains("never closed") })

        let armenian = Recipient(id: "a", name: "Անի", language: "hy")
        let rendered = library.render(
            released(), recipient: armenian, ruleID: nil, set: "custom", kind: TemplateKind(name: "email", html: true))
        #expect(rendered.subject == "Armen Ghukasyan՝ ազատ արձակված")
        #expect(rendered.text == "Բարև Անի\nstatus: ազատ արձակված\n")
        #expect(rendered.html?.hasPrefix("<p>Armen Ghukasyan (list):</p>") == true, "no Armenian HTML: English")
        #expect(library.hasLanguage("hy", set: "custom"))
        #expect(!library.hasLanguage("de"))
    }

    @Test func unknownFieldsInRulesAreRefusedWithASuggestion() {
        let text = """
            {"sources": [{"id": "s", "type": "json", "path": "s.json", "key": "id", "name": "n",
                          "fields": {"lastIcrcVisit": "visit"}}],
             "outputs": [{"id": "mail", "type": "stdout"}],
             "rules": [
               {"when": "record.stauts == 'released'", "notify": "outputs", "via": "mail"},
               {"when": "has(change.lastIcrcVisit) && record.fields.lastIcrcVisit != '' && record.lastIcrcVisit != ''",
                "notify": "outputs", "via": "mail"},
               {"when": "change.plcae.to == 'x'", "notify": "outputs", "via": "mail", "template": "fancy"}
             ]}
            """
        let issues = configurationIssues(text, file: "/tmp/fields.json")
        #expect(issues.count == 3, "\(issues.map(\.description))")
        #expect(
            issues.contains {
                $0.path == "$.rules[0].when" && $0.message.contains("unknown field 'stauts' (did you mean 'status'?)")
                    && $0.message.contains("\n      ^")
            }, "\(issues.map(\.description))")
        #expect(issues.contains { $0.path == "$.rules[2].when" && $0.message.contains("unknown field 'plcae'") })
        #expect(
            issues.contains { $0.path == "$.rules[2].template" && $0.message.contains("no template set \"fancy\"") })
    }
}
