import Foundation
import Testing
import VigilTesting

@testable import VigilCEL
@testable import VigilCore

@Suite struct ConfigurationTests {
    func load(_ text: String) throws(ConfigErrors) -> Configuration {
        try Configuration.parse(Array(text.utf8), file: "/etc/vigil/test.json")
    }

    func issues(_ text: String) -> [ConfigIssue] {
        configurationIssues(text, file: "/etc/vigil/test.json")
    }

    let valid = """
        {
          "sources": [
            {"id": "list", "type": "json", "url": "https://example.org/list.json", "records": "$.prisoners[*]",
             "key": ["surname", "born"], "name": "name", "status": "status",
             "fields": {"born": {"from": "born", "type": "date", "format": ["dd.MM.yyyy", "d/M/yyyy"]}, "place": "place"},
             "statusMap": {"Libéré": "released"}, "headers": {"X-Key": "${env:LIST_KEY}"},
             "auth": {"bearer": "${file:token.txt}"}, "timeout": "45s", "maxDrop": 0.3},
            {"id": "memorial", "type": "csv", "path": "data/list.csv", "delimiter": ";", "key": "id", "name": "name"}
          ],
          "outputs": [{"id": "console", "type": "stdout"}]
        }
        """

    @Test func readsAValidConfiguration() throws {
        let configuration = try load(valid)
        #expect(configuration.sources.map(\.id) == ["list", "memorial"])
        #expect(configuration.outputs.map(\.id) == ["console"])
        #expect(configuration.stateDirectory == "/etc/vigil/state")
        let list = configuration.sources[0]
        #expect(list.mapping.key == ["surname", "born"])
        #expect(list.mapping.statusMap["libéré"] == .released)
        #expect(list.endpoint?.timeout == .seconds(45))
        #expect(list.maxDrop == 0.3)
        #expect(configuration.sources[1].location == .file("/etc/vigil/data/list.csv"))
        #expect(list.endpoint?.headers.first.map { String(describing: $0.value) } == "<secret>")
    }

    @Test func commentMembersAreAcceptedAnywhereAndNeverReadAsConfiguration() throws {
        let configuration = try load(
            """
            {"//": "top", "$schema": "/usr/share/doc/vigil/config.schema.json",
             "sources": [{"//": ["a", "source"], "id": "list", "type": "json", "path": "list.json", "key": "id",
                          "name": "name", "status": "status", "fields": {"//": "fields", "place": "place"},
                          "statusMap": {"//": "words", "libre": "released"}}],
             "outputs": [{"//": {"any": "value"}, "id": "console", "type": "stdout"}]}
            """)
        let list = try #require(configuration.sources.first)
        #expect(list.mapping.fields.map(\.name) == ["place"])
        #expect(list.mapping.statusMap == ["libre": .released])
        let typo = issues(
            #"{"sources": [{"id": "l", "type": "json", "path": "l.json", "key": "id", "name": "n", "/": "x"}], "outputs": []}"#
        )
        #expect(typo.map(\.path) == ["$.sources[0]['/']"], "only \"//\" is a comment: \(typo)")
    }

    @Test func boundsRefuseZeroAndAbsurdDurations() {
        let found = issues(
            """
            {"sources": [{"id": "a", "type": "json", "path": "a.json", "key": "id", "name": "n", "timeout": "0s",
                          "connectTimeout": "9223372036854775807s"},
                         {"id": "b", "type": "json", "path": "b.json", "key": "id", "name": "n", "timeout": "400d"}],
             "outputs": [{"id": "console", "type": "stdout", "batchSize": 0, "retry": {"initial": "0s"}}],
             "serve": {"deliveryInterval": "0s"}}
            """)
        #expect(
            found.map(\.path) == [
                "$.serve.deliveryInterval", "$.sources[0].timeout", "$.sources[0].connectTimeout",
                "$.sources[1].timeout", "$.outputs[0].batchSize",
                "$.outputs[0].retry.initial",
            ], "\(found)")
        #expect(found[1].message == #"expected a duration from "100ms" to "1h", got "0s""#)
        #expect(found[2].message.hasPrefix("expected a duration such as"), "too long to represent: \(found[2])")
    }

    @Test func anOutputWithAnErrorIsNotReportedAgainWhereItIsUsed() {
        let found = issues(
            """
            {"sources": [{"id": "a", "type": "json", "path": "a.json", "key": "id", "name": "n"}],
             "outputs": [{"id": "console", "type": "stdout", "concurrency": 0}],
             "recipients": [{"id": "r", "contacts": {"console": "x"}}],
             "rules": [{"id": "all", "when": "true", "notify": "outputs", "via": "console"},
                       {"id": "typo", "when": "true", "notify": "outputs", "via": "consle"}]}
            """)
        #expect(found.map(\.path) == ["$.outputs[0].concurrency", "$.rules[1].via"], "\(found)")
    }

    @Test func reportsEveryProblemWithPathLineAndColumn() {
        let text = """
            {
              "sources": [
                {"id": "a", "type": "xml", "url": "ftp://x", "key": "id", "name": "n"},
                {"id": "b", "type": "json", "path": "x.json", "key": 7, "name": "n", "colour": "red"},
                {"id": "b", "type": "csv", "path": "y.csv", "key": "id", "name": "n", "timeout": "soon",
                 "statusMap": {"x": "freed"}}
              ],
              "outputs": [{"id": "console", "type": "pigeon"}],
              "extra": true
            }
            """
        let found = issues(text)
        let described = found.map(\.description)
        func has(_ path: String, _ line: Int, _ message: String) -> Bool {
            found.contains { $0.path == path && $0.location?.line == line && $0.message.contains(message) }
        }
        #expect(has("$.sources[0].type", 3, #"expected one of "json", "csv", "push", got "xml""#), "\(described)")
        #expect(has("$.sources[0].url", 3, "expected an http:// or https:// URL"), "\(described)")
        #expect(
            has("$.sources[1].key", 4, "expected a string or a non-empty array of strings, got a number"),
            "\(described)")
        #expect(has("$.sources[1].colour", 4, #"unknown key "colour""#), "\(described)")
        #expect(has("$.sources[2].timeout", 5, "expected a duration"), "\(described)")
        #expect(has("$.sources[2].statusMap.x", 6, "not a canonical status"), "\(described)")
        #expect(has("$.outputs[0].type", 8, #"got "pigeon""#), "\(described)")
        #expect(has("$.extra", 9, #"unknown key "extra""#), "\(described)")
        #expect(found.first?.description.hasPrefix("/etc/vigil/test.json:3:") == true)
    }

    @Test func duplicateIdsAndKeysAreErrors() {
        let text = """
            {"sources": [{"id": "a", "type": "csv", "path": "a.csv", "key": "id", "name": "n"},
                         {"id": "a", "type": "csv", "path": "b.csv", "key": "id", "name": "n", "name": "m"}],
             "outputs": [{"id": "o", "type": "stdout"}, {"id": "o", "type": "stdout"}]}
            """
        let messages = issues(text).map(\.description)
        #expect(messages.contains { $0.contains("duplicate key \"name\"") })
        #expect(messages.contains { $0.contains("duplicate source id \"a\"") })
        #expect(messages.contains { $0.contains("duplicate output id \"o\"") })
    }

    @Test func missingFieldsAndInvalidJSONAreLocated() {
        let missing = issues(#"{"sources": [{"id": "a", "type": "json", "path": "a.json"}], "outputs": []}"#)
        #expect(missing.contains { $0.path == "$.sources[0]" && $0.message.contains("missing required key \"key\"") })
        #expect(missing.contains { $0.message.contains("missing required key \"name\"") })
        let broken = issues("{\n  \"sources\": [\n}")
        #expect(broken.count == 1)
        #expect(broken.first?.location == TextLocation(line: 3, column: 1))
        #expect(broken.first?.message.hasPrefix("not valid JSON") == true)
    }

    @Test func badSecretReferencesAndPathsAreErrors() {
        let text = """
            {"sources": [{"id": "a", "type": "json", "url": "https://x/", "records": "prisoners",
              "key": "id", "name": "n", "headers": {"X": "${vault:abc}"}}], "outputs": []}
            """
        let found = issues(text)
        #expect(
            found.contains { $0.path == "$.sources[0].records" && $0.message.contains("invalid JSONPath at column 1") })
        #expect(
            found.contains {
                $0.path == "$.sources[0].headers.X"
                    && $0.message.contains("expected ${env:NAME}, ${file:PATH} or ${credential:NAME}")
            })
    }
}

@Suite struct SmallParserTests {
    @Test(arguments: [("15m", 900), ("35d", 3_024_000), ("1h30m", 5400), ("30s", 30), ("2w", 1_209_600)])
    func durations(text: String, seconds: Int64) {
        #expect(DurationParser.parse(text) == .seconds(seconds))
        #expect(DurationParser.parse(DurationParser.format(.seconds(seconds))) == .seconds(seconds))
    }

    @Test(arguments: ["", "15", "m", "15 m", "-5s", "3y", "1.5h"])
    func badDurations(text: String) {
        #expect(DurationParser.parse(text) == nil)
    }

    @Test func datePatterns() throws {
        let european = try DatePattern("dd.MM.yyyy")
        #expect(european.normalize("14.12.2020") == "2020-12-14")
        #expect(european.normalize("31.02.2021") == nil)
        #expect(european.normalize("14.12.20") == nil)
        #expect(try DatePattern("d/M/yyyy").normalize("3/5/2021") == "2021-05-03")
        #expect(DatePattern.normalizeISO("2023-11-02T10:00:00Z") == "2023-11-02")
        #expect(DatePattern.normalizeISO("02.11.2023") == nil)
        #expect(throws: DatePattern.SyntaxError.self) { try DatePattern("dd.MM.yy") }
    }

    @Test func secretsResolveWithoutLeaking() throws {
        let secret = try SecretString("Bearer ${env:VIGIL_TEST_TOKEN}!")
        #expect(try secret.resolve(environment: ["VIGIL_TEST_TOKEN": "s3cret"], directory: "/") == "Bearer s3cret!")
        #expect(String(describing: secret) == "<secret>")
        #expect(throws: SecretString.Failure.missingEnvironment("VIGIL_TEST_TOKEN")) {
            try secret.resolve(environment: [:], directory: "/")
        }
        #expect(throws: SecretString.Failure.self) { try SecretString("${env:unterminated") }
    }

    @Test func systemdCredentialsResolveFromTheCredentialsDirectory() throws {
        let directory = try TemporaryDirectory()
        try "hunter2\n".write(toFile: directory.path + "/smtp-password", atomically: true, encoding: .utf8)
        let secret = try SecretString("${credential:smtp-password}")
        #expect(
            try secret.resolve(environment: ["CREDENTIALS_DIRECTORY": directory.path], directory: "/") == "hunter2")
        #expect(throws: SecretString.Failure.missingCredential("smtp-password")) {
            try secret.resolve(environment: [:], directory: "/")
        }
        #expect(throws: SecretString.Failure.missingCredential("smtp-password")) {
            try secret.resolve(environment: ["CREDENTIALS_DIRECTORY": directory.path + "/none"], directory: "/")
        }
        #expect(throws: SecretString.Failure.self) { try SecretString("${credential:../etc/shadow}") }
    }

    @Test func whitespaceNoiseIsFolded() {
        #expect(TextNormalizer.clean("  Aram \t Vardoyantz\n") == "Aram Vardoyantz")
        #expect(TextNormalizer.clean("Aram\u{00A0}Vardoyantz") == "Aram Vardoyantz")
        #expect(TextNormalizer.clean("already clean") == "already clean")
        #expect(TextNormalizer.statusKey(" Libéré ") == "libéré")
    }
}

/// Every problem `Configuration.parse` reports for `text` (none when it is valid).
func configurationIssues(_ text: String, file: String) -> [ConfigIssue] {
    do {
        _ = try Configuration.parse(Array(text.utf8), file: file)
        return []
    } catch {
        return error.issues
    }
}
