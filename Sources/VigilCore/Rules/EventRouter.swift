import Foundation
import Synchronization
import VigilCEL

/// Decides which notifications an event produces.
public protocol EventRouter: Sendable {
    /// The notifications for `event` at `now`, skipping the outputs in `excluding`.
    func notifications(for event: Event, at now: Date, excluding: Set<String>) -> [QueuedNotification]

    /// The notifications for one run's events, which may weigh on each other (suppression).
    func notifications(for events: [Event], at now: Date) -> [QueuedNotification]

    /// Like ``notifications(for:at:)``, with the transitions held for confirmation.
    func routing(for events: [Event], at now: Date) -> Routing

    /// The notifications of a held event once confirmed: rule `ruleID` alone, without holding.
    func release(_ event: Event, ruleID: String, at now: Date) -> [QueuedNotification]
}

extension EventRouter {
    public func notifications(for events: [Event], at now: Date) -> [QueuedNotification] {
        events.flatMap { notifications(for: $0, at: now, excluding: []) }
    }

    public func routing(for events: [Event], at now: Date) -> Routing {
        Routing(notifications: notifications(for: events, at: now))
    }

    public func release(_ event: Event, ruleID: String, at now: Date) -> [QueuedNotification] { [] }
}

extension Broadcast: EventRouter {
    public func notifications(for event: Event, at now: Date, excluding: Set<String>) -> [QueuedNotification] {
        notifications(for: event, excluding: excluding)
    }
}

/// Routes events by the configured rules: every matching rule applies, and the result is
/// deduplicated so a recipient gets one notification per event per output.
public struct RuleRouter: EventRouter {
    public let rules: [Rule]
    public let recipients: [Recipient]
    public let outputs: [any Output]
    /// When a rule last told a recipient about a record (for `realert`); nil: no windows apply.
    public let lastNotified: (@Sendable (RealertMark) -> Date?)?
    public let templates: TemplateLibrary
    /// False: notifications are decided but not rendered (empty subject and text), for
    /// programs that render them themselves, and to measure routing alone.
    public var renders = true
    /// Lists recipients stopped (unsubscribed, bounced): outputs that honour unsubscribes
    /// do not send to them.
    public var suppressions = SuppressionSet()
    private let index: RecipientIndex
    /// Outputs by id, with their position (for deduplication keys).
    private let outputsByID: [String: (output: any Output, index: Int)]
    /// Each recipient's address on each output with its key suffix: `[output][recipient]`.
    private let contacts: [[Contact?]]
    /// Each output's own destinations with their key suffixes (one nil address when none).
    private let ownDestinations: [[Contact?]]
    /// The rules that can match each event kind (a rule requiring `event.kind == 'x'` is
    /// not evaluated for other kinds), indexed by the status each rule requires.
    private let candidatesByKind: [Event.Kind: RuleCandidates]
    /// ``rules`` by reference: filtering thousands of times copies pointers, not rules.
    private let boxes: [RuleBox]

    public init(
        rules: [Rule], recipients: [Recipient], outputs: [any Output], templates: TemplateLibrary = TemplateLibrary(),
        lastNotified: (@Sendable (RealertMark) -> Date?)? = nil
    ) {
        self.lastNotified = lastNotified
        self.templates = templates
        self.index = RecipientIndex(recipients)
        self.outputsByID = Dictionary(
            outputs.enumerated().map { ($1.id, (output: $1, index: $0)) }, uniquingKeysWith: { first, _ in first })
        // Higher priority first: when several rules match, the first one's order is kept.
        self.rules = rules.enumerated().sorted { ($0.element.priority, -$0.offset) > ($1.element.priority, -$1.offset) }
            .map(\.element)
        let boxes = self.rules.enumerated().map { RuleBox($1, order: $0) }
        var byKind: [Event.Kind: RuleCandidates] = [:]
        for kind in Event.Kind.allCases {
            byKind[kind] = RuleCandidates(
                boxes.filter { $0.rule.when.requiredValues(of: ["event", "kind"])?.contains(kind.rawValue) ?? true })
        }
        self.boxes = boxes
        self.contacts = outputs.map { output in recipients.map { $0.contacts[output.id].map(Contact.init) } }
        self.ownDestinations = outputs.map { output in
            output.defaultRecipients.isEmpty ? [nil] : output.defaultRecipients.map(Contact.init)
        }
        self.candidatesByKind = byKind
        self.recipients = recipients
        self.outputs = outputs
    }

    public func notifications(for event: Event, at now: Date, excluding: Set<String>) -> [QueuedNotification] {
        route(
            event, rules: matchingRules(for: event, at: now).filter { $0.rule.confirm == nil }, at: now,
            excluding: excluding)
    }

    public func notifications(for events: [Event], at now: Date) -> [QueuedNotification] {
        routing(for: events, at: now).notifications
    }

    public func release(_ event: Event, ruleID: String, at now: Date) -> [QueuedNotification] {
        route(event, rules: boxes.filter { $0.rule.id == ruleID }, at: now, excluding: [])
    }

    /// Routes a run's events; a matching rule's `suppress` list silences those rules for the same
    /// person in the same run (a release suppresses a same-run transfer); a matching rule with
    /// `confirm` holds the event instead of notifying.
    public func routing(for events: [Event], at now: Date) -> Routing {
        var result = Routing()
        let matched = matchingRules(for: events, at: now)
        var suppressed: [String: Set<String>] = [:]
        for (event, rules) in zip(events, matched) where rules.contains(where: { !$0.rule.suppress.isEmpty }) {
            guard let key = event.record?.key else { continue }
            for box in rules { suppressed["\(event.sourceID)\u{0}\(key)", default: []].formUnion(box.rule.suppress) }
        }
        // Each event's notifications are built on every core; order is kept.
        let suppressions = suppressed
        let parts = Parallel.chunks(events.count) { range -> Routing in
            var part = Routing()
            for position in range {
                let event = events[position]
                var rules = matched[position]
                guard !rules.isEmpty else { continue }
                if !suppressions.isEmpty, let key = event.record?.key,
                    let silenced = suppressions["\(event.sourceID)\u{0}\(key)"]
                {
                    rules = rules.filter { !silenced.contains($0.rule.id) }
                }
                if rules.contains(where: { $0.rule.confirm != nil }) {
                    for box in rules where box.rule.confirm != nil && event.record != nil {
                        part.held.append((event, box.rule))
                    }
                    rules = rules.filter { $0.rule.confirm == nil }
                }
                part.notifications += route(event, rules: rules, at: now, excluding: [])
            }
            return part
        }
        for part in parts {
            if result.notifications.isEmpty {
                result.notifications = part.notifications
            } else {
                result.notifications += part.notifications
            }
            result.held += part.held
        }
        return result
    }

    /// The rules each event matches, evaluated on every core for large runs.
    private func matchingRules(for events: [Event], at now: Date) -> [[RuleBox]] {
        Parallel.map(events.count) { matchingRules(for: events[$0], at: now) }
    }

    /// The rules `event` matches, in priority order; rules its values rule out are not evaluated.
    private func matchingRules(for event: Event, at now: Date) -> [RuleBox] {
        let activation = Self.activation(for: event, at: now)
        let status = event.record?.status.description
        let statusTo = event.changes.first { $0.field == "status" }?.to
        let candidates = candidatesByKind[event.kind]?.candidates(status: status, statusTo: statusTo) ?? boxes
        return candidates.filter { box in
            box.admits(event, status: status, statusTo: statusTo) && box.rule.when.matches(activation)
        }
    }

    private func route(_ event: Event, rules matching: [RuleBox], at now: Date, excluding: Set<String>)
        -> [QueuedNotification]
    {
        guard !matching.isEmpty else { return [] }
        // One notification per (output, address): an address is known by its key's hash.
        var seen: Set<OutputAddress> = []
        var queued: [QueuedNotification] = []
        // Renderings shared by recipients of one language (unless a template names the
        // recipient); an event has few, so a list searched in order beats hashing strings.
        var renderings: [(key: RenderingKey, rendered: TemplateLibrary.Rendered)] = []
        var personal: [(key: RenderingKey, usesRecipient: Bool)] = []
        func rendering(box: RuleBox, language: String, kind: TemplateKind, recipient position: Int?)
            -> TemplateLibrary.Rendered
        {
            guard renders else { return TemplateLibrary.Rendered(subject: "", text: "", html: nil) }
            let template = box.rule.template
            var key = RenderingKey(set: template, language: language, kind: kind, recipient: nil)
            let usesRecipient: Bool
            if let known = personal.first(where: { $0.key == key }) {
                usesRecipient = known.usesRecipient
            } else {
                usesRecipient = templates.usesRecipient(
                    set: template, language: language, name: event.kind.rawValue, kind: kind)
                personal.append((key, usesRecipient))
            }
            if usesRecipient { key.recipient = position }
            if let cached = renderings.first(where: { $0.key == key }) { return cached.rendered }
            let rendered = templates.render(
                event, recipient: position.map { recipients[$0] }, ruleID: box.rule.id, set: template, kind: kind)
            renderings.append((key, rendered))
            return rendered
        }
        for box in matching {
            // Fields are read through the box: copying a whole rule per event costs a retain per field.
            for outputID in box.rule.via where !excluding.contains(outputID) {
                guard let slot = outputsByID[outputID] else { continue }
                let capabilities = slot.output.capabilities
                let kind = capabilities.templateKind
                let digests = capabilities.acceptsDigests
                let subscribed = capabilities.honoursUnsubscribes
                for (contact, position, selector) in addresses(
                    for: box.rule.notify, output: slot, event: event, at: now)
                {
                    let address = contact?.address
                    let destination = OutputAddress(output: slot.index, hash: contact?.hash)
                    guard !seen.contains(destination) else { continue }
                    var subscription: Subscription?
                    if subscribed, let position {
                        let found = Self.subscription(recipients[position].id, selector: selector, event: event)
                        let digested = digests && (box.rule.digest ?? recipients[position].digest) != nil
                        if !suppressions.isEmpty,
                            suppressions.contains(recipient: found.recipientID, list: found.list, address: address)
                                || (digested
                                    && suppressions.contains(recipient: found.recipientID, list: Subscription.digest))
                        {
                            continue
                        }
                        subscription = found
                    }
                    var mark: RealertMark?
                    if let window = box.rule.realert, let position, let record = event.record {
                        let candidate = RealertMark(
                            rule: box.rule.id, recipient: recipients[position].id, source: event.sourceID,
                            key: record.key)
                        if let last = lastNotified?(candidate),
                            now.timeIntervalSince(last) < window.timeInterval
                        {
                            continue
                        }
                        mark = candidate
                    }
                    seen.insert(destination)
                    let language = position.map { recipients[$0].language } ?? templates.defaultLanguage
                    let rendered = rendering(box: box, language: language, kind: kind, recipient: position)
                    var notification = QueuedNotification(
                        idempotencyKey: IdempotencyKey.make(
                            eventID: event.id, outputID: outputID, suffix: contact?.suffix),
                        eventID: event.id, outputID: outputID, recipient: address,
                        subject: rendered.subject, text: rendered.text, html: rendered.html)
                    notification.realert = mark
                    notification.subscription = subscription
                    if let position, digests, let window = box.rule.digest ?? recipients[position].digest {
                        notification.digest = DigestItem(
                            recipientID: recipients[position].id, outputID: outputID, address: address,
                            window: window.seconds, template: box.rule.template)
                    }
                    queued.append(notification)
                }
            }
        }
        return queued
    }

    /// Where `rule` sends through `output`: recipients' contacts on it, or the output's own destinations.
    private func addresses(
        for selectors: [Rule.Selector], output slot: (output: any Output, index: Int), event: Event, at now: Date
    ) -> [(contact: Contact?, recipient: Int?, selector: Rule.Selector)] {
        let addresses = contacts[slot.index]
        var result: [(contact: Contact?, recipient: Int?, selector: Rule.Selector)] = []
        for selector in selectors {
            let selected: [Int]
            switch selector {
            case .outputs:
                result += ownDestinations[slot.index].map { ($0, nil, selector) }
                continue
            case .all: selected = Array(recipients.indices)
            case .group(let group): selected = index.byGroup[group] ?? []
            case .recipient(let id): selected = index.byID[id].map { [$0] } ?? []
            case .sponsors:
                guard let record = event.record else { continue }
                selected = index.sponsors(of: record, person: event.subject)
            }
            for position in selected {
                if let address = addresses[position], recipients[position].wants(event.kind, at: now) {
                    result.append((address, position, selector))
                }
            }
        }
        return result
    }

    /// The list a message to `recipientID` belongs to when `selector` chose them: a
    /// sponsorship of the event's person, a group, or alerts addressed to them.
    static func subscription(_ recipientID: String, selector: Rule.Selector, event: Event) -> Subscription {
        switch selector {
        case .sponsors:
            guard let record = event.record else {
                return Subscription(recipientID: recipientID, list: Subscription.alerts)
            }
            // An unlinked record's person id is `SOURCE:KEY`: the same list with or without people.
            let person = event.subject?.id ?? RecordRef(sourceID: event.sourceID, key: record.key).description
            return Subscription(
                recipientID: recipientID, list: Subscription.sponsorList(person: person),
                person: PersonReference(sourceID: event.sourceID, key: record.key, name: record.name))
        case .group(let group):
            return Subscription(recipientID: recipientID, list: Subscription.groupList(group))
        case .recipient, .all, .outputs:
            return Subscription(recipientID: recipientID, list: Subscription.alerts)
        }
    }

    /// The variables a rule sees: `event`, `record`, `change` (field → {from, to}), `source`, `now`.
    static func activation(for event: Event, at now: Date) -> [CELValue] {
        var eventMap: [CELValue: CELValue] = [
            .string("id"): .string(event.id), .string("kind"): .string(event.kind.rawValue),
            .string("at"): .timestamp(event.at),
        ]
        if let message = event.message { eventMap[.string("message")] = .string(message) }
        if let deadline = event.deadline { eventMap[.string("deadline")] = .string(deadline) }
        if let person = event.person {
            eventMap[.string("person")] = .map([
                .string("source"): .string(person.sourceID), .string("key"): .string(person.key),
                .string("name"): .string(person.name),
            ])
        }
        var record = CELValue.null
        if let value = event.record {
            var fields: [CELValue: CELValue] = [:]
            for field in value.sortedFields {
                // A `tags` field reads as a list: "a, b" → ["a", "b"].
                fields[.string(field.name)] =
                    field.name == "tags"
                    ? .list(Recipient.tags(field.value).map(CELValue.string)) : .string(field.value)
            }
            var entries = fields
            entries[.string("key")] = .string(value.key)
            entries[.string("name")] = .string(value.name)
            entries[.string("status")] = .string(value.status.description)
            entries[.string("fields")] = .map(fields)
            record = .map(entries)
        }
        var changes: [CELValue: CELValue] = [:]
        for change in event.changes {
            changes[.string(change.field)] = .map([
                .string("from"): change.from.map(CELValue.string) ?? .null,
                .string("to"): change.to.map(CELValue.string) ?? .null,
            ])
        }
        var person = CELValue.null
        if let subject = event.subject {
            let listed = subject.listings.filter { !$0.status.isEmpty }
            person = .map([
                .string("id"): .string(subject.id), .string("name"): .string(subject.name),
                .string("sources"): .list(listed.map { .string($0.sourceID) }),
                .string("statuses"): .list(listed.map { .string($0.status) }),
                .string("records"): .list(
                    subject.listings.map { listing in
                        .map([
                            .string("source"): .string(listing.sourceID), .string("key"): .string(listing.key),
                            .string("name"): .string(listing.name), .string("status"): .string(listing.status),
                        ])
                    }),
            ])
        }
        return [
            .map(eventMap), record, .map(changes), .map([.string("id"): .string(event.sourceID)]), .timestamp(now),
            person,
        ]
    }
}

/// Recipients by id, group and sponsorship, so selecting a record's sponsors among thousands
/// of recipients costs a few lookups.
struct RecipientIndex: Sendable {
    var byID: [String: Int] = [:]
    var byGroup: [String: [Int]] = [:]
    var byKey: [String: [Int]] = [:]
    var byPerson: [String: [Int]] = [:]
    /// Field → value → recipients, for `match` sponsorships.
    var byField: [String: [String: [Int]]] = [:]

    init(_ recipients: [Recipient]) {
        for (position, recipient) in recipients.enumerated() {
            byID[recipient.id] = position
            for group in recipient.groups { byGroup[group, default: []].append(position) }
            for key in recipient.sponsorship.keys { byKey[key, default: []].append(position) }
            for person in recipient.sponsorship.people { byPerson[person, default: []].append(position) }
            for match in recipient.sponsorship.matches {
                byField[match.field, default: [:]][match.value, default: []].append(position)
            }
        }
    }

    /// Positions of the recipients sponsoring `record` (or, with its person, any record linked
    /// to them, or the person's id), each once, in configuration order.
    func sponsors(of record: Record, person: PersonSnapshot? = nil) -> [Int] {
        var found = byKey[record.key] ?? []
        if let person {
            found += byPerson[person.id] ?? []
            for listing in person.listings where listing.key != record.key { found += byKey[listing.key] ?? [] }
        }
        for (field, values) in byField {
            for value in Recipient.Sponsorship.values(of: field, in: record) { found += values[value] ?? [] }
        }
        return found.count < 2 ? found : Array(Set(found)).sorted()
    }
}

/// A rule behind a reference, so that lists of matching rules copy pointers, with the
/// values its expression requires of the record's status, read once from its `&&` terms.
final class RuleBox: Sendable {
    let rule: Rule
    /// Position in priority order.
    let order: Int
    /// `record.status == 'x'` / `in [...]`: the only statuses it can match; nil: any.
    let statuses: Set<String>?
    /// `change.status.to == 'x'` / `in [...]`: the only new statuses it can match; nil: any.
    let statusesTo: Set<String>?
    /// `has(change.f)`: fields that must have changed.
    let changedFields: [String]

    init(_ rule: Rule, order: Int) {
        self.rule = rule
        self.order = order
        statuses = rule.when.requiredValues(of: ["record", "status"])
        statusesTo = rule.when.requiredValues(of: ["change", "status", "to"])
        changedFields = rule.when.requiredFields(of: "change").sorted()
    }

    /// False when the expression cannot be true for this event (then it is not evaluated).
    func admits(_ event: Event, status: String?, statusTo: String?) -> Bool {
        if let statuses, !(status.map(statuses.contains) ?? false) { return false }
        if let statusesTo, !(statusTo.map(statusesTo.contains) ?? false) { return false }
        for field in changedFields where !event.changes.contains(where: { $0.field == field }) { return false }
        return true
    }
}

/// Which notifications of one event share a rendering.
private struct RenderingKey: Equatable {
    var set: String
    var language: String
    var kind: TemplateKind
    /// The recipient's position, when the templates name the recipient.
    var recipient: Int?
}

/// One destination on one output (the output by position, the address by its hash).
private struct OutputAddress: Hashable {
    var output: Int
    var hash: UInt64?
}

/// An address with its idempotency-key suffix, computed once per configuration.
struct Contact: Sendable {
    var address: String
    var suffix: String
    var hash: UInt64

    init(_ address: String) {
        self.address = address
        (suffix, hash) = IdempotencyKey.suffix(for: address)
    }
}

/// The rules that can match events of one kind, indexed by the status their expression
/// requires (`change.status.to` first, else `record.status`), so an event meets only the
/// rules that can concern it; in priority order.
struct RuleCandidates: Sendable {
    var unconstrained: [RuleBox] = []
    var byStatusTo: [String: [RuleBox]] = [:]
    var byStatus: [String: [RuleBox]] = [:]

    init(_ boxes: [RuleBox]) {
        for box in boxes {
            if let values = box.statusesTo {
                for value in values { byStatusTo[value, default: []].append(box) }
            } else if let values = box.statuses {
                for value in values { byStatus[value, default: []].append(box) }
            } else {
                unconstrained.append(box)
            }
        }
    }

    /// The rules worth evaluating for an event with this status and new status.
    func candidates(status: String?, statusTo: String?) -> [RuleBox] {
        let byNewStatus = statusTo.flatMap { byStatusTo[$0] } ?? []
        let byCurrentStatus = status.flatMap { byStatus[$0] } ?? []
        if byNewStatus.isEmpty && byCurrentStatus.isEmpty { return unconstrained }
        return (unconstrained + byNewStatus + byCurrentStatus).sorted { $0.order < $1.order }
    }
}
