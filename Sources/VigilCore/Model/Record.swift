/// One person as one source reports them.
///
/// Values are normalised when the record is built (whitespace trimmed and folded, dates in
/// ISO 8601), so that noise in a source never reads as a change.
public struct Record: Sendable, Equatable {
    /// One mapped field and its value.
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// Stable identity within the source (one field, or several joined with `|`).
    public var key: String
    public var name: String
    public var status: DetaineeStatus
    /// Every other mapped field, sorted by name, without empty values.
    public private(set) var sortedFields: [Field]

    /// Every other mapped field by its configured name.
    public var fields: [String: String] {
        get { Dictionary(sortedFields.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }) }
        set { sortedFields = Self.sorted(newValue) }
    }

    public init(key: String, name: String, status: DetaineeStatus, fields: [String: String] = [:]) {
        self.key = key
        self.name = name
        self.status = status
        self.sortedFields = Self.sorted(fields)
    }

    /// For builders that already produce fields sorted by name with unique names.
    init(key: String, name: String, status: DetaineeStatus, sortedFields: [Field]) {
        self.key = key
        self.name = name
        self.status = status
        self.sortedFields = sortedFields
    }

    private static func sorted(_ fields: [String: String]) -> [Field] {
        fields.map { Field(name: $0.key, value: $0.value) }.sorted { $0.name < $1.name }
    }

    /// The value of field `name`, if present.
    public func field(_ name: String) -> String? {
        sortedFields.first { $0.name == name }?.value
    }

    /// Rebuilds a record from its key and ``canonicalEncoding``.
    public init(key: String, canonicalEncoding: String) throws(JSONParser.Failure) {
        let value = try JSONParser.parse(canonicalEncoding)
        var fields: [Field] = []
        if case .object(let members)? = value["fields"]?.kind {
            for member in members { fields.append(Field(name: member.key, value: member.value.scalarText ?? "")) }
        }
        self.init(
            key: key,
            name: value["name"]?.scalarText ?? "",
            status: DetaineeStatus(stored: value["status"]?.scalarText ?? ""),
            sortedFields: fields.sorted { $0.name < $1.name })
    }
}
