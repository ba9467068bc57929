import Foundation
import Testing
import VigilTesting

@testable import VigilCEL
@testable import VigilCore

/// Expressions and values written to break the evaluator: every one is an error value or a
/// syntax error with a column, never a trap or a stack overflow.
@Suite struct CELHostileInputTests {
    let variables = ["event", "record", "change", "source", "now"]

    func evaluate(_ source: String, change: [String: String] = [:]) throws -> Result<CELValue, CELError> {
        var changes: [CELValue: CELValue] = [:]
        for (field, to) in change { changes[.string(field)] = .map([.string("to"): .string(to)]) }
        return try CELProgram(source, variables: variables).evaluate([
            .map([:]), .null, .map(changes), .map([:]), .timestamp(Date(timeIntervalSince1970: 1_702_512_000)),
        ])
    }

    func expectError(_ source: String, _ message: String, change: [String: String] = [:]) throws {
        guard case .failure(let error) = try evaluate(source, change: change) else {
            Issue.record("\(source) should be an evaluation error")
            return
        }
        #expect(error.message.contains(message), "\(source): \(error.message)")
    }

    @Test func overflowingTimeArithmeticIsAnErrorValue() throws {
        // A source value that once trapped on every run.
        try expectError(
            "duration(change.place.to) > duration('1h')", "invalid duration", change: ["place": "99999999999999999w"])
        try expectError(
            "duration(change.place.to) > duration('1h')", "invalid duration", change: ["place": "9223372036854775807s"])
        try expectError("duration('2562047h') + duration('2562047h') > duration('1h')", "duration out of range")
        try expectError("duration('2562047h') - duration('-2562047h') > duration('1h')", "duration out of range")
        try expectError("timestamp('9999-12-31T23:59:59Z') + duration('1s')", "timestamp out of range")
        try expectError("timestamp('0001-01-01T00:00:00Z') - duration('1s')", "timestamp out of range")
        try expectError(
            "timestamp('0001-01-01T00:00:00Z') - timestamp('9999-12-31T00:00:00Z')", "duration out of range")
        try expectError("timestamp(change.at.to)", "timestamp out of range", change: ["at": "0000-01-01T00:00:00Z"])
        try expectError("-duration('2562047h') - duration('2562047h')", "duration out of range")
        #expect(try evaluate("string(duration('-90m'))") == .success(.string("-1h30m")))
        #expect(try evaluate("int(timestamp('9999-12-31T23:59:59Z'))") == .success(.int(253_402_300_799)))
        #expect(try evaluate("string(timestamp('0001-01-01T00:00:00Z'))") == .success(.string("0001-01-01T00:00:00Z")))
        #expect(try evaluate("duration('2562047h') > duration('1h')") == .success(.bool(true)))
    }

    @Test func durationsOutsideTheRangeAreRefusedWhereverTheyAreRead() {
        #expect(DurationParser.parse("99999999999999999w") == nil)
        #expect(DurationParser.parse("9223372036854775807s") == nil)
        #expect(DurationParser.parse("99999999999999999999999s") == nil)
        #expect(DurationParser.parse("2562047h") == .seconds(2_562_047 * 3600))
        #expect(DurationParser.parse("1h30m") == .seconds(5400))
        #expect(DurationParser.format(.seconds(-5400)) == "-1h30m")
        #expect(CELFunctions.parseDuration("--1h") == nil, "one sign only, no recursion on a hostile prefix")
        #expect(CELFunctions.parseDuration(String(repeating: "-", count: 100_000) + "1h") == nil)
    }

    @Test func deepNestingIsASyntaxErrorNotAStackOverflow() {
        for source in [
            String(repeating: "[", count: 1000) + String(repeating: "]", count: 1000),
            String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000),
            String(repeating: "!", count: 5000) + "true",
            String(repeating: "-", count: 5000) + "1",
            "size(" + String(repeating: "size(", count: 2000) + "'a'" + String(repeating: ")", count: 2001),
            (1...1000).map(String.init).joined(separator: " + "),
            "record" + String(repeating: ".a", count: 1000),
            String(repeating: "true ? ", count: 1000) + "1" + String(repeating: " : 2", count: 1000),
        ] {
            #expect(throws: CELSyntaxError.self, "\(source.prefix(20))…") {
                _ = try CELProgram(source, variables: variables)
            }
        }
        #expect(throws: CELSyntaxError.self) {
            _ = try CELProgram(String(repeating: "1 ", count: 600_000), variables: variables)
        }
    }

    @Test func longFlatLogicalChainsWorkAndFollowCELSemantics() throws {
        let terms = (0..<5000).map { "record.status == 's\($0)'" }
        let anyOf = try CELProgram(terms.joined(separator: " || "), variables: ["record"])
        #expect(anyOf.matches([.map([.string("status"): .string("s4999")])]))
        #expect(!anyOf.matches([.map([.string("status"): .string("other")])]))
        let allOf = try CELProgram(
            Array(repeating: "record.ok", count: 5000).joined(separator: " && "), variables: ["record"])
        #expect(allOf.matches([.map([.string("ok"): .bool(true)])]))
        #expect(
            try CELProgram("event.kind == 'a' && event.kind == 'b' && has(change.status)", variables: variables)
                .requiredValues(of: ["event", "kind"]) == [])
        #expect(
            try CELProgram("event.kind in ['a', 'b'] && true && event.kind == 'b'", variables: variables)
                .requiredValues(of: ["event", "kind"]) == ["b"])
        #expect(
            try CELProgram("has(change.place) && has(change.status) && true", variables: variables)
                .requiredFields(of: "change") == ["place", "status"])
    }
}
