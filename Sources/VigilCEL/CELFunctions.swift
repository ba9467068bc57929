import Foundation

/// The functions and methods of Vigil's CEL subset.
enum CELFunctions {
    static func compile(
        _ name: String, target: CELProgram.Evaluate?, arguments: [CELProgram.Evaluate], literalArguments: [CELValue?],
        column: Int
    ) throws(CELSyntaxError) -> CELProgram.Evaluate {
        // Receiver-style calls (`s.contains(x)`) and global calls (`size(x)`) share one table:
        // the receiver becomes the first argument.
        let all = (target.map { [$0] } ?? []) + arguments
        let style = target == nil ? "\(name)(…)" : "….\(name)(…)"
        func arity(_ count: Int) throws(CELSyntaxError) {
            guard all.count == count else {
                throw CELSyntaxError("\(style) takes \(count - (target == nil ? 0 : 1)) argument(s)", column: column)
            }
        }
        switch name {
        case "size":
            try arity(1)
            let value = all[0]
            return { values throws(CELError) in
                switch try value(values) {
                case .string(let text): return .int(Int64(text.unicodeScalars.count))
                case .list(let items): return .int(Int64(items.count))
                case .map(let entries): return .int(Int64(entries.count))
                case let other: throw CELError("no matching overload for 'size' on \(other.typeName)")
                }
            }
        case "contains", "startsWith", "endsWith":
            guard target != nil else {
                throw CELSyntaxError("\(name) is a method: text.\(name)(other)", column: column)
            }
            try arity(2)
            let (receiver, argument) = (all[0], all[1])
            return { values throws(CELError) in
                guard case .string(let text) = try receiver(values), case .string(let part) = try argument(values)
                else {
                    throw CELError("no matching overload for '\(name)'")
                }
                switch name {
                case "contains": return .bool(part.isEmpty || text.contains(part))
                case "startsWith": return .bool(text.unicodeScalars.starts(with: part.unicodeScalars))
                default: return .bool(text.unicodeScalars.reversed().starts(with: part.unicodeScalars.reversed()))
                }
            }
        case "matches":
            try arity(2)
            let (receiver, argument) = (all[0], all[1])
            // RE2 syntax, matched in linear time. A literal pattern is compiled once, and checked now.
            var literal: LinearRegex?
            if case .string(let pattern)?? = literalArguments.last {
                do throws(RE2SyntaxError) {
                    literal = try LinearRegex(pattern)
                } catch {
                    throw CELSyntaxError(
                        "invalid regular expression \"\(pattern)\": \(error.description) (patterns use RE2 syntax)",
                        column: column)
                }
            }
            let fixed = literal
            return { values throws(CELError) in
                guard case .string(let text) = try receiver(values), case .string(let pattern) = try argument(values)
                else {
                    throw CELError("no matching overload for 'matches'")
                }
                let expression: LinearRegex
                if let fixed {
                    expression = fixed
                } else {
                    do throws(RE2SyntaxError) {
                        expression = try LinearRegex(pattern)
                    } catch {
                        throw CELError("invalid regular expression \"\(pattern)\": \(error.description)")
                    }
                }
                return .bool(expression.matches(text))
            }
        case "lowerAscii", "upperAscii":
            try arity(1)
            let value = all[0]
            let lower = name == "lowerAscii"
            return { values throws(CELError) in
                guard case .string(let text) = try value(values) else {
                    throw CELError("no matching overload for '\(name)'")
                }
                return .string(
                    String(
                        String.UnicodeScalarView(
                            text.unicodeScalars.map { scalar in
                                if lower, ("A"..."Z").contains(scalar) {
                                    return Unicode.Scalar(scalar.value + 32) ?? scalar
                                }
                                if !lower, ("a"..."z").contains(scalar) {
                                    return Unicode.Scalar(scalar.value - 32) ?? scalar
                                }
                                return scalar
                            })))
            }
        case "timestamp":
            try arity(1)
            let value = all[0]
            if case .string(let text)?? = literalArguments.first,
                Timestamp.parseRFC3339(text).flatMap({ try? CELTime.checked($0) }) == nil
            {
                throw CELSyntaxError(
                    "invalid timestamp \"\(text)\" (RFC 3339, such as \"2023-12-14T00:00:00Z\")", column: column)
            }
            return { values throws(CELError) in
                switch try value(values) {
                case .string(let text):
                    guard let date = Timestamp.parseRFC3339(text) else {
                        throw CELError("invalid timestamp \"\(text)\"")
                    }
                    return try CELTime.timestamp(date)
                case .timestamp(let date): return try CELTime.timestamp(date)
                case let other: throw CELError("no matching overload for 'timestamp' on \(other.typeName)")
                }
            }
        case "duration":
            try arity(1)
            let value = all[0]
            if case .string(let text)?? = literalArguments.first, parseDuration(text) == nil {
                throw CELSyntaxError("invalid duration \"\(text)\" (such as \"36h\", \"90m\", \"35d\")", column: column)
            }
            return { values throws(CELError) in
                switch try value(values) {
                case .string(let text):
                    guard let duration = parseDuration(text) else { throw CELError("invalid duration \"\(text)\"") }
                    return .duration(duration)
                case .duration(let duration): return .duration(duration)
                case let other: throw CELError("no matching overload for 'duration' on \(other.typeName)")
                }
            }
        case "int":
            try arity(1)
            let value = all[0]
            return { values throws(CELError) in
                switch try value(values) {
                case .int(let number): return .int(number)
                case .double(let number):
                    guard number.isFinite, number > -9.3e18, number < 9.3e18 else { throw CELError("int overflow") }
                    return .int(Int64(number.rounded(.towardZero)))
                case .string(let text):
                    guard let number = Int64(text) else { throw CELError("cannot convert \"\(text)\" to int") }
                    return .int(number)
                case .timestamp(let date):
                    return .int(Int64(try CELTime.checked(date).timeIntervalSince1970.rounded(.down)))
                case let other: throw CELError("no matching overload for 'int' on \(other.typeName)")
                }
            }
        case "double":
            try arity(1)
            let value = all[0]
            return { values throws(CELError) in
                switch try value(values) {
                case .int(let number): return .double(Double(number))
                case .double(let number): return .double(number)
                case .string(let text):
                    guard let number = Double(text) else { throw CELError("cannot convert \"\(text)\" to double") }
                    return .double(number)
                case let other: throw CELError("no matching overload for 'double' on \(other.typeName)")
                }
            }
        case "string":
            try arity(1)
            let value = all[0]
            return { values throws(CELError) in
                switch try value(values) {
                case .string(let text): return .string(text)
                case .int(let number): return .string(String(number))
                case .double(let number): return .string(String(number))
                case .bool(let flag): return .string(flag ? "true" : "false")
                case .timestamp(let date):
                    return .string(Timestamp.iso8601(try CELTime.checked(date)))
                case .duration(let duration): return .string(DurationParser.format(duration))
                case let other: throw CELError("no matching overload for 'string' on \(other.typeName)")
                }
            }
        default:
            throw CELSyntaxError("unknown function '\(name)'", column: column)
        }
    }

    /// CEL durations (`"1.5h"` excepted) and Vigil's days and weeks: `"36h"`, `"90m"`, `"35d"`.
    static func parseDuration(_ text: String) -> Duration? {
        if text.hasPrefix("-") { return DurationParser.parse(String(text.dropFirst())).map { .zero - $0 } }
        return DurationParser.parse(text)
    }
}
