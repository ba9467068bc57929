import Foundation
import Testing
import VigilTesting

@testable import VigilServer

/// The console's shipped pages, and a team's own replacing them one by one.
@Suite struct ConsoleTemplatesTests {
    @Test func aFileReplacesOneShippedPageAndValuesAreEscaped() throws {
        let directory = try TemporaryDirectory("console-templates")
        try "<p class=ours>{{message}}</p>".write(
            toFile: directory.file("message.mustache"), atomically: true, encoding: .utf8)
        let templates = try ConsoleTemplates(overrides: directory.path)
        #expect(
            templates.render("message", ["message": "<script>x</script>"])
                == "<p class=ours>&lt;script&gt;x&lt;/script&gt;</p>")
        let login = templates.render("login", ["t": ConsoleStrings.english, "loginCSRF": "token"])
        #expect(login.contains(#"name="csrf" value="token""#), "the other pages stay as shipped")
    }

    @Test func aTemplateThatDoesNotCompileStopsTheStart() throws {
        let directory = try TemporaryDirectory("console-templates")
        try "{{#items}}never closed".write(toFile: directory.file("held.mustache"), atomically: true, encoding: .utf8)
        #expect(throws: ConsoleTemplates.Failure.self) { try ConsoleTemplates(overrides: directory.path) }
    }

    @Test func everyShippedPageNamesOnlyWordsTheTableHas() throws {
        let words = Set(ConsoleStrings.english.keys)
        for (name, text) in ConsoleTemplates.shipped {
            for match in text.matches(of: /\{\{t\.([A-Za-z]+)\}\}/) {
                #expect(words.contains(String(match.1)), "\(name) uses t.\(match.1)")
            }
        }
    }
}
