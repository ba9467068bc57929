import Testing

@testable import VigilCore

@Suite struct JSONParserTests {
    @Test func parsesNestedDocumentKeepingMemberOrder() throws {
        let value = try JSONParser.parse(
            #"{"b": [1, 2.5e3, -0.1], "a": {"x": null, "y": true}, "s": "é\n\u00e9\ud83d\ude00"}"#)
        guard case .object(let members) = value.kind else {
            Issue.record("expected an object")
            return
        }
        #expect(members.map(\.key) == ["b", "a", "s"])
        #expect(
            value["b"]
                == JSONValue(
                    .array([
                        JSONValue(.number("1"), offset: 7), JSONValue(.number("2.5e3"), offset: 10),
                        JSONValue(.number("-0.1"), offset: 17),
                    ]), offset: 6))
        #expect(value["a"]?["y"]?.kind == .bool(true))
        #expect(value["s"]?.scalarText == "é\né😀")
    }

    @Test(arguments: [
        (#"{"a": 1,}"#, 1, 9, "expected a member name"),
        ("[1, 2", 1, 6, "unexpected end of document"),
        ("{\n  \"a\": tru\n}", 2, 8, "expected a value"),
        (#"{"a": "x"} extra"#, 1, 12, "after the end of the document"),
        (#"["unterminated]"#, 1, 2, "unterminated string"),
        ("[01]", 1, 3, "expected ',' or ']'"),
        ("\"tab\there\"", 1, 5, "control character"),
        ("", 1, 1, "unexpected end of document"),
    ])
    func reportsErrorsWithLineAndColumn(input: String, line: Int, column: Int, message: String) {
        #expect {
            _ = try JSONParser.parse(input)
        } throws: { error in
            guard let failure = error as? JSONParser.Failure else { return false }
            return failure.location == TextLocation(line: line, column: column) && failure.message.contains(message)
        }
    }

    @Test func rejectsInvalidUTF8AndDeepNesting() {
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse([0x22, 0xFF, 0x22]) }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParser.Failure.self) { try JSONParser.parse(deep) }
    }

    @Test func writerRoundTripsEscapes() throws {
        let text = "quote \" backslash \\ newline \n control \u{01} Армения"
        let encoded = JSONWriter.string(text)
        #expect(try JSONParser.parse(encoded).scalarText == text)
        #expect(JSONWriter.object(["b": "2", "a": "1"]) == #"{"a":"1","b":"2"}"#)
    }

    @Test func locationCountsScalarsNotBytes() {
        let bytes = Array("é\nаб x".utf8)
        let offset = bytes.firstIndex(of: UInt8(ascii: "x"))!
        #expect(TextLocation(offset: offset, in: bytes) == TextLocation(line: 2, column: 4))
    }
}

@Suite struct JSONPathTests {
    let document = try! JSONParser.parse(
        #"{"regions": [{"people": [{"id": 1}, {"id": 2}]}, {"people": [{"id": 3}]}], "odd key": [{"id": 9}]}"#)

    @Test func selectsThroughNestedArrays() throws {
        let ids = try JSONPath("$.regions[*].people[*]").select(in: document).compactMap { $0["id"]?.scalarText }
        #expect(ids == ["1", "2", "3"])
        #expect(try JSONPath("$['odd key'][0].id").select(in: document).first?.scalarText == "9")
        #expect(try JSONPath("$.regions[1].people[*]").select(in: document).count == 1)
        #expect(try JSONPath("$.missing[*]").select(in: document).isEmpty)
    }

    @Test(arguments: [("prisoners[*]", 1), ("$.", 3), ("$[x]", 3), ("$.a[*", 6), ("$['a", 5)])
    func rejectsBadSyntaxWithColumn(text: String, column: Int) {
        #expect {
            _ = try JSONPath(text)
        } throws: { error in
            (error as? JSONPath.SyntaxError)?.column == column
        }
    }
}
