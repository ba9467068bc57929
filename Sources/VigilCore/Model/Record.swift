/// One person as one source reports them.
///
/// Values are normalised when the record is built (whitespace trimmed and folded, dates in
/// ISO 8601), so that noise in a source never reads as a change.
public struct Record: Sendable, Equatable {
    /// Stable identity within the source (one field, or several joined with `|`).
    public var key: String
    public var name: String
    public var status: DetaineeStatus
    /// Every other mapped field, by its configured name. Empty values are left out.
    public var fields: [String: String]

    public init(key: String, name: String, status: DetaineeStatus, fields: [String: String] = [:]) {
        self.key = key
        self.name = name
        self.status = status
        self.fields = fields
    }

    /// The record's content (not its key) as deterministic JSON: equal records encode equally.
    /// The state store compares these strings so an unchanged record costs no decoding.
    public var canonicalEncoding: String {
        var output = "{\"name\":"
        JSONWriter.appendString(name, to: &output)
        output.append(",\"status\":")
        JSONWriter.appendString(status.description, to: &output)
        output.append(",\"fields\":")
        output.append(JSONWriter.object(fields))
        output.append("}")
        return output
    }

    /// Rebuilds a record from its key and ``canonicalEncoding``.
    public init(key: String, canonicalEncoding: String) throws(JSONParser.Failure) {
        let value = try JSONParser.parse(canonicalEncoding)
        var fields: [String: String] = [:]
        if case .object(let members)? = value["fields"]?.kind {
            for member in members { fields[member.key] = member.value.scalarText ?? "" }
        }
        self.init(
            key: key,
            name: value["name"]?.scalarText ?? "",
            status: DetaineeStatus(stored: value["status"]?.scalarText ?? ""),
            fields: fields)
    }
}
