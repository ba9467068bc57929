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
        case .string(let value): return JSONWriter.string(value)
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
    /// A JSON value as CEL sees it: objects are maps, whole numbers ints, others doubles.
    public init(json: JSONValue) {
        switch json.kind {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let text): self = Int64(text).map(CELValue.int) ?? .double(Double(text) ?? .nan)
        case .string(let text): self = .string(text)
        case .array(let items): self = .list(items.map(CELValue.init(json:)))
        case .object(let members):
            var entries: [CELValue: CELValue] = [:]
            for member in members { entries[.string(member.key)] = CELValue(json: member.value) }
            self = .map(entries)
        }
    }
}
