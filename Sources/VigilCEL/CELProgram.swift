import Foundation

/// A compiled expression: parsed once, checked against the variables it may use, then
/// evaluated many times over an activation (the variables' values, by declared position).
///
/// Follows CEL's semantics for the supported subset: errors are values that `&&`, `||` and
/// `? :` absorb when the other side decides; no implicit conversions except numeric
/// comparison between int and double; int arithmetic fails on overflow.
public final class CELProgram: Sendable {
    typealias Evaluate = @Sendable ([CELValue]) throws(CELError) -> CELValue

    public let source: String
    public let variables: [String]
    private let run: Evaluate
    private let syntax: CELSyntax

    /// Parses and checks `source`; `variables` are the names an expression may refer to, and
    /// `schema` what is known of their fields (a selection no schema allows is an error).
    public init(_ source: String, variables: [String], schema: [String: CELSchema] = [:]) throws(CELSyntaxError) {
        self.source = source
        self.variables = variables
        let syntax = try CELParser.parse(source)
        self.syntax = syntax
        try Self.check(syntax, schema: schema)
        run = try Self.compile(syntax, slots: Dictionary(uniqueKeysWithValues: variables.enumerated().map { ($1, $0) }))
    }

    /// The only string values `path` (such as `event.kind`) can have when the expression is
    /// true, read from `path == 'x'` or `path in ['x', 'y']` among its top-level `&&` terms;
    /// nil when the expression does not restrict it. Lets a router skip rules that cannot match.
    public func requiredValues(of path: [String]) -> Set<String>? {
        func isPath(_ node: CELSyntax, _ remaining: ArraySlice<String>) -> Bool {
            switch node {
            case .identifier(let name, _): return remaining.count == 1 && remaining.first == name
            case .select(let base, let field, _):
                return remaining.last == field && isPath(base, remaining.dropLast())
            default: return false
            }
        }
        func values(_ node: CELSyntax) -> Set<String>? {
            switch node {
            case .logical("&&", let terms, _):
                var result: Set<String>?
                for term in terms {
                    guard let found = values(term) else { continue }
                    result = result.map { $0.intersection(found) } ?? found
                }
                return result
            case .binary("==", let left, .literal(.string(let value), _), _) where isPath(left, path[...]):
                return [value]
            case .binary("==", .literal(.string(let value), _), let right, _) where isPath(right, path[...]):
                return [value]
            case .binary("in", let left, .list(let items, _), _) where isPath(left, path[...]):
                var found: Set<String> = []
                for item in items {
                    guard case .literal(.string(let value), _) = item else { return nil }
                    found.insert(value)
                }
                return found
            default:
                return nil
            }
        }
        return values(syntax)
    }

    /// The fields of `variable` (such as `change`) that must be present for the expression to
    /// be true, read from `has(variable.field)` among its top-level `&&` terms.
    public func requiredFields(of variable: String) -> Set<String> {
        func fields(_ node: CELSyntax) -> Set<String> {
            switch node {
            case .logical("&&", let terms, _): return terms.reduce(into: []) { $0.formUnion(fields($1)) }
            case .has(.identifier(let name, _), let field, _) where name == variable: return [field]
            default: return []
            }
        }
        return fields(syntax)
    }

    // MARK: - Static field checks

    /// Walks the tree and refuses selections of fields the schema says cannot exist.
    private static func check(_ node: CELSyntax, schema: [String: CELSchema]) throws(CELSyntaxError) {
        guard !schema.isEmpty else { return }
        _ = try shape(of: node, schema: schema)
    }

    /// The static shape of `node`, checking its children on the way.
    private static func shape(of node: CELSyntax, schema: [String: CELSchema]) throws(CELSyntaxError) -> CELSchema {
        switch node {
        case .identifier(let name, _):
            return schema[name] ?? .any
        case .select(let base, let field, let column), .has(let base, let field, let column):
            let parent = try shape(of: base, schema: schema)
            guard let found = parent.field(field) else {
                let known = parent.fieldNames
                let suggestion =
                    known.min { editDistance($0, field) < editDistance($1, field) }
                    .flatMap { editDistance($0, field) <= 2 ? " (did you mean '\($0)'?)" : nil } ?? ""
                throw CELSyntaxError(
                    "unknown field '\(field)'\(suggestion); known here: \(known.joined(separator: ", "))",
                    column: column)
            }
            if case .has = node { return .any }
            return found
        case .index(let base, let index, _):
            _ = try shape(of: index, schema: schema)
            if case .mapOf(let element) = try shape(of: base, schema: schema) { return element }
            return .any
        case .call(_, let target, let arguments, _):
            if let target { _ = try shape(of: target, schema: schema) }
            for argument in arguments { _ = try shape(of: argument, schema: schema) }
            return .any
        case .list(let items, _), .logical(_, let items, _):
            for item in items { _ = try shape(of: item, schema: schema) }
            return .any
        case .map(let entries, _):
            for entry in entries {
                _ = try shape(of: entry.key, schema: schema)
                _ = try shape(of: entry.value, schema: schema)
            }
            return .any
        case .unary(_, let operand, _):
            _ = try shape(of: operand, schema: schema)
            return .any
        case .binary(_, let left, let right, _):
            _ = try shape(of: left, schema: schema)
            _ = try shape(of: right, schema: schema)
            return .any
        case .conditional(let condition, let then, let otherwise, _):
            _ = try shape(of: condition, schema: schema)
            _ = try shape(of: then, schema: schema)
            _ = try shape(of: otherwise, schema: schema)
            return .any
        case .literal:
            return .any
        }
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
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
        do throws(CELError) {
            if case .bool(true) = try run(values) { return true }
            return false
        } catch {
            return false
        }
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
            return { values throws(CELError) in try CELOperators.binary(symbol, try lhs(values), try rhs(values)) }
        case .logical(let symbol, let terms, _):
            let parts = try terms.map { (term) throws(CELSyntaxError) in try compile(term, slots: slots) }
            let decisive = symbol == "||"
            return { values throws(CELError) in try CELOperators.logical(decisive: decisive, parts, values) }
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
