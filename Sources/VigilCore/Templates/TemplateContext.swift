import Foundation

/// Builds the values a notification template sees (the shape ``TemplateSchema/notification``
/// describes): `event`, `record`, `changes`, `change`, `source`, `recipient`, `rule`.
enum TemplateContext {
    static func notification(event: Event, recipient: Recipient?, ruleID: String?, language: String) -> [String: Any] {
        var kinds: [String: Any] = [:]
        kinds[event.kind.rawValue] = true
        var eventValues: [String: Any] = [
            "id": event.id, "kind": event.kind.rawValue, "at": Timestamp.iso8601(event.at),
            "date": String(Timestamp.iso8601(event.at).prefix(10)), "is": kinds,
        ]
        if let message = event.message { eventValues["message"] = message }
        if let deadline = event.deadline { eventValues["deadline"] = deadline }
        var context: [String: Any] = [
            "event": eventValues, "source": ["id": event.sourceID], "rule": ["id": ruleID ?? ""],
        ]
        if let record = event.record {
            var fields: [String: Any] = [:]
            var fieldList: [[String: Any]] = []
            for field in record.sortedFields {
                fields[field.name] = field.value
                fieldList.append(["name": field.name, "value": field.value])
            }
            context["record"] =
                [
                    "key": record.key, "name": record.name, "status": record.status.description,
                    "statusLabel": StatusLabels.label(record.status.description, language: language), "fields": fields,
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
                "field": change.field, "isStatus": isStatus,
                "fromLabel": change.from.map { isStatus ? StatusLabels.label($0, language: language) : $0 }
                    ?? StatusLabels.none(language: language),
                "toLabel": change.to.map { isStatus ? StatusLabels.label($0, language: language) : $0 }
                    ?? StatusLabels.none(language: language),
            ]
            if let from = change.from { entry["from"] = from }
            if let to = change.to { entry["to"] = to }
            changes.append(entry)
            byField[change.field] = entry
        }
        context["changes"] = changes
        context["change"] = byField
        if let recipient {
            context["recipient"] = ["id": recipient.id, "name": recipient.name, "language": recipient.language]
        }
        return context
    }
}
