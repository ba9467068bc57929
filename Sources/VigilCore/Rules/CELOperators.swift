import Foundation

/// CEL's operators over ``CELValue``.
enum CELOperators {
    /// `a && b`: false wins over an error on either side.
    static func and(_ lhs: CELProgram.Evaluate, _ rhs: CELProgram.Evaluate, _ values: [CELValue]) throws(CELError)
        -> CELValue
    {
        var leftError: CELError?
        do throws(CELError) {
            switch try lhs(values) {
            case .bool(false): return .bool(false)
            case .bool(true): break
            default: leftError = CELError("no matching overload for '_&&_'")
            }
        } catch {
            leftError = error
        }
        switch try rhs(values) {
        case .bool(false): return .bool(false)
        case .bool(true):
            if let leftError { throw leftError }
            return .bool(true)
        default: throw leftError ?? CELError("no matching overload for '_&&_'")
        }
    }

    /// `a || b`: true wins over an error on either side.
    static func or(_ lhs: CELProgram.Evaluate, _ rhs: CELProgram.Evaluate, _ values: [CELValue]) throws(CELError)
        -> CELValue
    {
        var leftError: CELError?
        do throws(CELError) {
            switch try lhs(values) {
            case .bool(true): return .bool(true)
            case .bool(false): break
            default: leftError = CELError("no matching overload for '_||_'")
            }
        } catch {
            leftError = error
        }
        switch try rhs(values) {
        case .bool(true): return .bool(true)
        case .bool(false):
            if let leftError { throw leftError }
            return .bool(false)
        default: throw leftError ?? CELError("no matching overload for '_||_'")
        }
    }

    static func negate(_ value: CELValue) throws(CELError) -> CELValue {
        switch value {
        case .int(let number):
            guard number != .min else { throw CELError("int overflow") }
            return .int(-number)
        case .double(let number): return .double(-number)
        case .duration(let duration): return .duration(.zero - duration)
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
            return .timestamp(a.addingTimeInterval(seconds(b)))
        case ("-", .timestamp(let a), .duration(let b)): return .timestamp(a.addingTimeInterval(-seconds(b)))
        case ("-", .timestamp(let a), .timestamp(let b)):
            return .duration(.milliseconds(Int64((a.timeIntervalSince(b) * 1000).rounded())))
        case ("+", .duration(let a), .duration(let b)): return .duration(a + b)
        case ("-", .duration(let a), .duration(let b)): return .duration(a - b)
        default:
            throw CELError("no matching overload for '_\(symbol)_' on \(left.typeName), \(right.typeName)")
        }
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    private static func checked(_ result: (partialValue: Int64, overflow: Bool)) throws(CELError) -> CELValue {
        guard !result.overflow else { throw CELError("int overflow") }
        return .int(result.partialValue)
    }
}
