import Foundation
import Testing
import VigilTesting

/// `docs/config.schema.json` and `vigil check` agree: the schema is checked by the jsonschema
/// package against config.example.json and every configuration block of the documentation;
/// its own examples pass `vigil check`; broken configurations fail both, at the same place.
@Suite struct ConfigSchemaTests {
    struct Report: Decodable {
        struct Document: Decodable {
            var name: String
            var part: String
            var errors: [String]
        }
        struct Negative: Decodable {
            var name: String
            var errors: [String]
        }
        var schemaErrors: [String]
        var documents: [Document]
        var skipped: [String]
        var negatives: [Negative]
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../..").standardizedFileURL.path

    /// What the jsonschema package says, and the raw JSON (examples, broken configurations).
    func oracle() async throws -> (Report, [String: Any]) {
        let output = try await PythonOracle.run(
            "config_schema_check.py", input: #"{"repo": "\#(Self.repository)"}"#)
        let report = try JSONDecoder().decode(Report.self, from: Data(output.utf8))
        let raw = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
        return (report, raw)
    }

    @Test func theExampleAndEveryDocumentedBlockFollowTheSchema() async throws {
        let (report, _) = try await oracle()
        #expect(report.schemaErrors.isEmpty, "the schema is valid JSON Schema 2020-12: \(report.schemaErrors)")
        #expect(report.documents.contains { $0.name == "config.example.json" })
        #expect(report.documents.contains { $0.name.hasPrefix("README.md") })
        #expect(report.documents.contains { $0.name.hasPrefix("docs/sources.md") && $0.part == "source" })
        #expect(report.documents.count >= 10, "\(report.documents.map(\.name))")
        #expect(report.skipped == ["README.md block 2"], "only the webhook payload is not configuration")
        for document in report.documents {
            #expect(document.errors.isEmpty, "\(document.name) (\(document.part)): \(document.errors)")
        }
    }

    @Test func theSchemasOwnExamplesPassVigilCheck() async throws {
        let (_, raw) = try await oracle()
        let examples = try #require(raw["examples"] as? [Any])
        #expect(examples.count >= 2)
        let vigil = try VigilProcess()
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        let environment = [
            "VIGIL_EXAMPLE_API_KEY": "k", "VIGIL_EXAMPLE_USER": "u", "VIGIL_EXAMPLE_PASSWORD": "p",
            "VIGIL_EXAMPLE_SMTP_PASSWORD": "s", "VIGIL_EXAMPLE_MATRIX_TOKEN": "t",
            "VIGIL_EXAMPLE_WEBHOOK_SECRET": secret,
            "VIGIL_EXAMPLE_WEBHOOK_OLD_SECRET": secret, "VIGIL_EXAMPLE_PUSH_SECRET": secret,
        ]
        var covered: Set<String> = []
        for (index, example) in examples.enumerated() {
            let name = "example-\(index).json"
            try vigil.write(
                name, String(decoding: try JSONSerialization.data(withJSONObject: example), as: UTF8.self))
            let check = try await vigil.run(["check", "--config", name], environment: environment)
            #expect(check.status == 0, "schema example \(index): \(check.stderr)")
            for source in (example as? [String: Any])?["sources"] as? [[String: Any]] ?? [] {
                if let type = source["type"] as? String { covered.insert("source:" + type) }
            }
            for output in (example as? [String: Any])?["outputs"] as? [[String: Any]] ?? [] {
                if let type = output["type"] as? String { covered.insert("output:" + type) }
            }
        }
        let kinds =
            ["json", "csv", "push", "html", "feed", "xlsx", "command"].map { "source:" + $0 }
            + ["stdout", "smtp", "matrix", "webhook"].map { "output:" + $0 }
        #expect(Set(kinds).isSubset(of: covered), "every source and output type has an example: \(covered.sorted())")
    }

    @Test func brokenConfigurationsFailTheSchemaAndVigilCheckAtTheSamePlace() async throws {
        let (report, raw) = try await oracle()
        let negatives = try #require(raw["negatives"] as? [[String: Any]])
        // Where `vigil check` must point for each (the schema's own paths differ in spelling).
        let expected: [String: String] = [
            "unknown top-level key": "$.source:", "misspelt source key": "$.sources[0].urll:",
            "maxDrop as a string": "$.sources[0].maxDrop:",
            "status word mapped to no canonical status": "$.sources[0].statusMap.x:",
            "unknown output type": "$.outputs[1].type:", "rule without via": "$.rules[0]:",
            "confirm with zero runs": "$.rules[2].confirm.runs:",
            "preference for an unknown event kind": "$.recipients[2].preferences.events:",
            "duration without a unit": "$.deadlines[0].overdue:", "source without key": "$.sources[1]:",
            "secret with an unknown reference": "$.sources[0].headers['X-Key']:",
        ]
        #expect(Set(report.negatives.map(\.name)) == Set(expected.keys))
        let vigil = try VigilProcess()
        // The example's relative paths (crosswalk, templates) resolve from the scratch directory.
        try FileManager.default.createSymbolicLink(
            atPath: vigil.directory + "/examples", withDestinationPath: Self.repository + "/examples")
        let intact = try String(contentsOfFile: Self.repository + "/config.example.json", encoding: .utf8)
        try vigil.write("intact.json", intact)
        let control = try await vigil.run(["check", "--config", "intact.json", "--state", "state"])
        #expect(control.status == 0, "the unbroken example passes here: \(control.stderr)")
        for (negative, rawNegative) in zip(report.negatives, negatives) {
            #expect(!negative.errors.isEmpty, "the schema accepts a broken configuration: \(negative.name)")
            let config = try #require(rawNegative["config"])
            try vigil.write(
                "broken.json", String(decoding: try JSONSerialization.data(withJSONObject: config), as: UTF8.self))
            let check = try await vigil.run(["check", "--config", "broken.json", "--state", "state"])
            #expect(check.status == 78, "vigil check accepts a broken configuration: \(negative.name)")
            if let place = expected[negative.name] {
                #expect(check.stderr.contains(place), "\(negative.name): \(check.stderr)")
            }
        }
    }
}
