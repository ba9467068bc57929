import Testing
import VigilCore

/// CSV exports as they come: title lines before the header, or no header at all.
@Suite struct CSVLayoutTests {
    func read(_ options: String, _ text: String) async throws -> ParsedSource {
        let source = try SourceHarness.source(
            #"{"id": "c", "type": "csv", "path": "x.csv", \#(options)}"#)
        return try await source.parse(Array(text.utf8))
    }

    @Test func titleLinesBeforeTheHeaderAreSkipped() async throws {
        let text = "Ministry of Justice\r\nExport of 30.11.2026\nid;name;status\nVG-1;Arman;detained\n"
        let parsed = try await read(
            #""delimiter": ";", "skipLines": 2, "key": "id", "name": "name", "status": "status""#, text)
        #expect(parsed.lines == ["VG-1: Arman [detained]"])
    }

    @Test func withoutAHeaderColumnsAreNumbersFromOne() async throws {
        let parsed = try await read(
            #""header": false, "key": "1", "name": ["2", "3"], "fields": {"place": "4"}"#,
            "VG-1,Arman,Petrosyan,Yerevan\nVG-2,Lilit,Hakobyan,\n")
        #expect(parsed.lines == ["VG-1: Arman Petrosyan [unknown] place=Yerevan", "VG-2: Lilit Hakobyan [unknown]"])
    }

    @Test func errorsCountRowsAsAnEditorShowsThem() async throws {
        await #expect(
            throws: SourceFailure.parse("row 4 has 2 fields, the header has 3 (a truncated or broken document?)")
        ) {
            try await read(#""skipLines": 1, "key": "id", "name": "name""#, "Title\nid,name,x\nA,B,C\nA2,B2\n")
        }
        await #expect(
            throws: SourceFailure.parse("column \"5\" is not a column number from 1 to 2 (the first row's width)")
        ) {
            try await read(#""header": false, "key": "1", "name": "5""#, "A,B\n")
        }
        #expect {
            try SourceHarness.source(
                #"{"id": "c", "type": "csv", "path": "x.csv", "header": false, "key": "id", "name": "2"}"#)
        } throws: { error in
            "\(error)".contains(
                "$.sources[0].key: with \"header\": false, columns are numbers from 1 (\"1\", \"2\"), got \"id\"")
        }
    }
}
