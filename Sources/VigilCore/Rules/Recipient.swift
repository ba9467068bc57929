import Foundation
import VigilCEL

/// A person or organisation who hears about detainees: a sponsor (a city, an NGO, a public
/// figure), a partner system, a team member.
public struct Recipient: Sendable {
    /// Which detainees a recipient sponsors: by person id, by record key (of any record
    /// linked to the person), or by a field's value.
    public struct Sponsorship: Sendable, Equatable {
        public var keys: Set<String>
        /// Person ids (a crosswalk's ids): the sponsor hears from every source linked to them.
        public var people: Set<String> = []
        /// `field == value` matches (`status`, `name` or a mapped field such as `group`).
        public var matches: [(field: String, value: String)]

        public init(keys: Set<String> = [], matches: [(field: String, value: String)] = []) {
            self.keys = keys
            self.matches = matches
        }

        public static func == (lhs: Sponsorship, rhs: Sponsorship) -> Bool {
            lhs.keys == rhs.keys && lhs.people == rhs.people
                && lhs.matches.map { "\($0.field)=\($0.value)" } == rhs.matches.map { "\($0.field)=\($0.value)" }
        }

        /// True when the recipient sponsors this record.
        public func covers(_ record: Record) -> Bool {
            if keys.contains(record.key) { return true }
            return matches.contains { Self.values(of: $0.field, in: record).contains($0.value) }
        }

        /// What a `match` on `field` compares with: `status`, `name`, each tag of `tags`, or
        /// a mapped field's value (none when the record lacks it).
        static func values(of field: String, in record: Record) -> [String] {
            switch field {
            case "status": [record.status.description]
            case "name": [record.name]
            case "tags": Recipient.tags(record.field("tags") ?? "")
            default: record.field(field).map { [$0] } ?? []
            }
        }
    }

    public var id: String
    public var name: String
    public var language: String
    /// Output id → this recipient's address on it (an email, a Matrix id or room, a webhook URL).
    public var contacts: [String: String]
    public var groups: Set<String>
    public var sponsorship: Sponsorship
    /// Event kinds the recipient wants; nil for all.
    public var events: Set<Event.Kind>?
    /// Nothing is sent to the recipient before this date.
    public var mutedUntil: Date?
    /// Gather this recipient's notifications into digests (nil: each one at once).
    public var digest: DigestWindow?

    public init(
        id: String, name: String, language: String = "en", contacts: [String: String] = [:], groups: Set<String> = [],
        sponsorship: Sponsorship = Sponsorship(), events: Set<Event.Kind>? = nil,
        mutedUntil: Date? = nil
    ) {
        self.id = id
        self.name = name
        self.language = language
        self.contacts = contacts
        self.groups = groups
        self.sponsorship = sponsorship
        self.events = events
        self.mutedUntil = mutedUntil
    }

    /// A `tags` field's tags: comma-separated, trimmed, empty ones dropped.
    public static func tags(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Whether the recipient's preferences let this event through at `now`.
    public func wants(_ kind: Event.Kind, at now: Date) -> Bool {
        if let mutedUntil, now < mutedUntil { return false }
        return events?.contains(kind) ?? true
    }
}

/// When an event matches `when`, notify the selected recipients through the `via` outputs.
public struct Rule: Sendable {
    /// Who a rule notifies.
    public enum Selector: Sendable, Equatable {
        /// The sponsors of the event's record.
        case sponsors
        case group(String)
        case recipient(String)
        /// Every recipient.
        case all
        /// The `via` outputs' own destinations (a team room, a fixed mailbox, stdout).
        case outputs
    }

    public var id: String
    public var when: CELProgram
    public var notify: [Selector]
    public var via: [String]
    /// Do not notify the same recipient about the same record and rule again within this time.
    public var realert: Duration?
    public var priority: Int
    /// Rule ids this rule silences for the same person in the same run when it matches.
    public var suppress: Set<String> = []
    /// The template set notifications are rendered with (see ``TemplateLibrary``).
    public var template: String = TemplateLibrary.defaultSet
    /// Position in the configuration's `rules` (for messages; matching goes by priority).
    public var position = 0
    /// Hold matching transitions until confirmed (nil: notify at once).
    public var confirm: Confirmation?
    /// Gather notifications into digests (overrides recipients' own preference).
    public var digest: DigestWindow?

    public init(
        id: String, when: CELProgram, notify: [Selector], via: [String], realert: Duration? = nil, priority: Int = 0
    ) {
        self.id = id
        self.when = when
        self.notify = notify
        self.via = via
        self.realert = realert
        self.priority = priority
    }

    /// The variables a rule's `when` may use.
    public static let variables = ["event", "record", "change", "source", "now", "person"]

    /// What the variables hold (`person`: the person across linked sources: `id`, `name`,
    /// `sources` and `statuses` as parallel lists of the sources listing them now, and
    /// `records`, a list of `{source, key, name, status}`), given the field names the sources map: `record.<field>` and
    /// `record.fields.<field>`, `change.<field>.from/to`; anything else is refused when read.
    public static func schema(fieldNames: Set<String>) -> [String: CELSchema] {
        let names = fieldNames.union(["name", "status"])
        var record: [String: CELSchema] = [
            "key": .any, "name": .any, "status": .any,
            "fields": .object(Dictionary(uniqueKeysWithValues: fieldNames.map { ($0, .any) })),
        ]
        for field in fieldNames where record[field] == nil { record[field] = .any }
        let fromTo = CELSchema.object(["from": .any, "to": .any])
        return [
            "event": .object([
                "id": .any, "kind": .any, "at": .any, "message": .any, "deadline": .any,
                "person": .object(["source": .any, "key": .any, "name": .any]),
            ]),
            "record": .object(record),
            "change": .object(Dictionary(uniqueKeysWithValues: names.map { ($0, fromTo) })),
            "source": .object(["id": .any]),
            "now": .any,
            "person": .object([
                "id": .any, "name": .any, "sources": .any, "statuses": .any, "records": .any,
            ]),
        ]
    }
}
