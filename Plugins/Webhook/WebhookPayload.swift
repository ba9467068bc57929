import Foundation
import VigilCore

/// The JSON body of a webhook (schema version 1, see `docs/webhook-payload.schema.json`):
///
/// ```json
/// {"type": "detainee.changed", "timestamp": "2026-11-30T14:00:00Z",
///  "data": {"schemaVersion": 1, "event": {"id": "…", "kind": "changed", "at": "…"},
///           "source": {"id": "ministry-list"}, "record": {"key": "…", "name": "…", "status": "released", "fields": {…}},
///           "changes": [{"field": "status", "from": "detained", "to": "released"}], "message": null,
///           "recipient": null}}
/// ```
enum WebhookPayload {
    static let schemaVersion = 1

    /// `detainee.added|changed|removed`, `source.failing|recovered|suspicious`, `delivery.dead_lettered`.
    static func type(of kind: Event.Kind) -> String {
        switch kind {
        case .added, .changed, .removed: "detainee.\(kind.rawValue)"
        case .failing, .recovered, .suspicious: "source.\(kind.rawValue)"
        case .deadLettered: "delivery.dead_lettered"
        case .overdue: "deadline.overdue"
        case .upcoming: "deadline.upcoming"
        }
    }

    /// `maxFieldLength` cuts longer values (``Event/truncatingValues(to:)``) and adds
    /// `"truncated": true`.
    static func body(for notification: RenderedNotification, at date: Date, maxFieldLength: Int = 65_536) -> [UInt8] {
        var data = "{\"schemaVersion\":\(schemaVersion)"
        if let full = notification.event {
            let truncated = full.needsTruncation(maxFieldLength)
            let event = truncated ? full.truncatingValues(to: maxFieldLength) : full
            if truncated { data += ",\"truncated\":true" }
            data +=
                ",\"event\":{\"id\":" + JSONWriter.string(event.id) + ",\"kind\":"
                + JSONWriter.string(event.kind.rawValue)
            data += ",\"at\":" + JSONWriter.string(Timestamp.iso8601(event.at))
            if let deadline = event.deadline { data += ",\"deadline\":" + JSONWriter.string(deadline) }
            data += "}"
            data += ",\"source\":{\"id\":" + JSONWriter.string(event.sourceID) + "}"
            data += ",\"record\":" + (event.record?.json ?? "null")
            data += ",\"changes\":" + event.changesJSON
            data += ",\"message\":" + (event.message.map(JSONWriter.string) ?? "null")
        } else {
            data += ",\"event\":{\"id\":" + JSONWriter.string(notification.eventID) + "}"
        }
        data += ",\"recipient\":" + (notification.recipient.map(JSONWriter.string) ?? "null")
        data += ",\"subject\":" + JSONWriter.string(notification.subject) + "}"
        let type = notification.event.map { Self.type(of: $0.kind) } ?? "vigil.notification"
        let body =
            "{\"type\":" + JSONWriter.string(type) + ",\"timestamp\":" + JSONWriter.string(Timestamp.iso8601(date))
            + ",\"data\":" + data + "}"
        return Array(body.utf8)
    }
}
