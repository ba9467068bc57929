import Foundation

extension Event {
    /// Reads a hand-written event (for `vigil preview --event FILE`):
    ///
    /// ```json
    /// {"kind": "changed", "source": "ministry-list",
    ///  "record": {"key": "VG-017", "name": "…", "status": "released", "fields": {"place": "…"}},
    ///  "changes": [{"field": "status", "from": "detained", "to": "released"}]}
    /// ```
    public init(json value: JSONValue, at now: Date) throws(CELError) {
        guard let kindText = value["kind"]?.scalarText, let kind = Event.Kind(rawValue: kindText) else {
            throw CELError(
                "\"kind\" must be one of: \(Event.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        var record: Record?
        if let stored = value["record"], case .object = stored.kind {
            var fields: [String: String] = [:]
            if case .object(let members)? = stored["fields"]?.kind {
                for member in members { fields[member.key] = member.value.scalarText }
            }
            record = Record(
                key: stored["key"]?.scalarText ?? "", name: stored["name"]?.scalarText ?? "",
                status: DetaineeStatus(stored: stored["status"]?.scalarText ?? "unknown"), fields: fields)
        }
        var changes: [FieldChange] = []
        if case .array(let items)? = value["changes"]?.kind {
            for item in items {
                changes.append(
                    FieldChange(
                        field: item["field"]?.scalarText ?? "", from: item["from"]?.scalarText,
                        to: item["to"]?.scalarText))
            }
        }
        self.init(
            id: value["id"]?.scalarText ?? "preview", kind: kind, sourceID: value["source"]?.scalarText ?? "preview",
            at: now, record: record, changes: changes, message: value["message"]?.scalarText)
    }
}
