/// The syntax tree of an expression, with each node's column (1-based, in Unicode scalars).
indirect enum CELSyntax: Sendable {
    case literal(CELValue, column: Int)
    case identifier(String, column: Int)
    case select(CELSyntax, field: String, column: Int)
    case index(CELSyntax, CELSyntax, column: Int)
    case call(function: String, target: CELSyntax?, arguments: [CELSyntax], column: Int)
    case list([CELSyntax], column: Int)
    case map([(key: CELSyntax, value: CELSyntax)], column: Int)
    case unary(String, CELSyntax, column: Int)
    case binary(String, CELSyntax, CELSyntax, column: Int)
    /// A flat chain of `&&` or `||` terms, kept as a list so that a long chain needs no
    /// deep recursion to check, compile or evaluate.
    case logical(String, [CELSyntax], column: Int)
    case conditional(CELSyntax, CELSyntax, CELSyntax, column: Int)
    /// `has(a.b)`: whether field `b` of `a` is present.
    case has(CELSyntax, field: String, column: Int)

    var column: Int {
        switch self {
        case .literal(_, let column), .identifier(_, let column), .select(_, _, let column), .index(_, _, let column),
            .call(_, _, _, let column), .list(_, let column), .map(_, let column), .unary(_, _, let column),
            .binary(_, _, _, let column), .logical(_, _, let column), .conditional(_, _, _, let column),
            .has(_, _, let column):
            column
        }
    }
}

/// A syntax or type error in an expression, with its column.
public struct CELSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    /// 1-based column in the expression.
    public var column: Int

    public init(_ message: String, column: Int) {
        self.message = message
        self.column = column
    }

    public var description: String { "column \(column): \(message)" }

    /// The expression, and a caret under the column: for `vigil check`.
    public func caret(in expression: String) -> String {
        expression + "\n" + String(repeating: " ", count: max(0, column - 1)) + "^"
    }
}
