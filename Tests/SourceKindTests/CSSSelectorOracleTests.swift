import Foundation
import Testing
import VigilTesting
import VigilXML

/// The CSS compiler against the `cssselect` package: on generated documents, every
/// generated selector of the subset must select exactly the elements cssselect's own
/// translation selects (lxml evaluates it; libxml2 evaluates ours).
@Suite struct CSSSelectorOracleTests {
    static let tags = ["div", "p", "span", "a", "ul", "li", "table", "tr", "td", "em"]
    static let classes = ["a", "b", "c", "name"]
    static let ids = ["x", "y", "z"]

    /// A random body of nested elements, each numbered with `data-n`.
    func document(_ random: inout SeededGenerator) -> String {
        var counter = 0
        func element(depth: Int) -> String {
            counter += 1
            let tag = Self.tags.randomElement(using: &random) ?? "div"
            var attributes = " data-n=\"\(counter)\""
            if Bool.random(using: &random) {
                let chosen = Self.classes.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }
                attributes += " class=\" \(chosen.joined(separator: "  ")) \""
            }
            if Int.random(in: 0..<4, using: &random) == 0 {
                attributes += " id=\"\(Self.ids.randomElement(using: &random) ?? "x")\""
            }
            if Int.random(in: 0..<3, using: &random) == 0 {
                attributes += " data-k=\"\(["1", "12", "21", "a b", "x-1"].randomElement(using: &random) ?? "1")\""
            }
            let children =
                depth > 3 ? 0 : Int.random(in: 0...(depth == 0 ? 6 : 3), using: &random)
            let inner = (0..<children).map { _ in element(depth: depth + 1) }.joined()
            return "<\(tag)\(attributes)>t\(inner)</\(tag)>"
        }
        let body = (0..<4).map { _ in element(depth: 0) }.joined()
        return "<html><body>\(body)</body></html>"
    }

    func compound(_ random: inout SeededGenerator) -> String {
        var text = ["", "*", Self.tags.randomElement(using: &random) ?? "div"].randomElement(using: &random) ?? ""
        let count = Int.random(in: text.isEmpty ? 1...2 : 0...2, using: &random)
        for _ in 0..<count {
            let value = ["1", "12", "2", "a", "x-1"].randomElement(using: &random) ?? "1"
            let options = [
                "#\(Self.ids.randomElement(using: &random) ?? "x")",
                ".\(Self.classes.randomElement(using: &random) ?? "a")",
                "[data-k]", "[data-k=\"\(value)\"]", "[data-k^=\"\(value)\"]", "[data-k$=\"\(value)\"]",
                "[data-k*=\"\(value)\"]", "[data-k~=\"\(value)\"]", "[class]", "[id=x]",
                ":first-child", ":last-child",
                ":nth-child(\(["1", "2", "odd", "even", "2n+1", "3n", "-n+2", "n+3", "3n-1", "-2n+5"].randomElement(using: &random) ?? "1"))",
            ]
            text += options.randomElement(using: &random) ?? ""
        }
        return text
    }

    func selector(_ random: inout SeededGenerator) -> String {
        var text = compound(&random)
        for _ in 0..<Int.random(in: 0...2, using: &random) {
            text += [" ", " > ", ">"].randomElement(using: &random) ?? " "
            text += compound(&random)
        }
        if Int.random(in: 0..<8, using: &random) == 0 { text += ", " + compound(&random) }
        return text
    }

    struct Result: Decodable {
        var selected: [String]?
        var error: String?
    }

    @Test func generatedSelectorsSelectWhatCssselectSelects() async throws {
        var random = SeededGenerator(seed: 0x5E1E_C7)
        var compared = 0
        for round in 0..<6 {
            let html = document(&random)
            let selectors = (0..<100).map { _ in selector(&random) }
            let input = try JSONSerialization.data(withJSONObject: ["html": html, "selectors": selectors])
            let output = try await PythonOracle.run("css_reference.py", input: String(decoding: input, as: UTF8.self))
            let expected = try JSONDecoder().decode([Result].self, from: Data(output.utf8))
            try #require(expected.count == selectors.count)
            let parsed = try MarkupDocument.html(Array(html.utf8))
            let evaluator = try XPathEvaluator(parsed)
            for (selector, oracle) in zip(selectors, expected) {
                guard let wanted = oracle.selected else { continue }
                let compiled = try CSSSelector(selector)
                let ours = try evaluator.nodes(try XPath(compiled.xpath)).map { $0.attribute("data-n") ?? $0.name }
                #expect(ours == wanted, "round \(round): \(selector) → \(compiled.xpath)")
                compared += 1
            }
        }
        #expect(compared > 550)
    }

    @Test(arguments: [
        ("a + b", "sibling combinators (+, ~) are outside the supported subset at column 3"),
        ("a:hover", "unsupported pseudo-class :hover at column 3"),
        ("[href|=en]", "[attr|=v] is outside the supported subset at column 8"),
        ("li::before", "unsupported pseudo-element ::before (supported: ::text, ::attr(name)) at column 11"),
        ("", "expected a selector at column 1"),
    ])
    func selectorsOutsideTheSubsetAreRefusedWithAColumn(selector: String, message: String) {
        #expect(throws: CSSSelectorError.self) { try CSSSelector(selector) }
        do {
            _ = try CSSSelector(selector)
        } catch {
            #expect(error.description == message)
        }
    }
}
