import Foundation

/// CEL's operators over ``CELValue``.
package enum CELOperators {
    /// A flat `&&` (`decisive` false) or `||` (`decisive` true) chain, as CEL defines it for
    /// any grouping: the decisive value wins over errors anywhere in the chain; otherwise the
    /// first error; otherwise the other value.
    static func logical(decisive: Bool, _ terms: [CELProgram.Evaluate], _ values: [CELValue]) throws(CELError)
        -> CELValue
    {
        var firstError: CELError?
        for term in terms {
            do throws(CELError) {
                switch try term(values) {
                case .bool(let flag) where flag == decisive: return .bool(decisive)
                case .bool: break
                default: firstError = firstError ?? CELError("no matching overload for '\(decisive ? "_||_" : "_&&_")'")
                }
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return .bool(!decisive)
    }

    static func negate(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .int(let number):
            guard number != .min else { throw CELError("int overflow") }
            return .int(-number)
        case .double(let number): return .double(-number)
        case .duration(let duration): return try CELTime.duration(.zero - duration)
        default: throw CELError("no matching overload for '-_' on \(value.typeName)")
        }
    }

    static func binary(_ symbol: String, _ left: CELValue, _ right: CELValue) throws(CELError) -> CELValue {
        switch symbol {
        case "==": return .bool(equal(left, right))
        case "!=": return .bool(!equal(left, right))
        case "<", "<=", ">", ">=":
            let order = try compare(left, right, symbol)
            switch symbol {
            case "<": return .bool(order < 0)
            case "<=": return .bool(order <= 0)
            case ">": return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case "in":
            switch right {
            case .list(let items): return .bool(items.contains { equal($0, left) })
            case .map(let entries): return .bool(entries[left] != nil)
            default: throw CELError("no matching overload for '_in_' on \(left.typeName), \(right.typeName)")
            }
        default:
            return try arithmetic(symbol, left, right)
        }
    }

    /// Equality: same-type values compare by value; int and double compare numerically.
    static func equal(_ left: CELValue, _ right: CELValue) -> Bool {
        switch (left, right) {
        case (.int(let a), .double(let b)): return Double(a) == b
        case (.double(let a), .int(let b)): return a == Double(b)
        case (.list(let a), .list(let b)): return a.count == b.count && zip(a, b).allSatisfy { equal($0, $1) }
        default: return left == right
        }
    }

    static func compare(_ left: CELValue, _ right: CELValue, _ symbol: String) throws(CELError) -> Int {
        func order<T: Comparable>(_ a: T, _ b: T) -> Int { a < b ? -1 : (a == b ? 0 : 1) }
        switch (left, right) {
        case (.int(let a), .int(let b)): return order(a, b)
        case (.double(let a), .double(let b)): return order(a, b)
        case (.int(let a), .double(let b)): return order(Double(a), b)
        case (.double(let a), .int(let b)): return order(a, Double(b))
        case (.string(let a), .string(let b)):
            // By UTF-8 bytes, which is code point order (CEL's), not Swift's Character order.
            return a.utf8.elementsEqual(b.utf8) ? 0 : (a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1)
        case (.bool(let a), .bool(let b)): return order(a ? 1 : 0, b ? 1 : 0)
        case (.timestamp(let a), .timestamp(let b)): return order(a, b)
        case (.duration(let a), .duration(let b)): return order(a, b)
        default: throw CELError("no matching overload for '_\(symbol)_' on \(left.typeName), \(right.typeName)")
        }
    }

    static func arithmetic(_ symbol: String, _ left: CELValue, _ right: CELValue) throws(CELError) -> CELValue {
        switch (symbol, left, right) {
        case ("+", .int(let a), .int(let b)): return try checked(a.addingReportingOverflow(b))
        case ("-", .int(let a), .int(let b)): return try checked(a.subtractingReportingOverflow(b))
        case ("*", .int(let a), .int(let b)): return try checked(a.multipliedReportingOverflow(by: b))
        case ("/", .int(let a), .int(let b)):
            guard b != 0 else { throw CELError("division by zero") }
            return try checked(a.dividedReportingOverflow(by: b))
        case ("%", .int(let a), .int(let b)):
            guard b != 0 else { throw CELError("modulus by zero") }
            return try checked(a.remainderReportingOverflow(dividingBy: b))
        case ("+", .double(let a), .double(let b)): return .double(a + b)
        case ("-", .double(let a), .double(let b)): return .double(a - b)
        case ("*", .double(let a), .double(let b)): return .double(a * b)
        case ("/", .double(let a), .double(let b)): return .double(a / b)
        case ("+", .string(let a), .string(let b)): return .string(a + b)
        case ("+", .list(let a), .list(let b)): return .list(a + b)
        case ("+", .timestamp(let a), .duration(let b)), ("+", .duration(let b), .timestamp(let a)):
            return try CELTime.timestamp(a.addingTimeInterval(b.timeInterval))
        case ("-", .timestamp(let a), .duration(let b)):
            return try CELTime.timestamp(a.addingTimeInterval(-b.timeInterval))
        case ("-", .timestamp(let a), .timestamp(let b)): return try CELTime.difference(a, b)
        case ("+", .duration(let a), .duration(let b)): return try CELTime.duration(a + b)
        case ("-", .duration(let a), .duration(let b)): return try CELTime.duration(a - b)
        default:
            throw CELError("no matching overload for '_\(symbol)_' on \(left.typeName), \(right.typeName)")
        }
    }

    private static func checked(_ result: (partialValue: Int64, overflow: Bool)) throws(CELError) -> CELValue {
        guard !result.overflow else { throw CELError("int overflow") }
        return .int(result.partialValue)
    }
}
