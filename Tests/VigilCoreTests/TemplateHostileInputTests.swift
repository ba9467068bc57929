import Foundation
import Testing

@testable import VigilCore

/// Templates built to break the checker or the renderer: deep nesting is a located problem,
/// oversized templates are refused before the (quadratic) Mustache parser sees them.
@Suite struct TemplateHostileInputTests {
    @Test func sectionsNestedTooDeeplyAreAProblemNotACrash() {
        let deep = String(repeating: "{{#record}}", count: 1000) + "x" + String(repeating: "{{/record}}", count: 1000)
        let problems = TemplateChecker.check(deep, schema: .notification).problems
        #expect(problems.count == 1)
        #expect(problems.first?.message == "sections nested deeper than 32 levels")
        #expect(problems.first?.column == 32 * 11 + 1)
        let fine = String(repeating: "{{#record}}", count: 32) + "x" + String(repeating: "{{/record}}", count: 32)
        #expect(TemplateChecker.check(fine, schema: .notification).problems.isEmpty)
    }

    @Test func oversizedTemplatesAreRefusedAndLargeOnesCheckedInOnePass() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-tpl-\(UUID())").path
        let folder = directory + "/default/en"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let tags = Array(repeating: "{{record.name}}", count: 3000).joined(separator: "\n")
        try Data(tags.utf8).write(to: URL(fileURLWithPath: folder + "/changed.text.mustache"))
        var problems: [ConfigIssue] = []
        _ = TemplateLibrary(directory: directory, defaultLanguage: "en") { problems.append($0) }
        #expect(problems.map(\.message) == ["template larger than 32 KiB (47999 bytes)"])

        let fits = Array(repeating: "{{record.name}}", count: 2000).joined(separator: "\n")
        try Data(fits.utf8).write(to: URL(fileURLWithPath: folder + "/changed.text.mustache"))
        problems = []
        let library = TemplateLibrary(directory: directory, defaultLanguage: "en") { problems.append($0) }
        #expect(problems.isEmpty)
        #expect(TemplateChecker.check(tags + "{{record.nam}}", schema: .notification).problems.map(\.line) == [3000])
        _ = library
    }
}
