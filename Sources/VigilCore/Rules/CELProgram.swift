import Foundation

/// A compiled expression: parsed once, checked against the variables it may use, then
/// evaluated many times over an activation (the variables' values, by declared position).
///
/// Follows CEL's semantics for the supported subset: errors are values that `&&`, `||` and
/// `? :` absorb when the other side decides; no implicit conversions except numeric
/// comparison between int and double; int arithmetic fails on overflow.
public struct CELProgram: Sendable {
    typealias Evaluate = @Sendable ([CELValue]) throws(CELError) -> CELValue

    public let source: String
    public let variables: [String]
    private let run: Evaluate

    /// Parses and checks `source`; `variables` are the names an expression may refer to.
    public init(_ source: String, variables: [String]) throws(CELSyntaxError) {
        self.source = source
        self.variables = variables
        let syntax = try CELParser.parse(source)
        run = try Self.compile(syntax, slots: Dictionary(uniqueKeysWithValues: variables.enumerated().map { ($1, $0) }))
    }

    /// Evaluates with `values` in the order of ``variables``.
    public func evaluate(_ values: [CELValue]) -> Result<CELValue, CELError> {
        do throws(CELError) {
            return .success(try run(values))
        } catch {
            return .failure(error)
        }
    }

    /// True only when the expression evaluates to `true`; false for `false` and for errors.
    public func matches(_ values: [CELValue]) -> Bool {
        if case .success(.bool(true)) = evaluate(values) { return true }
        return false
    }

    // MARK: - Compilation

    private static func compile(_ node: CELSyntax, slots: [String: Int]) throws(CELSyntaxError) -> Evaluate {
        switch node {
        case .literal(let value, _):
            return { _ throws(CELError) in value }
        case .identifier(let name, let column):
            guard let slot = slots[name] else {
                throw CELSyntaxError(
                    "undeclared reference to '\(name)' (known: \(slots.keys.sorted().joined(separator: ", ")))",
                    column: column)
            }
            return { values throws(CELError) in values[slot] }
        case .select(let base, let field, _):
            let target = try compile(base, slots: slots)
            let key = CELValue.string(field)
            return { values throws(CELError) in
                switch try target(values) {
                case .map(let entries):
                    guard let value = entries[key] else { throw CELError("no such key: \(field)") }
                    return value
                case let other:
                    throw CELError("type \(other.typeName) does not support field selection")
                }
            }
        case .has(let base, let field, _):
            let target = try compile(base, slots: slots)
            let key = CELValue.string(field)
            return { values throws(CELError) in
                guard case .map(let entries) = try target(values) else {
                    throw CELError("has() applies to a field of a map or message")
                }
                return .bool(entries[key] != nil)
            }
        case .index(let base, let index, _):
            let target = try compile(base, slots: slots)
            let position = try compile(index, slots: slots)
            return { values throws(CELError) in
                switch (try target(values), try position(values)) {
                case (.list(let items), .int(let index)):
                    guard index >= 0, index < items.count else { throw CELError("index out of range: \(index)") }
                    return items[Int(index)]
                case (.map(let entries), let key):
                    guard let value = entries[key] else { throw CELError("no such key: \(key)") }
                    return value
                case (let container, let key):
                    throw CELError("no matching overload for '_[_]' on \(container.typeName), \(key.typeName)")
                }
            }
        case .list(let items, _):
            let parts = try items.map { (item) throws(CELSyntaxError) in try compile(item, slots: slots) }
            return { values throws(CELError) in
                var result: [CELValue] = []
                result.reserveCapacity(parts.count)
                for part in parts { result.append(try part(values)) }
                return .list(result)
            }
        case .map(let entries, _):
            let parts = try entries.map { (entry) throws(CELSyntaxError) in
                (try compile(entry.key, slots: slots), try compile(entry.value, slots: slots))
            }
            return { values throws(CELError) in
                var result: [CELValue: CELValue] = [:]
                for (key, value) in parts {
                    let evaluatedKey = try key(values)
                    guard result.updateValue(try value(values), forKey: evaluatedKey) == nil else {
                        throw CELError("duplicate map key \(evaluatedKey)")
                    }
                }
                return .map(result)
            }
        case .unary(let symbol, let operand, _):
            let value = try compile(operand, slots: slots)
            if symbol == "!" {
                return { values throws(CELError) in
                    guard case .bool(let flag) = try value(values) else {
                        throw CELError("no matching overload for '!_'")
                    }
                    return .bool(!flag)
                }
            }
            return { values throws(CELError) in try CELOperators.negate(try value(values)) }
        case .binary(let symbol, let left, let right, _):
            let lhs = try compile(left, slots: slots)
            let rhs = try compile(right, slots: slots)
            switch symbol {
            case "&&": return { values throws(CELError) in try CELOperators.and(lhs, rhs, values) }
            case "||": return { values throws(CELError) in try CELOperators.or(lhs, rhs, values) }
            default:
                return { values throws(CELError) in try CELOperators.binary(symbol, try lhs(values), try rhs(values)) }
            }
        case .conditional(let condition, let then, let otherwise, _):
            let test = try compile(condition, slots: slots)
            let yes = try compile(then, slots: slots)
            let no = try compile(otherwise, slots: slots)
            return { values throws(CELError) in
                guard case .bool(let flag) = try test(values) else {
                    throw CELError("no matching overload for '_?_:_'")
                }
                return flag ? try yes(values) : try no(values)
            }
        case .call(let function, let target, let arguments, let column):
            return try CELFunctions.compile(
                function, target: try target.map { (node) throws(CELSyntaxError) in try compile(node, slots: slots) },
                arguments: try arguments.map { (node) throws(CELSyntaxError) in try compile(node, slots: slots) },
                literalArguments: arguments.map { if case .literal(let value, _) = $0 { value } else { nil } },
                column: column)
        }
    }
}
