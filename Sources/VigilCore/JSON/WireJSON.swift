import Foundation

/// JSON as it leaves Vigil (webhook payloads, `--json` output, `vigil serve` answers,
/// protocol bodies): built from `Encodable` wire types, encoded by one shared encoder with
/// keys sorted, so equal values are equal bytes. The hand-written ``JSONWriter`` stays for
/// Vigil's own stored encodings.
public enum WireJSON {
    /// A record: key, name, canonical status and fields.
    public struct RecordBody: Encodable, Sendable {
        public var key: String
        public var name: String
        public var status: String
        public var fields: [String: String]

        public init(_ record: Record) {
            (key, name, status, fields) = (record.key, record.name, record.status.description, record.fields)
        }
    }

    /// One field's change; a missing value is `null`, never left out.
    public struct ChangeBody: Encodable, Sendable {
        public var field: String
        @Nullable public var from: String?
        @Nullable public var to: String?

        public init(_ change: FieldChange) {
            field = change.field
            from = change.from
            to = change.to
        }
    }

    /// An optional member written as `null` when absent, where the format names it
    /// (synthesized `Encodable` leaves a nil member out).
    @propertyWrapper
    public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
        public var wrappedValue: Value?

        public init(wrappedValue: Value?) {
            self.wrappedValue = wrappedValue
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
        }
    }

    /// One encoder for every body: making a `JSONEncoder` per body costs more than encoding.
    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// The encoded bytes of `value`.
    public static func encode(_ value: some Encodable) throws -> [UInt8] {
        Array(try encoder.encode(value))
    }

    /// The JSON text of a value made of strings, numbers, booleans and their collections,
    /// which always encodes (`{}` if it ever did not).
    public static func string(_ value: some Encodable) -> String {
        (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }
}
