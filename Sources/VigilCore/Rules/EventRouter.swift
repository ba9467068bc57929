import Foundation
import Synchronization

/// Decides which notifications an event produces.
public protocol EventRouter: Sendable {
    /// The notifications for `event` at `now`, skipping the outputs in `excluding`.
    func notifications(for event: Event, at now: Date, excluding: Set<String>) -> [RunBatch.QueuedNotification]

    /// The notifications for one run's events, which may weigh on each other (suppression).
    func notifications(for events: [Event], at now: Date) -> [RunBatch.QueuedNotification]

    /// Like ``notifications(for:at:)``, with the transitions held for confirmation.
    func routing(for events: [Event], at now: Date) -> Routing

    /// The notifications of a held event once confirmed: rule `ruleID` alone, without holding.
    func release(_ event: Event, ruleID: String, at now: Date) -> [RunBatch.QueuedNotification]
}

extension EventRouter {
    public func notifications(for events: [Event], at now: Date) -> [RunBatch.QueuedNotification] {
        events.flatMap { notifications(for: $0, at: now, excluding: []) }
    }

    public func routing(for events: [Event], at now: Date) -> Routing {
        Routing(notifications: notifications(for: events, at: now))
    }

    public func release(_ event: Event, ruleID: String, at now: Date) -> [RunBatch.QueuedNotification] { [] }
}

extension Broadcast: EventRouter {
    public func notifications(for event: Event, at now: Date, excluding: Set<String>) -> [RunBatch.QueuedNotification] {
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
    public let lastNotified: (@Sendable (RunBatch.RealertMark) -> Date?)?
    public let templates: TemplateLibrary
    private let index: RecipientIndex
    private let outputsByID: [String: any Output]

    public init(
        rules: [Rule], recipients: [Recipient], outputs: [any Output], templates: TemplateLibrary = TemplateLibrary(),
        lastNotified: (@Sendable (RunBatch.RealertMark) -> Date?)? = nil
    ) {
        self.lastNotified = lastNotified
        self.templates = templates
        self.index = RecipientIndex(recipients)
        self.outputsByID = Dictionary(outputs.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        // Higher priority first: when several rules match, the first one's order is kept.
        self.rules = rules.enumerated().sorted { ($0.element.priority, -$0.offset) > ($1.element.priority, -$1.offset) }
            .map(\.element)
        self.recipients = recipients
        self.outputs = outputs
    }

    public func notifications(for event: Event, at now: Date, excluding: Set<String>) -> [RunBatch.QueuedNotification] {
        let activation = Self.activation(for: event, at: now)
        return route(
            event, rules: rules.filter { $0.confirm == nil && $0.when.matches(activation) }, at: now,
            excluding: excluding)
    }

    public func notifications(for events: [Event], at now: Date) -> [RunBatch.QueuedNotification] {
        routing(for: events, at: now).notifications
    }

    public func release(_ event: Event, ruleID: String, at now: Date) -> [RunBatch.QueuedNotification] {
        route(event, rules: rules.filter { $0.id == ruleID }, at: now, excluding: [])
    }

    /// Routes a run's events; a matching rule's `suppress` list silences those rules for the same
    /// person in the same run (a release suppresses a same-run transfer); a matching rule with
    /// `confirm` holds the event instead of notifying.
    public func routing(for events: [Event], at now: Date) -> Routing {
        var result = Routing()
        let matched = matchingRules(for: events, at: now)
        var suppressed: [String: Set<String>] = [:]
        for (event, rules) in zip(events, matched) where rules.contains(where: { !$0.suppress.isEmpty }) {
            guard let key = event.record?.key else { continue }
            for rule in rules { suppressed["\(event.sourceID)\u{0}\(key)", default: []].formUnion(rule.suppress) }
        }
        for (event, matching) in zip(events, matched) where !matching.isEmpty {
            var rules = matching
            if !suppressed.isEmpty, let key = event.record?.key,
                let silenced = suppressed["\(event.sourceID)\u{0}\(key)"]
            {
                rules = rules.filter { !silenced.contains($0.id) }
            }
            if rules.contains(where: { $0.confirm != nil }) {
                for rule in rules where rule.confirm != nil && event.record != nil { result.held.append((event, rule)) }
                rules = rules.filter { $0.confirm == nil }
            }
            result.notifications += route(event, rules: rules, at: now, excluding: [])
        }
        return result
    }

    /// The rules each event matches, evaluated on every core for large runs.
    private func matchingRules(for events: [Event], at now: Date) -> [[Rule]] {
        let rules = self.rules
        @Sendable func match(_ event: Event) -> [Rule] {
            let activation = Self.activation(for: event, at: now)
            return rules.filter { $0.when.matches(activation) }
        }
        let chunks = events.count < 1000 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        guard chunks > 1 else { return events.map(match) }
        let size = (events.count + chunks - 1) / chunks
        let results = Mutex([[Rule]](repeating: [], count: events.count))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let range = chunk * size..<min(events.count, (chunk + 1) * size)
            let part = events[range].map(match)
            results.withLock { all in
                for (offset, rules) in part.enumerated() { all[range.lowerBound + offset] = rules }
            }
        }
        return results.withLock { $0 }
    }

    private func route(_ event: Event, rules matching: [Rule], at now: Date, excluding: Set<String>)
        -> [RunBatch.QueuedNotification]
    {
        guard !matching.isEmpty else { return [] }
        var seen: Set<String> = []
        var queued: [RunBatch.QueuedNotification] = []
        // Renderings shared by recipients of one language (unless a template names the recipient).
        var renderings: [String: TemplateLibrary.Rendered] = [:]
        for rule in matching {
            for outputID in rule.via where !excluding.contains(outputID) {
                guard let output = outputsByID[outputID] else { continue }
                for (address, position) in addresses(for: rule, output: output, event: event, at: now) {
                    let recipient = position.map { recipients[$0] }
                    let recipientID = recipient?.id
                    let key = IdempotencyKey.make(eventID: event.id, outputID: outputID, recipient: address)
                    var mark: RunBatch.RealertMark?
                    if let window = rule.realert, let recipientID, let record = event.record {
                        let candidate = RunBatch.RealertMark(
                            rule: rule.id, recipient: recipientID, source: event.sourceID, key: record.key)
                        if let last = lastNotified?(candidate),
                            now.timeIntervalSince(last) < CELOperators.seconds(window)
                        {
                            continue
                        }
                        mark = candidate
                    }
                    guard seen.insert(key).inserted else { continue }
                    let language = recipient?.language ?? templates.defaultLanguage
                    let kind = output.contentKind
                    var cacheKey = "\(rule.template)\u{0}\(language)\u{0}\(kind.rawValue)"
                    if templates.usesRecipient(
                        set: rule.template, language: language, name: event.kind.rawValue, kind: kind)
                    {
                        cacheKey += "\u{0}" + (recipientID ?? "")
                    }
                    let rendered: TemplateLibrary.Rendered
                    if let cached = renderings[cacheKey] {
                        rendered = cached
                    } else {
                        rendered = templates.render(
                            event, recipient: recipient, ruleID: rule.id, set: rule.template, kind: kind)
                        renderings[cacheKey] = rendered
                    }
                    var notification = RunBatch.QueuedNotification(
                        idempotencyKey: key, eventID: event.id, outputID: outputID, recipient: address,
                        subject: rendered.subject, text: rendered.text, html: rendered.html)
                    notification.realert = mark
                    if let recipient, kind != .webhook, let window = rule.digest ?? recipient.digest {
                        notification.digest = DigestItem(
                            recipientID: recipient.id, outputID: outputID, address: address, window: window.seconds,
                            template: rule.template)
                    }
                    queued.append(notification)
                }
            }
        }
        return queued
    }

    /// Where `rule` sends through `output`: recipients' contacts on it, or the output's own destinations.
    private func addresses(for rule: Rule, output: any Output, event: Event, at now: Date) -> [(
        address: String?, recipient: Int?
    )] {
        var result: [(address: String?, recipient: Int?)] = []
        for selector in rule.notify {
            let selected: [Int]
            switch selector {
            case .outputs:
                result += output.defaultRecipients.isEmpty ? [(nil, nil)] : output.defaultRecipients.map { ($0, nil) }
                continue
            case .all: selected = Array(recipients.indices)
            case .group(let group): selected = index.byGroup[group] ?? []
            case .recipient(let id): selected = index.byID[id].map { [$0] } ?? []
            case .sponsors:
                guard let record = event.record else { continue }
                selected = index.sponsors(of: record)
            }
            for position in selected where recipients[position].wants(event.kind, at: now) {
                if let address = recipients[position].contacts[output.id] { result.append((address, position)) }
            }
        }
        return result
    }

    /// The variables a rule sees: `event`, `record`, `change` (field → {from, to}), `source`, `now`.
    static func activation(for event: Event, at now: Date) -> [CELValue] {
        var eventMap: [CELValue: CELValue] = [
            .string("id"): .string(event.id), .string("kind"): .string(event.kind.rawValue),
            .string("at"): .timestamp(event.at),
        ]
        if let message = event.message { eventMap[.string("message")] = .string(message) }
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
        return [
            .map(eventMap), record, .map(changes), .map([.string("id"): .string(event.sourceID)]), .timestamp(now),
        ]
    }
}

/// Recipients by id, group and sponsorship, so selecting a record's sponsors among thousands
/// of recipients costs a few lookups.
struct RecipientIndex: Sendable {
    var byID: [String: Int] = [:]
    var byGroup: [String: [Int]] = [:]
    var byKey: [String: [Int]] = [:]
    /// Field → value → recipients, for `match` sponsorships.
    var byField: [String: [String: [Int]]] = [:]

    init(_ recipients: [Recipient]) {
        for (position, recipient) in recipients.enumerated() {
            byID[recipient.id] = position
            for group in recipient.groups { byGroup[group, default: []].append(position) }
            for key in recipient.sponsorship.keys { byKey[key, default: []].append(position) }
            for match in recipient.sponsorship.matches {
                byField[match.field, default: [:]][match.value, default: []].append(position)
            }
        }
    }

    /// Positions of the recipients sponsoring `record`, each once, in configuration order.
    func sponsors(of record: Record) -> [Int] {
        var found = byKey[record.key] ?? []
        for (field, values) in byField {
            switch field {
            case "status": found += values[record.status.description] ?? []
            case "name": found += values[record.name] ?? []
            case "tags":
                for tag in Recipient.tags(record.field("tags") ?? "") { found += values[tag] ?? [] }
            default:
                if let value = record.field(field) { found += values[value] ?? [] }
            }
        }
        return found.count < 2 ? found : Array(Set(found)).sorted()
    }
}
