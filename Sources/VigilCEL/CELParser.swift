import Foundation

/// Parses Vigil's subset of CEL: literals (int, double, string, bool, null, lists, maps),
/// identifiers and field selection, indexing, function and method calls, `has()`,
/// `! -`, `* / %`, `+ -`, `< <= > >= == != in`, `&&`, `||` and `? :`, with CEL's precedence.
struct CELParser {
    enum Token: Equatable {
        case integer(Int64)
        case double(Double)
        case string(String)
        case identifier(String)
        case symbol(String)
        case end
    }

    private var tokens: [(token: Token, column: Int)] = []
    private var position = 0
    /// How deeply the parser has recursed (parentheses, lists, calls, unary operators).
    private var nesting = 0

    /// Limits that keep a hostile or mistaken expression from exhausting the stack: nesting
    /// of parentheses, lists, maps, calls and unary operators; the depth of the finished tree
    /// (a chain `a + b + c` is as deep as it is long). `&&` and `||` chains are flat, any length.
    static let maxNesting = 100
    static let maxDepth = 250
    /// Longer expressions are refused before they are read.
    static let maxLength = 1 << 20

    static func parse(_ text: String) throws(CELSyntaxError) -> CELSyntax {
        guard text.utf8.count <= maxLength else {
            throw CELSyntaxError("expression longer than \(maxLength) bytes", column: 1)
        }
        var parser = CELParser()
        parser.tokens = try Self.lex(text)
        let expression = try parser.expression()
        guard case .end = parser.current else {
            throw CELSyntaxError(
                "unexpected \(parser.describe(parser.current)) after the end of the expression", column: parser.column)
        }
        try checkDepth(expression, depth: 1)
        return expression
    }

    /// Refuses a tree deeper than ``maxDepth``; recursion stops at the limit.
    private static func checkDepth(_ node: CELSyntax, depth: Int) throws(CELSyntaxError) {
        guard depth <= maxDepth else {
            throw CELSyntaxError("expression nested deeper than \(maxDepth) levels", column: node.column)
        }
        let next = depth + 1
        switch node {
        case .literal, .identifier: return
        case .select(let base, _, _), .has(let base, _, _), .unary(_, let base, _): try checkDepth(base, depth: next)
        case .index(let a, let b, _), .binary(_, let a, let b, _):
            try checkDepth(a, depth: next)
            try checkDepth(b, depth: next)
        case .call(_, let target, let arguments, _):
            if let target { try checkDepth(target, depth: next) }
            for argument in arguments { try checkDepth(argument, depth: next) }
        case .list(let items, _), .logical(_, let items, _):
            for item in items { try checkDepth(item, depth: next) }
        case .map(let entries, _):
            for entry in entries {
                try checkDepth(entry.key, depth: next)
                try checkDepth(entry.value, depth: next)
            }
        case .conditional(let a, let b, let c, _):
            try checkDepth(a, depth: next)
            try checkDepth(b, depth: next)
            try checkDepth(c, depth: next)
        }
    }

    // MARK: - Lexer

    static func lex(_ text: String) throws(CELSyntaxError) -> [(token: Token, column: Int)] {
        let scalars = Array(text.unicodeScalars)
        var tokens: [(token: Token, column: Int)] = []
        var index = 0
        func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
        func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
        }
        while index < scalars.count {
            let scalar = scalars[index]
            let column = index + 1
            if scalar.properties.isWhitespace {
                index += 1
                continue
            }
            if isDigit(scalar) || (scalar == "." && index + 1 < scalars.count && isDigit(scalars[index + 1])) {
                var end = index
                var isDouble = false
                if scalar == "0", index + 1 < scalars.count, scalars[index + 1] == "x" || scalars[index + 1] == "X" {
                    end = index + 2
                    while end < scalars.count, scalars[end].properties.isASCIIHexDigit { end += 1 }
                    let hex = String(String.UnicodeScalarView(scalars[(index + 2)..<end]))
                    guard let value = Int64(hex, radix: 16) else {
                        throw CELSyntaxError("invalid hex integer", column: column)
                    }
                    tokens.append((.integer(value), column))
                    index = end
                    continue
                }
                while end < scalars.count, isDigit(scalars[end]) { end += 1 }
                if end < scalars.count, scalars[end] == ".", end + 1 < scalars.count, isDigit(scalars[end + 1]) {
                    isDouble = true
                    end += 1
                    while end < scalars.count, isDigit(scalars[end]) { end += 1 }
                }
                if end < scalars.count, scalars[end] == "e" || scalars[end] == "E" {
                    var exponent = end + 1
                    if exponent < scalars.count, scalars[exponent] == "+" || scalars[exponent] == "-" { exponent += 1 }
                    if exponent < scalars.count, isDigit(scalars[exponent]) {
                        isDouble = true
                        end = exponent
                        while end < scalars.count, isDigit(scalars[end]) { end += 1 }
                    }
                }
                let literal = String(String.UnicodeScalarView(scalars[index..<end]))
                if isDouble {
                    guard let value = Double(literal) else { throw CELSyntaxError("invalid number", column: column) }
                    tokens.append((.double(value), column))
                } else {
                    guard let value = Int64(literal) else {
                        throw CELSyntaxError("integer literal out of range", column: column)
                    }
                    tokens.append((.integer(value), column))
                }
                if end < scalars.count, scalars[end] == "u" || scalars[end] == "U" {
                    throw CELSyntaxError("unsigned integers are not supported", column: end + 1)
                }
                index = end
                continue
            }
            if scalar == "\"" || scalar == "'"
                || ((scalar == "r" || scalar == "R") && index + 1 < scalars.count
                    && (scalars[index + 1] == "\"" || scalars[index + 1] == "'"))
            {
                let raw = scalar == "r" || scalar == "R"
                let quote = raw ? scalars[index + 1] : scalar
                var cursor = index + (raw ? 2 : 1)
                var value = String.UnicodeScalarView()
                var closed = false
                while cursor < scalars.count {
                    let character = scalars[cursor]
                    if character == quote {
                        closed = true
                        cursor += 1
                        break
                    }
                    if character == "\n" { break }
                    if character == "\\" && !raw {
                        guard cursor + 1 < scalars.count else { break }
                        let escaped = scalars[cursor + 1]
                        switch escaped {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "r": value.append("\r")
                        case "\\", "\"", "'", "`", "?": value.append(escaped)
                        case "u":
                            guard cursor + 5 < scalars.count,
                                let code = UInt32(
                                    String(String.UnicodeScalarView(scalars[(cursor + 2)...(cursor + 5)])), radix: 16),
                                let decoded = Unicode.Scalar(code)
                            else { throw CELSyntaxError("invalid \\u escape", column: cursor + 1) }
                            value.append(decoded)
                            cursor += 4
                        default:
                            throw CELSyntaxError("invalid escape sequence \\\(escaped)", column: cursor + 1)
                        }
                        cursor += 2
                        continue
                    }
                    value.append(character)
                    cursor += 1
                }
                guard closed else { throw CELSyntaxError("unterminated string", column: column) }
                tokens.append((.string(String(value)), column))
                index = cursor
                continue
            }
            if isIdentifierStart(scalar) {
                var end = index
                while end < scalars.count, isIdentifierStart(scalars[end]) || isDigit(scalars[end]) { end += 1 }
                tokens.append((.identifier(String(String.UnicodeScalarView(scalars[index..<end]))), column))
                index = end
                continue
            }
            let two = index + 1 < scalars.count ? String(String.UnicodeScalarView([scalar, scalars[index + 1]])) : ""
            if ["&&", "||", "==", "!=", "<=", ">="].contains(two) {
                tokens.append((.symbol(two), column))
                index += 2
                continue
            }
            if "+-*/%!<>?:.,()[]{}".unicodeScalars.contains(scalar) {
                tokens.append((.symbol(String(scalar)), column))
                index += 1
                continue
            }
            throw CELSyntaxError("unexpected character '\(scalar)'", column: column)
        }
        tokens.append((.end, scalars.count + 1))
        return tokens
    }

    // MARK: - Grammar

    private var current: Token { tokens[position].token }
    private var column: Int { tokens[position].column }

    private func describe(_ token: Token) -> String {
        switch token {
        case .integer(let value): "number \(value)"
        case .double(let value): "number \(value)"
        case .string: "a string"
        case .identifier(let name): "'\(name)'"
        case .symbol(let symbol): "'\(symbol)'"
        case .end: "the end of the expression"
        }
    }

    private mutating func accept(_ symbol: String) -> Bool {
        if current == .symbol(symbol) {
            position += 1
            return true
        }
        return false
    }

    private mutating func expect(_ symbol: String) throws(CELSyntaxError) {
        guard accept(symbol) else {
            throw CELSyntaxError("expected '\(symbol)', found \(describe(current))", column: column)
        }
    }

    private mutating func expression() throws(CELSyntaxError) -> CELSyntax {
        try enter()
        defer { nesting -= 1 }
        let condition = try binary(level: 0)
        let start = column
        if accept("?") {
            let then = try binary(level: 0)
            try expect(":")
            let otherwise = try expression()
            return .conditional(condition, then, otherwise, column: start)
        }
        return condition
    }

    /// Binary operators by precedence, loosest first.
    private static let levels: [[String]] = [
        ["||"], ["&&"], ["<", "<=", ">", ">=", "==", "!=", "in"], ["+", "-"], ["*", "/", "%"],
    ]

    private mutating func enter() throws(CELSyntaxError) {
        nesting += 1
        guard nesting <= Self.maxNesting else {
            throw CELSyntaxError("expression nested deeper than \(Self.maxNesting) levels", column: column)
        }
    }

    private mutating func binary(level: Int) throws(CELSyntaxError) -> CELSyntax {
        guard level < Self.levels.count else { return try unary() }
        if level < 2 { return try logical(level: level) }
        var left = try binary(level: level + 1)
        var length = 0
        while true {
            let operatorColumn = column
            let symbol: String
            switch current {
            case .symbol(let found) where Self.levels[level].contains(found): symbol = found
            case .identifier("in") where level == 2: symbol = "in"
            default: return left
            }
            position += 1
            length += 1
            guard length < Self.maxDepth else {
                throw CELSyntaxError("chain of operators longer than \(Self.maxDepth)", column: operatorColumn)
            }
            let right = try binary(level: level + 1)
            left = .binary(symbol, left, right, column: operatorColumn)
        }
    }

    /// `a || b || c` (level 0) or `a && b && c` (level 1), read into one flat node.
    private mutating func logical(level: Int) throws(CELSyntaxError) -> CELSyntax {
        let symbol = Self.levels[level][0]
        let first = try binary(level: level + 1)
        guard current == .symbol(symbol) else { return first }
        let start = column
        var terms = [first]
        while accept(symbol) { terms.append(try binary(level: level + 1)) }
        return .logical(symbol, terms, column: start)
    }

    private mutating func unary() throws(CELSyntaxError) -> CELSyntax {
        let start = column
        if current == .symbol("!") || current == .symbol("-") { try enter() }
        if accept("!") {
            defer { nesting -= 1 }
            return .unary("!", try unary(), column: start)
        }
        if accept("-") {
            defer { nesting -= 1 }
            // A negative literal is a literal (so -9223372036854775808 is representable).
            if case .integer(let value) = current {
                position += 1
                return try member(.literal(.int(-value), column: start))
            }
            return .unary("-", try unary(), column: start)
        }
        return try member(try primary())
    }

    private mutating func member(_ base: CELSyntax) throws(CELSyntaxError) -> CELSyntax {
        var node = base
        var length = 0
        while true {
            let start = column
            length += 1
            guard length < Self.maxDepth else {
                throw CELSyntaxError("chain of selections longer than \(Self.maxDepth)", column: start)
            }
            if accept(".") {
                guard case .identifier(let name) = current else {
                    throw CELSyntaxError("expected a field or method name after '.'", column: column)
                }
                position += 1
                if accept("(") {
                    node = .call(function: name, target: node, arguments: try arguments(closing: ")"), column: start)
                } else {
                    node = .select(node, field: name, column: start)
                }
            } else if accept("[") {
                let index = try expression()
                try expect("]")
                node = .index(node, index, column: start)
            } else {
                return node
            }
        }
    }

    private mutating func arguments(closing: String) throws(CELSyntaxError) -> [CELSyntax] {
        var items: [CELSyntax] = []
        if accept(closing) { return items }
        repeat {
            if current == .symbol(closing) { break }  // trailing comma
            items.append(try expression())
        } while accept(",")
        try expect(closing)
        return items
    }

    private mutating func primary() throws(CELSyntaxError) -> CELSyntax {
        let start = column
        switch current {
        case .integer(let value):
            position += 1
            return .literal(.int(value), column: start)
        case .double(let value):
            position += 1
            return .literal(.double(value), column: start)
        case .string(let value):
            position += 1
            return .literal(.string(value), column: start)
        case .identifier(let name):
            position += 1
            switch name {
            case "true": return .literal(.bool(true), column: start)
            case "false": return .literal(.bool(false), column: start)
            case "null": return .literal(.null, column: start)
            default: break
            }
            if accept("(") {
                if name == "has" {
                    let argument = try expression()
                    try expect(")")
                    guard case .select(let target, let field, _) = argument else {
                        throw CELSyntaxError(
                            "has() takes a field selection, such as has(record.fields.sentence)", column: start)
                    }
                    return .has(target, field: field, column: start)
                }
                return .call(function: name, target: nil, arguments: try arguments(closing: ")"), column: start)
            }
            return .identifier(name, column: start)
        case .symbol("("):
            position += 1
            let inner = try expression()
            try expect(")")
            return inner
        case .symbol("["):
            position += 1
            return .list(try arguments(closing: "]"), column: start)
        case .symbol("{"):
            position += 1
            var entries: [(key: CELSyntax, value: CELSyntax)] = []
            if !accept("}") {
                repeat {
                    if current == .symbol("}") { break }
                    let key = try expression()
                    try expect(":")
                    entries.append((key, try expression()))
                } while accept(",")
                try expect("}")
            }
            return .map(entries, column: start)
        default:
            throw CELSyntaxError("expected a value, found \(describe(current))", column: start)
        }
    }
}
