/// Parses RE2 syntax: literals and escapes, `.`, classes (`[a-z]`, `[^…]`, `[[:alpha:]]`,
/// `\d \w \s` and their negations), `^ $ \A \z \b \B`, groups (`(…)`, `(?:…)`, `(?P<name>…)`),
/// flags (`(?i)`, `(?s)`, `(?m)`, `(?i:…)`), alternation and the quantifiers `* + ? {n} {n,}
/// {n,m}` (lazy forms too). Backreferences and lookaround are refused: RE2 has none, because
/// they cannot be matched in linear time.
struct RE2Parser {
    private let scalars: [Unicode.Scalar]
    private var position = 0
    private var caseInsensitive = false
    private var dotMatchesNewline = false
    private var multiLine = false
    private var depth = 0

    /// RE2's limits: repetition counts up to 1000, and nesting kept shallow.
    static let maxRepeat = 1000
    static let maxDepth = 100

    static func parse(_ pattern: String) throws(RE2SyntaxError) -> RE2Node {
        var parser = RE2Parser(scalars: Array(pattern.unicodeScalars))
        let node = try parser.alternation()
        guard parser.position == parser.scalars.count else { throw parser.fail("unmatched ')'") }
        return node
    }

    private init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private func fail(_ message: String) -> RE2SyntaxError {
        RE2SyntaxError(message: message, position: position + 1)
    }

    private var current: Unicode.Scalar? { position < scalars.count ? scalars[position] : nil }

    private mutating func accept(_ scalar: Unicode.Scalar) -> Bool {
        guard current == scalar else { return false }
        position += 1
        return true
    }

    private mutating func alternation() throws(RE2SyntaxError) -> RE2Node {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw fail("groups nested deeper than \(Self.maxDepth)") }
        var branches = [try concatenation()]
        while accept("|") { branches.append(try concatenation()) }
        return branches.count == 1 ? branches[0] : .alternation(branches)
    }

    private mutating func concatenation() throws(RE2SyntaxError) -> RE2Node {
        var items: [RE2Node] = []
        let saved = (caseInsensitive, dotMatchesNewline, multiLine)
        defer { (caseInsensitive, dotMatchesNewline, multiLine) = saved }
        while let scalar = current, scalar != "|", scalar != ")" {
            guard let atom = try atom() else { continue }
            items.append(try quantified(atom))
        }
        return items.isEmpty ? .empty : items.count == 1 ? items[0] : .concatenation(items)
    }

    private mutating func quantified(_ atom: RE2Node) throws(RE2SyntaxError) -> RE2Node {
        var node = atom
        var quantified = false
        while let scalar = current {
            let bounds: (Int, Int?)
            switch scalar {
            case "*": bounds = (0, nil)
            case "+": bounds = (1, nil)
            case "?": bounds = (0, 1)
            case "{":
                guard let counted = try counted() else { return node }
                bounds = counted
            default: return node
            }
            if scalar != "{" { position += 1 }
            if quantified { throw fail("bad repetition operator (a quantifier after a quantifier)") }
            quantified = true
            _ = accept("?")  // lazy: the same matches
            if current == "+" { throw fail("possessive quantifiers are not RE2 syntax") }
            node = .repetition(node, min: bounds.0, max: bounds.1)
        }
        return node
    }

    /// `{n}`, `{n,}` or `{n,m}`; nil (and nothing consumed) when `{` is a literal brace.
    private mutating func counted() throws(RE2SyntaxError) -> (Int, Int?)? {
        let start = position
        position += 1
        func number(_ parser: inout RE2Parser) -> Int? {
            var value = 0
            var digits = 0
            while let scalar = parser.current, ("0"..."9").contains(scalar) {
                value = min(value * 10 + Int(scalar.value - 48), 100_000)
                digits += 1
                parser.position += 1
            }
            return digits > 0 ? value : nil
        }
        guard let low = number(&self) else {
            position = start
            return nil
        }
        var high: Int? = low
        if accept(",") { high = number(&self) }
        guard accept("}") else {
            position = start
            return nil
        }
        if low > Self.maxRepeat || (high ?? 0) > Self.maxRepeat {
            position = start
            throw fail("bad repetition operator (counts above \(Self.maxRepeat))")
        }
        if let high, high < low {
            position = start
            throw fail("bad repetition operator ({n,m} with m < n)")
        }
        return (low, high)
    }

    /// One atom, or nil for a flag group that only changed flags.
    private mutating func atom() throws(RE2SyntaxError) -> RE2Node? {
        guard let scalar = current else { throw fail("unexpected end of pattern") }
        position += 1
        switch scalar {
        case ".": return .any(matchesNewline: dotMatchesNewline)
        case "^": return .assertion(multiLine ? .beginLine : .beginText)
        case "$": return .assertion(multiLine ? .endLine : .endText)
        case "[": return .set(try characterClass())
        case "(": return try group()
        case "*", "+", "?": throw fail("missing argument to repetition operator")
        case "\\": return try escape(inClass: false).node(caseInsensitive: caseInsensitive)
        default: return literal(scalar)
        }
    }

    private func literal(_ scalar: Unicode.Scalar) -> RE2Node {
        .scalar(scalar, caseInsensitive: caseInsensitive && ScalarSet.caseVariants(of: scalar).count > 1)
    }

    private mutating func group() throws(RE2SyntaxError) -> RE2Node? {
        if accept("?") {
            if current == "<", position + 1 < scalars.count,
                scalars[position + 1] == "=" || scalars[position + 1] == "!"
            {
                throw fail("lookbehind is not RE2 syntax")
            } else if accept("P") || current == "<" {
                guard accept("<") else { throw fail("invalid named capture group") }
                while let scalar = current, scalar != ">" { position += 1 }
                guard accept(">") else { throw fail("invalid named capture group") }
            } else if current == "=" || current == "!" {
                throw fail("lookahead is not RE2 syntax")
            } else if current == "<" {
                throw fail("lookbehind is not RE2 syntax")
            } else {
                // Flags: (?flags) or (?flags:…)
                var on = true
                var flags = (caseInsensitive, dotMatchesNewline, multiLine)
                while let scalar = current, scalar != ")", scalar != ":" {
                    switch scalar {
                    case "i": flags.0 = on
                    case "s": flags.1 = on
                    case "m": flags.2 = on
                    case "U": break
                    case "-" where on: on = false
                    default: throw fail("invalid or unsupported flag '\(scalar)'")
                    }
                    position += 1
                }
                if accept(")") {
                    (caseInsensitive, dotMatchesNewline, multiLine) = flags
                    return nil
                }
                guard accept(":") else { throw fail("missing ')'") }
                let saved = (caseInsensitive, dotMatchesNewline, multiLine)
                (caseInsensitive, dotMatchesNewline, multiLine) = flags
                let inner = try alternation()
                (caseInsensitive, dotMatchesNewline, multiLine) = saved
                guard accept(")") else { throw fail("missing ')'") }
                return inner
            }
        }
        let inner = try alternation()
        guard accept(")") else { throw fail("missing ')'") }
        return inner
    }

    /// What an escape stands for.
    enum Escaped {
        case scalar(Unicode.Scalar)
        case set(ScalarSet)
        case assertion(RE2Assertion)

        func node(caseInsensitive: Bool) -> RE2Node {
            switch self {
            case .scalar(let scalar):
                .scalar(scalar, caseInsensitive: caseInsensitive && ScalarSet.caseVariants(of: scalar).count > 1)
            case .set(let set): .set(set)
            case .assertion(let assertion): .assertion(assertion)
            }
        }
    }

    private mutating func escape(inClass: Bool) throws(RE2SyntaxError) -> Escaped {
        guard let scalar = current else { throw fail("trailing backslash at end of pattern") }
        position += 1
        switch scalar {
        case "d": return .set(.digit)
        case "D": return .set(negated(.digit))
        case "w": return .set(.word)
        case "W": return .set(negated(.word))
        case "s": return .set(.space)
        case "S": return .set(negated(.space))
        case "n": return .scalar("\n")
        case "t": return .scalar("\t")
        case "r": return .scalar("\r")
        case "f": return .scalar("\u{0C}")
        case "v": return .scalar("\u{0B}")
        case "a": return .scalar("\u{07}")
        case "A" where !inClass: return .assertion(.beginText)
        case "z" where !inClass: return .assertion(.endText)
        case "b" where !inClass: return .assertion(.wordBoundary)
        case "B" where !inClass: return .assertion(.notWordBoundary)
        case "x":
            var digits = ""
            if accept("{") {
                while let next = current, next != "}" {
                    digits.unicodeScalars.append(next)
                    position += 1
                }
                guard accept("}") else { throw fail("invalid escape sequence \\x{…}") }
            } else {
                for _ in 0..<2 {
                    guard let next = current else { break }
                    digits.unicodeScalars.append(next)
                    position += 1
                }
            }
            guard let value = UInt32(digits, radix: 16), let decoded = Unicode.Scalar(value) else {
                throw fail("invalid escape sequence \\x")
            }
            return .scalar(decoded)
        case "1"..."9": throw fail("backreferences are not RE2 syntax")
        case "p", "P": throw fail("Unicode classes (\\p) are not supported in Vigil's patterns")
        default:
            // RE2 allows escaping punctuation only.
            guard scalar.isASCII, !("a"..."z").contains(scalar), !("A"..."Z").contains(scalar),
                !("0"..."9").contains(scalar)
            else { throw fail("invalid escape sequence \\\(scalar)") }
            return .scalar(scalar)
        }
    }

    private func negated(_ set: ScalarSet) -> ScalarSet {
        var copy = set
        copy.negated.toggle()
        return copy
    }

    private static let posixClasses: [String: [ClosedRange<UInt32>]] = [
        "alpha": [65...90, 97...122], "digit": [48...57], "alnum": [48...57, 65...90, 97...122],
        "upper": [65...90], "lower": [97...122], "space": [9...13, 32...32], "xdigit": [48...57, 65...70, 97...102],
        "punct": [33...47, 58...64, 91...96, 123...126], "word": [48...57, 65...90, 95...95, 97...122],
        "blank": [9...9, 32...32], "cntrl": [0...31, 127...127], "print": [32...126], "graph": [33...126],
        "ascii": [0...127],
    ]

    private mutating func characterClass() throws(RE2SyntaxError) -> ScalarSet {
        var set = ScalarSet(caseInsensitive: caseInsensitive)
        if accept("^") { set.negated = true }
        var first = true
        while true {
            guard let scalar = current else { throw fail("missing ']' in a character class") }
            if scalar == "]" && !first {
                position += 1
                return set
            }
            first = false
            if scalar == "[", position + 1 < scalars.count, scalars[position + 1] == ":" {
                let start = position
                position += 2
                var name = ""
                while let next = current, next != ":" {
                    name.unicodeScalars.append(next)
                    position += 1
                }
                var negate = false
                if name.hasPrefix("^") {
                    negate = true
                    name.removeFirst()
                }
                guard accept(":"), accept("]"), let ranges = Self.posixClasses[name] else {
                    position = start
                    throw fail("invalid character class range")
                }
                if negate { throw fail("negated POSIX classes are not supported in Vigil's patterns") }
                set.ranges += ranges
                continue
            }
            let low: UInt32
            position += 1
            if scalar == "\\" {
                switch try escape(inClass: true) {
                case .scalar(let escaped): low = escaped.value
                case .set(let inner):
                    guard !inner.negated else { throw fail("negated classes inside a class are not supported") }
                    set.ranges += inner.ranges
                    continue
                case .assertion: throw fail("invalid escape in a character class")
                }
            } else {
                low = scalar.value
            }
            if current == "-", position + 1 < scalars.count, scalars[position + 1] != "]" {
                position += 1
                guard var high = current?.value else { throw fail("missing ']' in a character class") }
                position += 1
                if high == 0x5C {  // backslash
                    guard case .scalar(let escaped) = try escape(inClass: true) else {
                        throw fail("invalid character class range")
                    }
                    high = escaped.value
                }
                guard low <= high else { throw fail("invalid character class range") }
                set.ranges.append(low...high)
            } else {
                set.ranges.append(low...low)
            }
        }
    }
}
