import Foundation
import VigilCEL
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
///
/// Built from `Encodable` wire types and encoded once by `JSONEncoder`, so any value a
/// source holds (line breaks, separators, quotes, controls) arrives exactly as stored, in
/// valid JSON.
struct WebhookPayload: Encodable {
    static let schemaVersion = 1

    var type: String
    var timestamp: String
    var data: Content

    /// The `data` member.
    struct Content: Encodable {
        var schemaVersion = WebhookPayload.schemaVersion
        var truncated: Bool?
        var event: EventPart
        var source: SourcePart?
        var record: WireJSON.RecordBody?
        var changes: [WireJSON.ChangeBody]?
        var message: String?
        var recipient: String?
        var subject: String
        /// The person the event is about, across linked sources.
        var person: PersonBody?
        /// The sources that reported the change (this event's first), when more than one.
        var reportedBy: [String]?

        enum CodingKeys: String, CodingKey {
            case schemaVersion, truncated, event, source, record, changes, message, recipient, subject, person,
                reportedBy
        }

        /// `record`, `message` and `recipient` are written as `null` when absent (the schema
        /// names them); `truncated`, `source` and `changes` only when there is an event.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(schemaVersion, forKey: .schemaVersion)
            try container.encodeIfPresent(truncated, forKey: .truncated)
            try container.encode(event, forKey: .event)
            if let source {
                try container.encode(source, forKey: .source)
                try container.encode(record, forKey: .record)
                try container.encode(changes ?? [], forKey: .changes)
                try container.encode(message, forKey: .message)
            }
            try container.encode(recipient, forKey: .recipient)
            try container.encode(subject, forKey: .subject)
            try container.encodeIfPresent(person, forKey: .person)
            try container.encodeIfPresent(reportedBy, forKey: .reportedBy)
        }
    }

    /// `data.person`: id, name and every linked record with its current status ("" when
    /// its source no longer lists the person).
    struct PersonBody: Encodable {
        struct Listing: Encodable {
            var source: String
            var key: String
            var name: String
            var status: String
        }

        var id: String
        var name: String
        var records: [Listing]

        init(_ snapshot: PersonSnapshot) {
            id = snapshot.id
            name = snapshot.name
            records = snapshot.listings.map {
                Listing(source: $0.sourceID, key: $0.key, name: $0.name, status: $0.status)
            }
        }
    }

    struct EventPart: Encodable {
        var id: String
        var kind: String?
        var at: String?
        var deadline: String?
        /// For `detainee.mentioned`: the tracked person a feed item names.
        var person: PersonPart?
    }

    struct PersonPart: Encodable {
        var source: String
        var key: String
        var name: String
    }

    struct SourcePart: Encodable {
        var id: String
    }

    /// `detainee.added|changed|removed|mentioned`, `source.failing|recovered|suspicious`,
    /// `delivery.dead_lettered`, `deadline.overdue|upcoming`, `person.conflict|conflict_resolved`,
    /// `recipient.unsubscribed|bounced`, `delivery.sender_rejected`, `person.approval_requested`.
    static func type(of kind: Event.Kind) -> String {
        switch kind {
        case .added, .changed, .removed: "detainee.\(kind.rawValue)"
        case .failing, .recovered, .suspicious: "source.\(kind.rawValue)"
        case .deadLettered: "delivery.dead_lettered"
        case .overdue: "deadline.overdue"
        case .upcoming: "deadline.upcoming"
        case .mention: "detainee.mentioned"
        case .conflict: "person.conflict"
        case .conflictResolved: "person.conflict_resolved"
        case .unsubscribed: "recipient.unsubscribed"
        case .bounced: "recipient.bounced"
        case .senderRejected: "delivery.sender_rejected"
        case .approvalRequested: "person.approval_requested"
        }
    }

    /// The payload for `notification`. `maxFieldLength` cuts longer values
    /// (``Event/truncatingValues(to:)``) and sets `"truncated": true`.
    init(notification: RenderedNotification, at date: Date, maxFieldLength: Int = 65_536) {
        type = notification.event.map { Self.type(of: $0.kind) } ?? "vigil.notification"
        timestamp = Timestamp.iso8601(date)
        guard let full = notification.event else {
            data = Content(
                event: EventPart(id: notification.eventID), recipient: notification.recipient,
                subject: notification.subject)
            return
        }
        let truncated = full.needsTruncation(maxFieldLength)
        let event = truncated ? full.truncatingValues(to: maxFieldLength) : full
        data = Content(
            truncated: truncated ? true : nil,
            event: EventPart(
                id: event.id, kind: event.kind.rawValue, at: Timestamp.iso8601(event.at), deadline: event.deadline,
                person: event.person.map { PersonPart(source: $0.sourceID, key: $0.key, name: $0.name) }),
            source: SourcePart(id: event.sourceID),
            record: event.record.map(WireJSON.RecordBody.init),
            changes: event.changes.map(WireJSON.ChangeBody.init),
            message: event.message, recipient: notification.recipient, subject: notification.subject,
            person: event.subject.map(PersonBody.init), reportedBy: event.reportedBy.count > 1 ? event.reportedBy : nil)
    }

    /// The encoded body (keys sorted, so equal payloads are equal bytes).
    static func body(for notification: RenderedNotification, at date: Date, maxFieldLength: Int = 65_536) throws
        -> [UInt8]
    {
        try WireJSON.encode(WebhookPayload(notification: notification, at: date, maxFieldLength: maxFieldLength))
    }
}
