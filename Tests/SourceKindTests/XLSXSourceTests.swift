import Foundation
import Testing
import VigilCore
import VigilTesting

/// `xlsx` sources, on workbooks written by openpyxl (and two made by hand) in the test setup.
@Suite struct XLSXSourceTests {
    /// The fixtures, written once per test run by `make_xlsx.py` into a fresh folder.
    static func workbooks() async throws -> TemporaryDirectory { try made.get() }

    private static let made = Result { try make() }

    private static func make() throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory("xlsx")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Servers/make_xlsx.py").standardizedFileURL.path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, folder.path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "make_xlsx.py failed")
        return folder
    }

    let list = """
        {"id": "xl", "type": "xlsx", "%@": "%@", "sheet": "Detained", "headerRow": 3,
         "key": "No.", "name": "Full name", "status": "Status",
         "fields": {"detained": "Detained on", "cell": "Cell", "minor": "Minor"}}
        """

    func source(_ location: String, _ value: String) -> String {
        list.replacingOccurrences(of: "\"%@\": \"%@\"", with: "\"\(location)\": \"\(value)\"")
    }

    @Test func aNamedSheetWithTitleLinesRichTextDatesAndArmenian() async throws {
        let folder = try await Self.workbooks()
        let expected = [
            "VG-1: Արման Պետրոսյան [detained] cell=4 detained=2024-03-12 minor=FALSE",
            "VG-2: Lilit Hakobyan [released] cell=12 detained=2024-05-01 minor=TRUE",
            "VG-3: Иванов Иван Иванович [sentenced] detained=2024-06-01T09:30:00 minor=FALSE",
            "VG-4: Ani Mkrtchyan [detained] cell=7 detained=2023-12-31 minor=FALSE",
        ]
        let file = try await SourceHarness.read(source("path", "list.xlsx"), directory: folder.path)
        #expect(file.lines == expected)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("list.xlsx"))))
        let url = try await SourceHarness.serve(
            bytes, as: "list.xlsx", contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        #expect(try await SourceHarness.read(source("url", url)).lines == expected)
    }

    @Test func inlineStringsAndThe1904DateSystem() async throws {
        let folder = try await Self.workbooks()
        let json =
            #"{"id": "in", "type": "xlsx", "path": "inline.xlsx", "key": "id", "name": "name", "fields": {"since": "since"}}"#
        #expect(
            try await SourceHarness.read(json, directory: folder.path).lines == [
                "IN-1: Anna Lee [unknown] since=2021-09-23"
            ])
    }

    @Test func aZipBombStopsAtTheCapAndFailsClosed() async throws {
        let folder = try await Self.workbooks()
        let json =
            #"{"id": "b", "type": "xlsx", "path": "bomb.xlsx", "maxBytes": 1000000, "key": "id", "name": "name"}"#
        do {
            _ = try await SourceHarness.read(json, directory: folder.path)
            Issue.record("a zip bomb was read")
        } catch let failure as SourceFailure {
            #expect(
                failure.description
                    == "cannot read records: the XLSX part xl/worksheets/people.xml inflates past 1000000 bytes (a zip bomb, or raise maxBytes)"
            )
        }
    }

    @Test func wrongSheetsColumnsAndDocumentsSayWhat() async throws {
        let folder = try await Self.workbooks()
        let cases: [(String, String)] = [
            (
                source("path", "list.xlsx").replacingOccurrences(of: "\"Detained\"", with: "\"Held\""),
                "cannot read records: the workbook has no sheet \"Held\" (sheets: About, Detained)"
            ),
            (
                source("path", "list.xlsx").replacingOccurrences(of: "\"headerRow\": 3", with: "\"headerRow\": 1"),
                "cannot read records: column \"No.\" is not in sheet \"Detained\" row 1 (found: List of detained persons)"
            ),
            (
                source("path", SourceHarness.fixtures + "/table.html"),
                "wrong document type: expected an XLSX spreadsheet, got an HTML page (a login or captcha page?)"
            ),
        ]
        for (json, message) in cases {
            do {
                _ = try await SourceHarness.read(json, directory: folder.path)
                Issue.record("read: \(json)")
            } catch let failure as SourceFailure {
                #expect(failure.description == message)
            }
        }
        // A workbook cut in half (an interrupted download saved as it was).
        let whole = try [UInt8](Data(contentsOf: URL(fileURLWithPath: folder.file("list.xlsx"))))
        let half = try await SourceHarness.serve(
            Array(whole.prefix(whole.count / 2)), as: "half.xlsx",
            contentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        let base = try TestServers.http()
        for (path, kind) in [
            ("/status/500", "http"), ("/empty", "empty"), ("/fixtures/login.html", "type"),
            (String(half.dropFirst(base.count)), "parse"),
        ] {
            do {
                _ = try await SourceHarness.read(source("url", base + path))
                Issue.record("read \(path)")
            } catch let failure as SourceFailure {
                #expect(failure.kind == kind, "\(path): \(failure)")
            }
        }
    }
}
