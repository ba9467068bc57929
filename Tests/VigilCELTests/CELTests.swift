import Foundation
import Testing
import VigilTesting

@testable import VigilCEL
@testable import VigilCore

/// Vigil's CEL subset: table-driven, plus a cross-check against cel-python (the test
/// command installs it) on the expressions both implementations define the same way.
@Suite struct CELTests {
    static let variables = ["event", "record", "change", "source", "now"]

    static let activation: [CELValue] = [
        .map([.string("kind"): .string("changed")]),
        .map([
            .string("key"): .string("VG-017"), .string("name"): .string("Tigran Vardoyantz"),
            .string("status"): .string("released"), .string("tags"): .list([.string("soldiers-2020-12")]),
            .string("fields"): .map([
                .string("place"): .string("Colony East"), .string("lastIcrcVisit"): .string("2023-10-01"),
            ]),
        ]),
        .map([.string("status"): .map([.string("from"): .string("detained"), .string("to"): .string("released")])]),
        .map([.string("id"): .string("ministry-list")]),
        .timestamp(Date(timeIntervalSince1970: 1_702_512_000)),  // 2023-12-14T00:00:00Z
    ]

    func evaluate(_ source: String) throws -> Result<CELValue, CELError> {
        try CELProgram(source, variables: Self.variables).evaluate(Self.activation)
    }

    @Test(arguments: [
        ("event.kind == 'changed'", CELValue.bool(true)),
        ("record.status in ['released', 'pardoned', 'exchanged']", .bool(true)),
        ("change.status.from == 'detained' && change.status.to == 'released'", .bool(true)),
        ("has(record.fields.place) && !has(record.fields.sentence)", .bool(true)),
        ("size(record.tags) == 1 && 'soldiers-2020-12' in record.tags", .bool(true)),
        ("record.name.contains('Varda') || record.name.startsWith('Tig')", .bool(true)),
        ("record.name.endsWith('yantz') && record.name.matches('^T[a-z]+ V')", .bool(true)),
        ("record.name.lowerAscii()", .string("tigran vardoyantz")),
        ("1 + 2 * 3 - 4 / 2 % 3", .int(5)),
        ("-7 / 2", .int(-3)),
        ("2.5 * 2.0", .double(5.0)),
        ("'a' + \"b\" + r'\\n'", .string("ab\\n")),
        ("[1, 2] + [3]", .list([.int(1), .int(2), .int(3)])),
        ("{'a': 1, 'b': 2}['b']", .int(2)),
        ("record.status == 'released' ? 'free' : 'held'", .string("free")),
        ("now - timestamp(record.fields.lastIcrcVisit + 'T00:00:00Z') > duration('35d')", .bool(true)),
        ("timestamp('2023-12-20T00:00:00Z') - now < duration('7d')", .bool(true)),
        ("now + duration('24h') == timestamp('2023-12-15T00:00:00Z')", .bool(true)),
        ("source.id.startsWith('ministry')", .bool(true)),
        ("int('42') + int(2.9)", .int(44)),
        ("string(3) + string(true)", .string("3true")),
        ("1 == 1.0 && 2 < 2.5", .bool(true)),
        ("null == null", .bool(true)),
    ])
    func evaluates(source: String, expected: CELValue) throws {
        #expect(try evaluate(source) == .success(expected), "\(source)")
    }

    @Test(arguments: [
        ("record.missing", "no such key: missing"),
        ("1 / 0", "division by zero"),
        ("9223372036854775807 + 1", "int overflow"),
        ("'a' < 1", "no matching overload for '_<_' on string, int"),
        ("record.status.size", "does not support field selection"),
        ("[1][3]", "index out of range: 3"),
    ])
    func runtimeErrorsAreValuesNotCrashes(source: String, message: String) throws {
        guard case .failure(let error) = try evaluate(source) else {
            Issue.record("\(source) should fail")
            return
        }
        #expect(error.message.contains(message), "\(source): \(error.message)")
        #expect(try CELProgram(source, variables: Self.variables).matches(Self.activation) == false)
    }

    @Test func errorsAreAbsorbedByTheDecidingSide() throws {
        #expect(try evaluate("record.missing == 'x' && false") == .success(.bool(false)))
        #expect(try evaluate("false && record.missing == 'x'") == .success(.bool(false)))
        #expect(try evaluate("record.missing == 'x' || true") == .success(.bool(true)))
        guard case .failure = try evaluate("record.missing == 'x' || false") else {
            Issue.record("an error || false is an error")
            return
        }
    }

    @Test(arguments: [
        ("record.status ==", 17, "expected a value"),
        ("recrd.status == 'x'", 1, "undeclared reference to 'recrd'"),
        ("record.status = 'x'", 15, "unexpected character '='"),
        ("size(record.tags, 2)", 1, "takes 1 argument"),
        ("record.name.matches('[')", 12, "invalid regular expression"),
        ("duration('soon')", 1, "invalid duration"),
        ("has(record)", 1, "has() takes a field selection"),
        ("'unterminated", 1, "unterminated string"),
        ("frobnicate(1)", 1, "unknown function 'frobnicate'"),
        ("(1 + 2", 7, "expected ')'"),
    ])
    func syntaxErrorsPointAtTheColumn(source: String, column: Int, message: String) {
        #expect {
            _ = try CELProgram(source, variables: Self.variables)
        } throws: { error in
            guard let error = error as? CELSyntaxError else { return false }
            return error.column == column && error.message.contains(message)
        }
    }

    @Test func caretLinesShowWhere() {
        let error = CELSyntaxError("undeclared reference to 'recrd'", column: 5)
        #expect(error.caret(in: "1 + recrd") == "1 + recrd\n    ^")
    }

    /// The same expressions through cel-python (PyPI); skipped results differ in documented ways only.
    @Test func agreesWithCelPython() async throws {
        let expressions = [
            "record.status == 'released'", "record.status in ['released', 'pardoned']", "1 + 2 * 3 - 4 / 2 % 3",
            "-7 / 2", "7 % 3", "2.5 * 2.0", "'a' + 'b'", "[1, 2] + [3]", "{'a': 1, 'b': 2}['b']",
            "size(record.tags)", "'soldiers' in record.tags", "record.name.startsWith('Tig')",
            "record.name.endsWith('yantz')", "record.name.contains('Vardo')", "record.name.matches('^T[a-z]+ V')",
            "record.status == 'released' ? 'free' : 'held'", "has(record.fields.place)", "has(record.fields.sentence)",
            "record.missing", "1 / 0", "9223372036854775807 + 1", "'a' < 'b'", "'b' < 'a'", "[1][3]",
            "record.missing == 'x' && false", "record.missing == 'x' || true", "!(record.status == 'detained')",
            "size('Հայ')", "string(42)", "int('17')", "record.fields.place == 'Colony East'",
            // Overflow is an evaluation error in both, never a crash.
            "duration('9999999999999999' + 'h') > duration('1h')", "timestamp('9999-12-31T23:59:59Z') + duration('1s')",
            "-9223372036854775807 - 2", "9223372036854775807 * 2",
            // Flat chains: the deciding value wins over an error anywhere in the chain.
            "true && true && false && (1 / 0 == 1)", "(1 / 0 == 1) || true || false", "false || (1 / 0 == 1) || false",
        ]
        let activation = """
            {"record": {"status": "released", "name": "Tigran Vardoyantz", "tags": ["soldiers-2020-12"],
                        "fields": {"place": "Colony East"}}}
            """
        let request =
            "{\"activation\": \(activation), \"expressions\": ["
            + expressions.map(JSONWriter.string).joined(separator: ",") + "]}"
        let reference = try await PythonOracle.run("cel_reference.py", input: request)
        let answers = try #require(try JSONSerialization.jsonObject(with: Data(reference.utf8)) as? [[String: Any]])
        #expect(answers.count == expressions.count)
        let record = try #require(try JSONParser.parse(activation)["record"])
        for (expression, answer) in zip(expressions, answers) {
            let ours = try CELProgram(expression, variables: ["record"]).evaluate([CELValue(json: record)])
            switch ours {
            case .failure:
                #expect(answer["error"] as? Bool == true, "\(expression): cel-python gave \(answer)")
            case .success(let value):
                #expect(answer["error"] == nil, "\(expression): cel-python failed, Vigil gave \(value)")
                if let expected = answer["value"] {
                    #expect(value.matchesReference(expected), "\(expression): Vigil \(value), cel-python \(expected)")
                }
            }
        }
    }
}

extension CELValue {
    /// Compares with cel_reference.py's JSON rendering of a value.
    func matchesReference(_ reference: Any) -> Bool {
        switch self {
        case .bool(let flag): return (reference as? Bool) == flag
        case .int(let number): return ((reference as? [String: Any])?["int"] as? NSNumber)?.int64Value == number
        case .double(let number): return ((reference as? [String: Any])?["double"] as? NSNumber)?.doubleValue == number
        case .string(let text): return (reference as? String) == text
        case .list(let items):
            guard let others = reference as? [Any], others.count == items.count else { return false }
            return zip(items, others).allSatisfy { $0.matchesReference($1) }
        default: return false
        }
    }
}

/// CEL values describe their strings exactly as JSON writes them (messages and previews
/// read the same as before CEL had its own target).
@Test(arguments: ["plain", "quote \" and \\ back", "line\nbreak\ttab\r", "bell \u{07} del \u{7F} é 🙂"])
func stringDescriptionsAreJSONStrings(text: String) {
    #expect(CELValue.string(text).description == JSONWriter.string(text))
}
