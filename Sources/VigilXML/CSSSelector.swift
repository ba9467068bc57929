/// A CSS selector of the documented subset, compiled to XPath 1.0.
///
/// The subset: type selectors and `*`; `#id`; `.class`; `[attr]`, `[attr=v]`, `[attr~=v]`,
/// `[attr^=v]`, `[attr$=v]`, `[attr*=v]`; `:nth-child(An+B)` (with `odd`, `even`),
/// `:first-child`, `:last-child`; descendant (space) and child (`>`) combinators; groups
/// (`a, b`). Two pseudo-elements pick what a field reads: `::attr(name)` (an attribute's
/// value, as `a::attr(href)`) and `::text`. Type and attribute names are matched in
/// lowercase, as libxml2's HTML parser stores them. The translation follows the `cssselect`
/// package, which the tests use as an oracle.
public struct CSSSelector: Sendable, Equatable {
    /// The selector as written.
    public let source: String
    /// The equivalent XPath, selecting from the document (`descendant-or-self::`) or, when
    /// compiled `relative`, from below a context node (`descendant::`).
    public let xpath: String

    public init(_ source: String, relative: Bool = false) throws(CSSSelectorError) {
        self.source = source
        var parser = CSSParser(Array(source.unicodeScalars))
        xpath = try parser.parseGroup(prefix: relative ? "descendant::" : "descendant-or-self::")
        // libxml2 names follow XML 1.0's older character classes: a name it cannot read is
        // refused here, with the selector's own wording, not at the first document.
        do {
            _ = try XPath(xpath)
        } catch {
            throw CSSSelectorError(message: "the selector names something XPath cannot (\(error.message))", column: 1)
        }
    }
}

/// A selector outside the subset or malformed; `column` is 1-based.
public struct CSSSelectorError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public let column: Int

    public var description: String { "\(message) at column \(column)" }
}

private struct CSSParser {
    let scalars: [Unicode.Scalar]
    var position = 0

    init(_ scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    func fail(_ message: String) -> CSSSelectorError {
        CSSSelectorError(message: message, column: position + 1)
    }

    mutating func skipSpaces() -> Bool {
        let start = position
        while let scalar = current, scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            position += 1
        }
        return position > start
    }

    mutating func parseGroup(prefix: String) throws(CSSSelectorError) -> String {
        var alternatives: [String] = []
        repeat {
            _ = skipSpaces()
            alternatives.append(try parseSelector(prefix: prefix))
            _ = skipSpaces()
        } while consume(",")
        guard current == nil else { throw fail("unexpected \"\(String(current ?? " "))\"") }
        return alternatives.joined(separator: " | ")
    }

    mutating func consume(_ scalar: Unicode.Scalar) -> Bool {
        guard current == scalar else { return false }
        position += 1
        return true
    }

    /// One complex selector: compounds joined by combinators, maybe ending in a pseudo-element.
    mutating func parseSelector(prefix: String) throws(CSSSelectorError) -> String {
        guard current != nil, current != "," else { throw fail("expected a selector") }
        if current == ":" && position + 1 < scalars.count && scalars[position + 1] == ":" {
            // A pseudo-element alone reads the context element itself (`::attr(data-id)` of a row).
            let pseudo = try parsePseudoElement()
            _ = skipSpaces()
            guard current == nil || current == "," else { throw fail("a pseudo-element ends the selector") }
            return (prefix == "descendant::" ? "self::*" : prefix + "*") + pseudo
        }
        var path = prefix + (try parseCompound())
        while true {
            let spaced = skipSpaces()
            guard let scalar = current, scalar != "," else { break }
            if scalar == ":" && position + 1 < scalars.count && scalars[position + 1] == ":" {
                guard !spaced else { throw fail("a pseudo-element follows its element without a space") }
                path += try parsePseudoElement()
                _ = skipSpaces()
                guard current == nil || current == "," else { throw fail("a pseudo-element ends the selector") }
                break
            }
            if consume(">") {
                _ = skipSpaces()
                path += "/" + (try parseCompound())
            } else if scalar == "+" || scalar == "~" {
                throw fail("sibling combinators (+, ~) are outside the supported subset")
            } else if spaced {
                path += "/descendant-or-self::*/" + (try parseCompound())
            } else {
                throw fail("unexpected \"\(String(scalar))\"")
            }
        }
        return path
    }

    /// `::attr(name)` → `/@name`; `::text` → nothing (a field reads an element's text anyway).
    mutating func parsePseudoElement() throws(CSSSelectorError) -> String {
        position += 2
        let name = try identifier(what: "a pseudo-element name")
        switch name.lowercased() {
        case "text":
            return ""
        case "attr":
            guard consume("(") else { throw fail("expected \"(\" after ::attr") }
            _ = skipSpaces()
            let attribute = try identifier(what: "an attribute name").lowercased()
            _ = skipSpaces()
            guard consume(")") else { throw fail("expected \")\"") }
            return "/@" + attribute
        default:
            throw fail("unsupported pseudo-element ::\(name) (supported: ::text, ::attr(name))")
        }
    }

    /// A compound: an optional type or `*`, then ids, classes, attributes and pseudo-classes.
    mutating func parseCompound() throws(CSSSelectorError) -> String {
        var element = "*"
        var hasType = false
        if consume("*") {
            hasType = true
        } else if let scalar = current, Self.startsIdentifier(scalar) {
            element = try identifier(what: "an element name").lowercased()
            hasType = true
        }
        var conditions: [String] = []
        loop: while let scalar = current {
            switch scalar {
            case "#":
                position += 1
                conditions.append("@id = \(Self.literal(try identifier(what: "an id")))")
            case ".":
                position += 1
                let name = try identifier(what: "a class name")
                conditions.append(
                    "@class and contains(concat(' ', normalize-space(@class), ' '), \(Self.literal(" \(name) ")))")
            case "[":
                conditions.append(try parseAttribute())
            case ":" where !(position + 1 < scalars.count && scalars[position + 1] == ":"):
                conditions.append(try parsePseudoClass())
            default:
                break loop
            }
        }
        if !hasType && conditions.isEmpty { throw fail("expected a selector") }
        return conditions.isEmpty ? element : element + "[" + conditions.joined(separator: " and ") + "]"
    }

    mutating func parseAttribute() throws(CSSSelectorError) -> String {
        position += 1
        _ = skipSpaces()
        let name = "@" + (try identifier(what: "an attribute name")).lowercased()
        _ = skipSpaces()
        if consume("]") { return name }
        var operation = ""
        if let scalar = current, "~^$*|".unicodeScalars.contains(scalar) {
            operation = String(scalar)
            position += 1
        }
        guard consume("=") else { throw fail("expected \"=\" or \"]\" in an attribute selector") }
        if operation == "|" { throw fail("[attr|=v] is outside the supported subset") }
        _ = skipSpaces()
        let value = try valueToken()
        _ = skipSpaces()
        guard consume("]") else { throw fail("expected \"]\"") }
        let literal = Self.literal(value)
        switch operation {
        case "~":
            return value.isEmpty || value.contains(" ")
                ? "0"
                : "\(name) and contains(concat(' ', normalize-space(\(name)), ' '), \(Self.literal(" \(value) ")))"
        case "^":
            return value.isEmpty ? "0" : "\(name) and starts-with(\(name), \(literal))"
        case "$":
            return value.isEmpty
                ? "0"
                : "\(name) and substring(\(name), string-length(\(name))-\(value.count - 1)) = \(literal)"
        case "*":
            return value.isEmpty ? "0" : "\(name) and contains(\(name), \(literal))"
        default:
            return "\(name) = \(literal)"
        }
    }

    mutating func parsePseudoClass() throws(CSSSelectorError) -> String {
        position += 1
        let start = position
        let name = try identifier(what: "a pseudo-class").lowercased()
        switch name {
        case "first-child": return "count(preceding-sibling::*) = 0"
        case "last-child": return "count(following-sibling::*) = 0"
        case "nth-child":
            guard consume("(") else { throw fail("expected \"(\" after :nth-child") }
            var text = ""
            while let scalar = current, scalar != ")" {
                text.unicodeScalars.append(scalar)
                position += 1
            }
            guard consume(")") else { throw fail("expected \")\"") }
            guard let (a, b) = Self.parseNth(text) else {
                throw CSSSelectorError(
                    message: "expected An+B, odd or even in :nth-child(), got \"\(text)\"", column: start + 10)
            }
            return Self.nth(a: a, b: b)
        default:
            position = start
            throw fail("unsupported pseudo-class :\(name)")
        }
    }

    /// `count(preceding-sibling::*) + 1` is the element's position `p`; `p = a·n + b` for some n ≥ 0.
    static func nth(a: Int, b: Int) -> String {
        let position = "count(preceding-sibling::*)"
        let b0 = b - 1  // compare with the count of preceding siblings: p - 1
        if a == 0 { return "\(position) = \(b0)" }
        if a > 0 {
            let lower = b0 <= 0 ? "" : "\(position) >= \(b0) and "
            if a == 1 { return b0 <= 0 ? "true()" : "\(position) >= \(b0)" }
            return lower + "(\(position) - \(b0)) mod \(a) = 0"
        }
        // a < 0: p ≤ b, (b - p) divisible by -a.
        if b0 < 0 { return "0" }
        if a == -1 { return "\(position) <= \(b0)" }
        return "\(position) <= \(b0) and (\(b0) - \(position)) mod \(-a) = 0"
    }

    static func parseNth(_ raw: String) -> (Int, Int)? {
        let text = raw.filter { !$0.isWhitespace }.lowercased()
        if text == "odd" { return (2, 1) }
        if text == "even" { return (2, 0) }
        guard let n = text.firstIndex(of: "n") else { return Int(text).map { (0, $0) } }
        let aText = String(text[..<n])
        let a: Int?
        switch aText {
        case "", "+": a = 1
        case "-": a = -1
        default: a = Int(aText)
        }
        let rest = String(text[text.index(after: n)...])
        let b: Int? = rest.isEmpty ? 0 : (rest.hasPrefix("+") || rest.hasPrefix("-")) ? Int(rest) : nil
        guard let a, let b, abs(a) < 1_000_000, abs(b) < 1_000_000 else { return nil }
        return (a, b)
    }

    /// ASCII letters, `_`, `-`, and letters beyond ASCII (Cyrillic or Armenian class names).
    static func startsIdentifier(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII
            ? (("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_" || scalar == "-")
            : scalar.properties.isAlphabetic
    }

    mutating func identifier(what: String) throws(CSSSelectorError) -> String {
        var text = ""
        while let scalar = current,
            Self.startsIdentifier(scalar) || ("0"..."9").contains(scalar)
        {
            text.unicodeScalars.append(scalar)
            position += 1
        }
        guard let first = text.unicodeScalars.first, !("0"..."9").contains(first), text != "-" else {
            throw fail("expected \(what)")
        }
        return text
    }

    mutating func valueToken() throws(CSSSelectorError) -> String {
        if let quote = current, quote == "\"" || quote == "'" {
            position += 1
            var text = ""
            while let scalar = current, scalar != quote {
                if scalar == "\\" { throw fail("escapes in strings are outside the supported subset") }
                text.unicodeScalars.append(scalar)
                position += 1
            }
            guard consume(quote) else { throw fail("unterminated string") }
            return text
        }
        return try identifier(what: "a value (an identifier or a quoted string)")
    }

    /// An XPath string literal for any text (XPath 1.0 has no escapes: concat() joins quotes).
    static func literal(_ text: String) -> String {
        if !text.contains("'") { return "'\(text)'" }
        if !text.contains("\"") { return "\"\(text)\"" }
        let parts = text.split(separator: "'", omittingEmptySubsequences: false).map { "'\($0)'" }
        return "concat(" + parts.joined(separator: ", \"'\", ") + ")"
    }
}
