/// A parsed JSON value that remembers where it stood in its document.
///
/// `offset` is the byte offset of the value's first byte; ``TextLocation`` turns it into a
/// line and column for error messages. Object members keep their document order.
public struct JSONValue: Sendable, Equatable {
    /// The value itself.
    public enum Kind: Sendable, Equatable {
        case null
        case bool(Bool)
        /// The number exactly as written (JSON numbers have no fixed precision).
        case number(String)
        case string(String)
        case array([JSONValue])
        case object([JSONMember])
    }

    public var kind: Kind
    public var offset: Int

    public init(_ kind: Kind, offset: Int = 0) {
        self.kind = kind
        self.offset = offset
    }

    /// A short name of the value's type, for messages ("a string", "an object").
    public var typeDescription: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// The member called `key`, when this is an object.
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Scalars as text (numbers as written, booleans as `true`/`false`); nil for null and containers.
    public var scalarText: String? {
        switch kind {
        case .string(let text): text
        case .number(let text): text
        case .bool(let value): value ? "true" : "false"
        case .null, .array, .object: nil
        }
    }
}

/// One `"key": value` pair of a JSON object.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    /// Byte offset of the key's opening quote.
    public var keyOffset: Int
    public var value: JSONValue

    public init(key: String, keyOffset: Int = 0, value: JSONValue) {
        self.key = key
        self.keyOffset = keyOffset
        self.value = value
    }
}
