import Foundation
import VigilCEL

extension Event {
    /// Reads a hand-written event (for `vigil preview --event FILE`):
    ///
    /// ```json
    /// {"kind": "changed", "source": "ministry-list",
    ///  "record": {"key": "VG-017", "name": "…", "status": "released", "fields": {"place": "…"}},
    ///  "changes": [{"field": "status", "from": "detained", "to": "released"}]}
    /// ```
    ///
    /// A deadline event names its deadline: `{"kind": "overdue", "deadline": "icrc-visit", …}`.
    public init(json value: JSONValue, at now: Date) throws(CELError) {
        guard let kindText = value["kind"]?.scalarText, let kind = Event.Kind(rawValue: kindText) else {
            throw CELError(
                "\"kind\" must be one of: \(Event.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let (record, changes) = EventCoding.contentParts(value, missingStatus: "unknown")
        self.init(
            id: value["id"]?.scalarText ?? "preview", kind: kind, sourceID: value["source"]?.scalarText ?? "preview",
            at: now, record: record, changes: changes, message: value["message"]?.scalarText,
            deadline: value["deadline"]?.scalarText, person: EventCoding.person(value))
        EventCoding.readPeopleMembers(value, into: &self)
    }
}
