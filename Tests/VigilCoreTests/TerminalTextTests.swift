import Foundation
import Testing

@testable import VigilCore

@Suite struct TerminalTextTests {
    @Test func controlsAreShownNotObeyed() {
        #expect(TerminalText.escape("a\u{1B}[2Jb\u{07}") == #"a\u{1B}[2Jb\u{7}"#)
        #expect(TerminalText.escape("x\u{9B}31m\u{7F}") == #"x\u{9B}31m\u{7F}"#)
        #expect(TerminalText.escape("\u{202E}txt.exe \u{2066}") == #"\u{202E}txt.exe \u{2066}"#)
        #expect(TerminalText.escape("line\n\tindented") == "line\n\tindented")
        #expect(TerminalText.escape("line\nnext", singleLine: true) == #"line\u{A}next"#)
        #expect(TerminalText.escape("Տիգրան Վարդոյանց 😀") == "Տիգրան Վարդոյանց 😀")
    }

    @Test func jsonStaysTheSameDataAndBecomesHarmless() throws {
        let value = "a\u{1B}]0;title\u{07} \u{202E}b \u{85}c"
        let json = "{\"name\":" + JSONWriter.string(value) + "}"
        let safe = TerminalText.escapeJSON(json)
        #expect(!safe.unicodeScalars.contains { TerminalText.isUnsafe($0, singleLine: true) })
        let decoded = try JSONSerialization.jsonObject(with: Data(safe.utf8)) as? [String: String]
        #expect(decoded?["name"] == value)
    }
}
