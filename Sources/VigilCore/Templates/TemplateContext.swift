import Foundation
import VigilCEL

/// Builds the values a notification template sees (the shape ``TemplateSchema/notification``
/// describes): `event`, `record`, `changes`, `change`, `source`, `recipient`, `rule`.
enum TemplateContext {
    static func notification(event: Event, recipient: Recipient?, ruleID: String?, language: String) -> [String: Any] {
        var kinds: [String: Any] = [:]
        kinds[event.kind.rawValue] = true
        let at = Timestamp.iso8601(event.at)
        var eventValues: [String: Any] = [
            "id": TemplateText(event.id), "kind": TemplateText(event.kind.rawValue),
            "at": TemplateText(at), "date": TemplateText(String(at.prefix(10))), "is": kinds,
        ]
        if let message = event.message { eventValues["message"] = TemplateText(message) }
        if let deadline = event.deadline { eventValues["deadline"] = TemplateText(deadline) }
        if let person = event.person {
            eventValues["person"] = [
                "source": TemplateText(person.sourceID), "key": TemplateText(person.key),
                "name": TemplateText(person.name),
            ]
        }
        if event.reportedBy.count > 1 {
            eventValues["reportedBy"] = TemplateText(event.reportedBy.joined(separator: ", "))
        }
        var context: [String: Any] = [
            "event": eventValues, "source": ["id": TemplateText(event.sourceID)],
            "rule": ["id": TemplateText(ruleID ?? "")],
        ]
        if let record = event.record {
            var fields: [String: Any] = [:]
            var fieldList: [[String: Any]] = []
            for field in record.sortedFields {
                fields[field.name] = TemplateText(field.value)
                fieldList.append(["name": TemplateText(field.name), "value": TemplateText(field.value)])
            }
            context["record"] =
                [
                    "key": TemplateText(record.key), "name": TemplateText(record.name),
                    "status": TemplateText(record.status.description),
                    "statusLabel": TemplateText(StatusLabels.label(record.status.description, language: language)),
                    "fields": fields,
                    "fieldList": fieldList,
                ] as [String: Any]
        }
        var changes: [[String: Any]] = []
        var byField: [String: Any] = [:]
        for change in event.changes {
            // Labels are always there (a missing value reads "(none)" in the recipient's
            // language); `from`/`to` only when the value exists, for sections to test.
            let isStatus = change.field == "status"
            var entry: [String: Any] = [
                "field": TemplateText(change.field), "isStatus": isStatus,
                "fromLabel": TemplateText(
                    change.from.map { isStatus ? StatusLabels.label($0, language: language) : $0 }
                        ?? StatusLabels.none(language: language)),
                "toLabel": TemplateText(
                    change.to.map { isStatus ? StatusLabels.label($0, language: language) : $0 }
                        ?? StatusLabels.none(language: language)),
            ]
            if let from = change.from { entry["from"] = TemplateText(from) }
            if let to = change.to { entry["to"] = TemplateText(to) }
            changes.append(entry)
            byField[change.field] = entry
        }
        context["changes"] = changes
        context["change"] = byField
        if let subject = event.subject {
            context["person"] =
                [
                    "id": TemplateText(subject.id), "name": TemplateText(subject.name),
                    "sources": TemplateText(subject.sources.joined(separator: ", ")),
                    "records": subject.listings.map { listing -> [String: Any] in
                        var entry: [String: Any] = [
                            "source": TemplateText(listing.sourceID), "key": TemplateText(listing.key),
                            "name": TemplateText(listing.name),
                            "statusLabel": TemplateText(
                                listing.status.isEmpty
                                    ? StatusLabels.none(language: language)
                                    : StatusLabels.label(listing.status, language: language)),
                        ]
                        if !listing.status.isEmpty { entry["status"] = TemplateText(listing.status) }
                        return entry
                    },
                ] as [String: Any]
        }
        if let recipient {
            context["recipient"] = TemplateContext.recipient(recipient)
        }
        return context
    }

    /// `recipient.{id,name,language}`.
    static func recipient(_ recipient: Recipient) -> [String: Any] {
        [
            "id": TemplateText(recipient.id), "name": TemplateText(recipient.name),
            "language": TemplateText(recipient.language),
        ]
    }
}
