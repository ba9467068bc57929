import Foundation

/// A value of Vigil's CEL subset (Common Expression Language): the types rules compute with.
public enum CELValue: Sendable, Hashable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case list([CELValue])
    case map([CELValue: CELValue])
    case timestamp(Date)
    case duration(Duration)

    /// CEL's type name, for error messages ("no matching overload for '<' on string, int").
    public var typeName: String {
        switch self {
        case .null: "null_type"
        case .bool: "bool"
        case .int: "int"
        case .double: "double"
        case .string: "string"
        case .list: "list"
        case .map: "map"
        case .timestamp: "google.protobuf.Timestamp"
        case .duration: "google.protobuf.Duration"
        }
    }

    public var description: String {
        switch self {
        case .null: return "null"
        case .bool(let value): return value ? "true" : "false"
        case .int(let value): return String(value)
        case .double(let value): return String(value)
        case .string(let value): return Self.literal(value)
        case .list(let values): return "[" + values.map(\.description).joined(separator: ", ") + "]"
        case .map(let entries):
            return "{" + entries.map { "\($0.key): \($0.value)" }.sorted().joined(separator: ", ") + "}"
        case .timestamp(let date): return "timestamp(\"\(Timestamp.iso8601(date))\")"
        case .duration(let duration): return "duration(\"\(DurationParser.format(duration))\")"
        }
    }
}

/// An evaluation error. CEL errors are values: `false && error` is `false`, `true || error` is `true`.
public struct CELError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

extension CELValue {
    /// A string as a CEL literal: double quotes, with `"`, `\\` and C0 controls escaped —
    /// the same text `JSONWriter.string` gives (VigilCore's, which this target cannot see),
    /// as descriptions read before CEL had its own target.
    static func literal(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        return output + "\""
    }
}
