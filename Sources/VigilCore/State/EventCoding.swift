import Foundation

/// The stored JSON form of an event's content (record, changes, message).
enum EventCoding {
    static func encode(_ event: Event) -> String {
        "{" + event.contentMembersJSON + "}"
    }

    static func decode(id: String, kind: Event.Kind, sourceID: String, at: Date, content: String) throws -> Event {
        let value = try JSONParser.parse(content)
        let (record, changes) = contentParts(value, missingStatus: "")
        var event = Event(
            id: id, kind: kind, sourceID: sourceID, at: at, record: record, changes: changes,
            message: value["message"]?.scalarText, deadline: value["deadline"]?.scalarText,
            person: person(value))
        readPeopleMembers(value, into: &event)
        return event
    }

    /// `subject`, `reportedBy` and `foldedInto`.
    static func readPeopleMembers(_ value: JSONValue, into event: inout Event) {
        if let subject = value["subject"], case .object = subject.kind {
            var listings: [PersonSnapshot.Listing] = []
            if case .array(let elements)? = subject["records"]?.kind {
                for element in elements {
                    listings.append(
                        PersonSnapshot.Listing(
                            sourceID: element["source"]?.scalarText ?? "", key: element["key"]?.scalarText ?? "",
                            name: element["name"]?.scalarText ?? "", status: element["status"]?.scalarText ?? ""))
                }
            }
            event.subject = PersonSnapshot(
                id: subject["id"]?.scalarText ?? "", name: subject["name"]?.scalarText ?? "", listings: listings)
        }
        if case .array(let sources)? = value["reportedBy"]?.kind { event.reportedBy = sources.compactMap(\.scalarText) }
        event.foldedInto = value["foldedInto"]?.scalarText
    }

    /// The `person` member of a `mention` event.
    static func person(_ value: JSONValue) -> PersonReference? {
        guard let person = value["person"], case .object = person.kind else { return nil }
        return PersonReference(
            sourceID: person["source"]?.scalarText ?? "", key: person["key"]?.scalarText ?? "",
            name: person["name"]?.scalarText ?? "")
    }

    /// The `record` and `changes` members of an event object (stored, or written by hand).
    static func contentParts(_ value: JSONValue, missingStatus: String) -> (record: Record?, changes: [FieldChange]) {
        var record: Record?
        if let stored = value["record"], case .object = stored.kind {
            var fields: [String: String] = [:]
            if case .object(let members)? = stored["fields"]?.kind {
                for member in members { fields[member.key] = member.value.scalarText }
            }
            record = Record(
                key: stored["key"]?.scalarText ?? "", name: stored["name"]?.scalarText ?? "",
                status: DetaineeStatus(stored: stored["status"]?.scalarText ?? missingStatus), fields: fields)
        }
        var changes: [FieldChange] = []
        if case .array(let elements)? = value["changes"]?.kind {
            for element in elements {
                changes.append(
                    FieldChange(
                        field: element["field"]?.scalarText ?? "", from: element["from"]?.scalarText,
                        to: element["to"]?.scalarText))
            }
        }
        return (record, changes)
    }
}

extension Record {
    /// The record as a JSON object: key, name, status, fields.
    public var json: String {
        "{\"key\":" + JSONWriter.string(key) + ",\"name\":" + JSONWriter.string(name) + ",\"status\":"
            + JSONWriter.string(status.description) + ",\"fields\":" + JSONWriter.object(fields) + "}"
    }
}

extension PersonSnapshot {
    /// `{"id", "name", "records": [{"source", "key", "name", "status"}]}`.
    public var json: String {
        "{\"id\":" + JSONWriter.string(id) + ",\"name\":" + JSONWriter.string(name) + ",\"records\":["
            + listings.map { listing in
                "{\"source\":" + JSONWriter.string(listing.sourceID) + ",\"key\":" + JSONWriter.string(listing.key)
                    + ",\"name\":" + JSONWriter.string(listing.name) + ",\"status\":"
                    + JSONWriter.string(listing.status) + "}"
            }.joined(separator: ",") + "]}"
    }
}

extension Event {
    /// The event's content as JSON object members (no braces): `record`, `changes`, `message`.
    public var contentMembersJSON: String {
        var output = ""
        if let record { output += "\"record\":" + record.json + "," }
        output += "\"changes\":" + changesJSON
        if let message { output += ",\"message\":" + JSONWriter.string(message) }
        if let deadline { output += ",\"deadline\":" + JSONWriter.string(deadline) }
        if let person {
            output +=
                ",\"person\":{\"source\":" + JSONWriter.string(person.sourceID) + ",\"key\":"
                + JSONWriter.string(person.key) + ",\"name\":" + JSONWriter.string(person.name) + "}"
        }
        if let subject { output += ",\"subject\":" + subject.json }
        if !reportedBy.isEmpty {
            output += ",\"reportedBy\":[" + reportedBy.map(JSONWriter.string).joined(separator: ",") + "]"
        }
        if let foldedInto { output += ",\"foldedInto\":" + JSONWriter.string(foldedInto) }
        return output
    }

    /// The field changes as a JSON array of `{"field", "from", "to"}` (`null` for a missing value).
    public var changesJSON: String {
        "["
            + changes.map { change in
                "{\"field\":" + JSONWriter.string(change.field) + ",\"from\":"
                    + (change.from.map(JSONWriter.string) ?? "null") + ",\"to\":"
                    + (change.to.map(JSONWriter.string) ?? "null") + "}"
            }.joined(separator: ",") + "]"
    }
}
