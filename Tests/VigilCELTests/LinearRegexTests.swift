import Foundation
import Testing
import VigilTesting

@testable import VigilCEL
@testable import VigilCore

/// CEL's `matches` in RE2 syntax and linear time, checked against RE2 itself (google-re2).
@Suite struct LinearRegexTests {
    @Test func backtrackingTrapsCostLinearTime() throws {
        let hostile = String(repeating: "a", count: 5000) + "!"
        for pattern in ["(a+)+$", "(a|aa)+$", "(a*)*b", "^(a?){30}a{30}$", "(.*a){20}"] {
            let regex = try LinearRegex(pattern)
            let started = ContinuousClock.now
            _ = regex.matches(hostile)
            #expect(ContinuousClock.now - started < .seconds(2), "\(pattern)")
        }
        #expect(try LinearRegex("(a+)+$").matches(String(repeating: "a", count: 30)))
        #expect(try !LinearRegex("(a+)+$").matches(String(repeating: "a", count: 30) + "b"))
    }

    @Test(arguments: [
        ("(a)\\1", "backreferences"), ("a(?=b)", "lookahead"), ("(?<=a)b", "lookbehind"), ("a++", "possessive"),
        ("a{1001}", "counts above 1000"), ("[z-a]", "range"), ("(", "missing ')'"), (")", "unmatched ')'"),
        ("*a", "missing argument"), ("a**", "bad repetition"), ("\\q", "invalid escape"), ("[a", "missing ']'"),
    ])
    func patternsOutsideRE2AreRefusedAtCheckTime(pattern: String, message: String) {
        #expect {
            _ = try LinearRegex(pattern)
        } throws: { error in
            (error as? RE2SyntaxError)?.message.contains(message) == true
        }
        #expect(throws: CELSyntaxError.self) {
            _ = try CELProgram(
                "record.name.matches('\(pattern.replacingOccurrences(of: "\\", with: "\\\\"))')", variables: ["record"])
        }
    }

    /// Random patterns from RE2's syntax against random texts, compared with RE2.
    @Test func agreesWithRE2() async throws {
        var generator = SeededGenerator(seed: 20_261_201)
        let atoms = [
            "a", "b", "c", ".", "\\d", "\\w", "\\s", "\\W", "[ab]", "[^a]", "[a-c0-9]", "[[:alpha:]]", "é", "Ա", "\\.",
            "\\b", "\\B", "^", "$", "(?i:A)", "\\x41", "[\\d_]", "\\n",
        ]
        let quantifiers = ["", "", "", "*", "+", "?", "{2}", "{1,3}", "{0,}", "*?", "+?"]
        func pattern(_ depth: Int) -> String {
            var parts: [String] = []
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                var atom = atoms[Int.random(in: 0..<atoms.count, using: &generator)]
                if depth < 2, Int.random(in: 0..<5, using: &generator) == 0 {
                    atom =
                        "(" + pattern(depth + 1) + (Bool.random(using: &generator) ? "|" + pattern(depth + 1) : "")
                        + ")"
                }
                let quantifiable = !["^", "$", "\\b", "\\B"].contains(atom)
                parts.append(
                    atom + (quantifiable ? quantifiers[Int.random(in: 0..<quantifiers.count, using: &generator)] : ""))
            }
            return parts.joined()
        }
        let alphabet = ["a", "b", "c", "A", "1", "_", " ", "\n", "é", "Ա", "."]
        var cases: [(String, String)] = []
        for index in 0..<600 {
            let flags = index % 7 == 0 ? "(?i)" : index % 11 == 0 ? "(?m)" : index % 13 == 0 ? "(?s)" : ""
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                alphabet[Int.random(in: 0..<alphabet.count, using: &generator)]
            }.joined()
            cases.append((flags + pattern(0), text))
        }
        let request =
            "{\"cases\": ["
            + cases.map { "[" + JSONWriter.string($0.0) + "," + JSONWriter.string($0.1) + "]" }
            .joined(separator: ",") + "]}"
        let answers = try #require(
            try JSONSerialization.jsonObject(
                with: Data(try await PythonOracle.run("re2_reference.py", input: request).utf8))
                as? [[String: Any]])
        #expect(answers.count == cases.count)
        var compared = 0
        for ((pattern, text), answer) in zip(cases, answers) {
            let ours: LinearRegex?
            var refusal = ""
            do {
                ours = try LinearRegex(pattern)
            } catch {
                ours = nil
                refusal = error.description
            }
            if answer["error"] as? Bool == true {
                #expect(ours == nil, "RE2 refuses \(pattern), Vigil accepts it")
                continue
            }
            guard let ours else {
                Issue.record("RE2 accepts \(pattern), Vigil refuses it: \(refusal)")
                continue
            }
            compared += 1
            #expect(
                ours.matches(text) == (answer["match"] as? Bool),
                "\(pattern) on \(text.debugDescription): RE2 says \(answer["match"] ?? "?")")
        }
        #expect(compared > 500)
    }
}
