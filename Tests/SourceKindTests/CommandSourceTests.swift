import Foundation
import Testing
import VigilCore
import VigilTesting

/// `command` sources: real programs (pdftotext, cat, sh) with their output read as a list,
/// and every way a program can fail closed.
@Suite struct CommandSourceTests {
    @Test func aPDFListThroughPdftotextAndARowPattern() async throws {
        let folder = try TemporaryDirectory("pdf")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Servers/make_pdf.py").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, folder.file("list.pdf")]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        let json = #"""
            {"id": "pdf", "type": "command", "command": ["pdftotext", "-layout", "list.pdf", "-"],
             "format": "lines", "pattern": "\\s*(?<id>VG-\\d+)\\s{2,}(?<name>.+?)\\s{2,}(?<status>\\S+)\\s*",
             "key": "id", "name": "name", "status": "status"}
            """#
        #expect(
            try await SourceHarness.read(json, directory: folder.path).lines == [
                "VG-101: Arman Petrosyan [detained]", "VG-102: Lilit Hakobyan [released]",
                "VG-103: Davit Grigoryan [sentenced]",
            ])
    }

    @Test func outputIsReadAsCSVJSONOrHTMLWithThoseFormatsOptions() async throws {
        let csv = #"""
            {"id": "c", "type": "command", "command": ["cat", "exports/list-2026-11-30.csv"], "format": "csv",
             "key": "id", "name": "name", "status": "status"}
            """#
        #expect(
            try await SourceHarness.read(csv).lines == [
                "VG-1: Arman Petrosyan [detained]", "VG-2: Lilit Hakobyan [released]",
            ])
        let html = #"""
            {"id": "h", "type": "command", "command": ["/bin/cat", "page2.html"], "format": "html", "rows": "li.person",
             "key": "::attr(data-id)", "name": "span.name"}
            """#
        #expect(try await SourceHarness.read(html).records.map(\.key) == ["P-21", "P-22"])
        let json = #"""
            {"id": "j", "type": "command", "command": ["printf", "%s", "{\"people\": [{\"id\": 7, \"who\": \"Ani\"}]}"],
             "format": "json", "records": "$.people[*]", "key": "id", "name": "who"}
            """#
        #expect(try await SourceHarness.read(json).lines == ["7: Ani [unknown]"])
    }

    @Test func linesEndingInCRLFAreLinesToo() async throws {
        let json = #"""
            {"id": "crlf", "type": "command", "command": ["printf", "Title\\r\\nVG-1  Arman\\r\\nVG-2  Lilit\\r\\n"],
             "format": "lines", "pattern": "(?<id>VG-\\d+)\\s{2,}(?<name>.+)", "key": "id", "name": "name"}
            """#
        #expect(try await SourceHarness.read(json).lines == ["VG-1: Arman [unknown]", "VG-2: Lilit [unknown]"])
    }

    @Test func theProgramGetsAMinimalEnvironmentAndNamedVariables() async throws {
        let json = #"""
            {"id": "e", "type": "command", "command": ["env"], "format": "lines",
             "pattern": "(?<name>[A-Z_]+)=(?<value>.*)", "key": "name", "name": "name", "fields": {"value": "value"},
             "environment": {"LIST_TOKEN": "${env:HOME}-x"}}
            """#
        let records = try await SourceHarness.read(json).records
        let names = Set(records.map(\.key))
        #expect(names.isSubset(of: ["PATH", "LANG", "LC_ALL", "LIST_TOKEN", "PWD"]), "\(names)")
        #expect(
            records.first { $0.key == "LIST_TOKEN" }?.field("value")
                == (ProcessInfo.processInfo.environment["HOME"] ?? "") + "-x")
    }

    @Test(arguments: [
        (
            #"["sh", "-c", "echo starting; echo 'error: list server refused the token s3cr3t-value' >&2; exit 3"]"#, "",
            "fetch failed: sh exited with status 3; stderr: error: list server refused the token [secret]"
        ),
        (
            #"["sleep", "5"]"#, #", "timeout": "300ms""#,
            "fetch failed: sleep did not finish within 300ms; it was stopped"
        ),
        (
            #"["yes"]"#, #", "maxBytes": 10000"#,
            "fetch failed: yes printed more than 10000 bytes (maxBytes); it was stopped"
        ),
        (
            #"["sh", "-c", "echo about to die >&2; kill -9 $$"]"#, "",
            "fetch failed: sh was killed by signal 9; stderr: about to die"
        ),
        (#"["no-such-program-vigil"]"#, "", "fetch failed: no-such-program-vigil could not be run"),
        (#"["true"]"#, "", "no records: the document is empty"),
    ])
    func aFailingProgramFailsClosedWithItsStderr(command: String, options: String, message: String) async throws {
        let json = #"""
            {"id": "f", "type": "command", "command": \#(command), "format": "csv", "key": "id", "name": "name",
             "environment": {"TOKEN": "${env:VIGIL_TEST_SECRET}"}\#(options)}
            """#
        let source = try SourceHarness.source(json)
        do {
            _ = try await SourceHarness.read(source, environment: ["VIGIL_TEST_SECRET": "s3cr3t-value"])
            Issue.record("\(command) was read")
        } catch let failure as SourceFailure {
            #expect(failure.description.hasPrefix(message), "\(failure.description)")
        }
    }

    @Test func aCommandIsAnArgumentArrayAndHasNoURL() {
        for (json, message) in [
            (
                #"{"id": "x", "type": "command", "command": "pdftotext list.pdf -", "format": "csv", "key": "a", "name": "b"}"#,
                "$.sources[0].command: expected an array of strings"
            ),
            (
                #"{"id": "x", "type": "command", "command": ["cat"], "url": "https://example.org", "format": "csv", "key": "a", "name": "b"}"#,
                "$.sources[0].url: a command source has no \"url\""
            ),
            (
                #"{"id": "x", "type": "command", "command": ["cat"], "format": "lines", "pattern": "(?<id>\\d+)", "key": "id", "name": "who"}"#,
                "$.sources[0].name: \"who\" is not a named group of the pattern (groups: id)"
            ),
        ] {
            #expect {
                try SourceHarness.source(json)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
    }
}
