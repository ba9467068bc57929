import Testing

@testable import VigilCore

/// The `people` settings and the `person` variable, checked when the configuration is read.
@Suite struct PeopleConfigurationTests {
    func config(people: String = "{}", when: String = "true") -> String {
        """
        {"sources": [{"id": "a", "type": "json", "url": "https://a.example/x.json", "records": "$[*]",
                      "key": "id", "name": "name", "fields": {"born": "born"}},
                     {"id": "b", "type": "json", "url": "https://b.example/x.json", "records": "$[*]",
                      "key": "id", "name": "name"}],
         "outputs": [{"id": "out", "type": "stdout"}],
         "people": \(people),
         "rules": [{"id": "r", "when": "\(when)", "notify": "outputs", "via": "out"}]}
        """
    }

    @Test func rulesMayAskAboutThePersonAcrossSources() {
        let rule = "person.id != '' && size(person.sources) >= 2 && 'released' in person.statuses"
        #expect(configurationIssues(config(when: rule), file: "/etc/vigil/test.json").isEmpty)
        let typo = configurationIssues(config(when: "person.nmae == 'x'"), file: "/etc/vigil/test.json")
        #expect(typo.count == 1)
        #expect(typo.first?.path == "$.rules[0].when")
        #expect(typo.first?.message.contains("nmae") == true, "\(typo)")
    }

    @Test func settingsAreCheckedWhereTheyAre() {
        let issues = configurationIssues(
            config(
                people: #"{"compare": ["birth"], "propose": 0.2, "autoLink": {"agree": []}, "sameChangeWithin": "1y"}"#),
            file: "/etc/vigil/test.json")
        let messages = issues.map { "\($0.path): \($0.message)" }
        #expect(messages.contains { $0.hasPrefix("$.people.compare: no source maps a field \"birth\"") }, "\(messages)")
        #expect(messages.contains("$.people.propose: expected a score from 0.5 to 1"), "\(messages)")
        #expect(
            messages.contains(
                "$.people.autoLink.agree: automatic links need at least one field to agree on (never by name alone)"),
            "\(messages)")
        #expect(messages.contains { $0.hasPrefix("$.people.sameChangeWithin:") }, "\(messages)")
    }

    @Test func aMissingCrosswalkIsNamed() {
        let issues = configurationIssues(config(people: #"{"crosswalk": "missing.csv"}"#), file: "/etc/vigil/test.json")
        #expect(issues.map(\.description) == ["/etc/vigil/missing.csv: crosswalk: cannot read the crosswalk file"])
    }
}
