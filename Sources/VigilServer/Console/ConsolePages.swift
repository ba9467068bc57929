import Foundation
import VigilCEL
import VigilCore

/// What each console page shows, read from the state as one request sees it: Mustache
/// contexts, with personal data only as values the templates escape.
struct ConsolePages {
    let configuration: Configuration
    let store: any StateStore
    let now: Date

    typealias Context = [String: Any]

    /// A page about something that does not exist (answered 404).
    struct NotFound: Error, CustomStringConvertible {
        var description: String
    }

    // MARK: - Overview

    func overview() throws(StateError) -> Context {
        let states = try store.sourceStates()
        let history = try store.recordCountHistory(since: now - 14 * 86_400)
        let counts = try store.outboxCounts()
        let sources: [Context] = configuration.sources.map { source in
            let state = states[source.id]
            var row: Context = [
                "id": source.id, "ran": state?.lastAttemptAt != nil, "failing": state?.isFailing ?? false,
                "lastAttempt": Self.when(state?.lastAttemptAt), "lastSuccess": Self.when(state?.lastSuccessAt),
                "streak": state?.consecutiveFailures ?? 0, "records": state?.recordCount ?? 0,
                "chart": Sparkline.svg(history[source.id] ?? [], from: now - 14 * 86_400, to: now),
            ]
            if let state, state.isFailing {
                row["failure"] = [state.failureKind, state.failureMessage].compactMap { $0 }.joined(separator: ": ")
            }
            return row
        }
        return [
            "sources": sources, "outboxDepth": counts[.pending] ?? 0, "deadLetters": counts[.failed] ?? 0,
            "heldWaiting": try store.heldTransitions().count,
        ]
    }

    // MARK: - People

    func people(query: String, search: PeopleSearch) throws(StateError) -> Context {
        let trimmed = query.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { return ["query": ""] }
        var view = try PeopleView(configuration: configuration, store: store)
        var found = search.find(trimmed).map(\.personID)
        if found.isEmpty, let person = try view.person(trimmed) { found = [person.id] }
        var results: [Context] = []
        for id in found {
            guard let person = try view.person(id) else { continue }
            results.append([
                "name": person.name.isEmpty ? person.id : person.name, "link": Self.link(person.id),
                "listings": person.listings.map { listing -> Context in
                    [
                        "source": listing.sourceID,
                        "status": listing.status.isEmpty ? ConsoleStrings.english["notListed"] ?? "" : listing.status,
                    ]
                },
            ])
        }
        return ["query": trimmed, "results": results, "hasResults": !results.isEmpty]
    }

    /// One person's page; nil when `id` names no one.
    func person(_ id: String) throws(StateError) -> Context? {
        var view = try PeopleView(configuration: configuration, store: store)
        guard let person = try view.person(id) else { return nil }
        let records = Set(person.listings.map { RecordRef(sourceID: $0.sourceID, key: $0.key) })
        let events = try store.events(matching: EventFilter(records: records), limit: 200)
        let told = Dictionary(
            grouping: try store.outboxEntries(events: events.map(\.event.id)), by: \.notification.eventID)
        var timeline: [(at: Date, item: Context)] = events.map { stored in
            let event = stored.event
            let rows: [Context] = (told[event.id] ?? []).map { entry in
                [
                    "recipient": entry.notification.recipient ?? entry.notification.outputID,
                    "output": entry.notification.outputID, "state": entry.state.rawValue,
                ]
            }
            var item: Context = [
                "at": Self.when(event.at), "what": Self.describe(event), "source": event.sourceID, "told": rows,
                "hasTold": !rows.isEmpty,
            ]
            if !event.changes.isEmpty {
                item["detail"] = event.changes.map { "\($0.field): \($0.from ?? "–") → \($0.to ?? "–")" }
                    .joined(separator: "; ")
            }
            return (event.at, item)
        }
        for decision in try store.holdDecisions(records: records) {
            let reason = decision.reason.isEmpty ? "" : ": \(decision.reason)"
            timeline.append(
                (
                    decision.at,
                    [
                        "at": Self.when(decision.at), "source": decision.sourceID,
                        "what": "\(decision.verdict.rawValue) by \(decision.by)",
                        "detail":
                            "\(decision.status.isEmpty ? "removal" : decision.status) (rule \(decision.ruleID))\(reason)",
                        "told": [Context](), "hasTold": false,
                    ]
                ))
        }
        for transition in try store.heldTransitions() where records.contains(transition.record) {
            timeline.append(
                (
                    transition.heldSince,
                    [
                        "at": Self.when(transition.heldSince), "source": transition.sourceID,
                        "what": "held by rule \(transition.ruleID)",
                        "detail": transition.approval.map { "approved by \($0.by); waiting for its confirmation" }
                            ?? "not sent yet: waiting for confirmation or approval (see Held)",
                        "told": [Context](), "hasTold": false,
                    ]
                ))
        }
        timeline.sort { $0.at > $1.at }
        var listed: [Record] = []
        for listing in person.listings where !listing.status.isEmpty {
            if let record = try view.record(RecordRef(sourceID: listing.sourceID, key: listing.key)) {
                listed.append(record)
            }
        }
        let sponsors = configuration.sponsors(of: listed, person: person)
        return [
            "id": person.id, "name": person.name.isEmpty ? person.id : person.name,
            "listings": person.listings.map { listing -> Context in
                [
                    "source": listing.sourceID, "key": listing.key, "name": listing.name,
                    "status": listing.status.isEmpty ? ConsoleStrings.english["notListed"] ?? "" : listing.status,
                ]
            },
            "sponsors": sponsors.sorted { $0.id < $1.id }.map { ["id": $0.id, "name": $0.name] as Context },
            "timeline": timeline.map(\.item),
        ]
    }

    // MARK: - Held

    func held(canDecide: Bool, csrf: String) throws(StateError) -> Context {
        let items: [Context] = try HeldQueue(configuration: configuration, store: store).items(at: now).map { item in
            let transition = item.transition
            let told: [Context] = item.wouldNotify.map { notification in
                ["recipient": notification.recipient ?? "(\(notification.outputID))", "output": notification.outputID]
            }
            return [
                "id": item.id, "name": item.person.name.isEmpty ? transition.key : item.person.name,
                "personLink": Self.link(item.person.id),
                "what": transition.status.isEmpty ? "no longer listed" : transition.status,
                "source": transition.sourceID, "rule": transition.ruleID, "heldSince": Self.when(transition.heldSince),
                "waitingFor": item.waitingFor, "decidable": item.confirmation.approval && transition.approval == nil,
                "changes": (item.event?.changes ?? []).map { change -> Context in
                    ["field": change.field, "from": change.from ?? "–", "to": change.to ?? "–"]
                },
                "wouldTell": told, "canDecide": canDecide, "csrf": csrf,
            ]
        }
        return ["items": items, "hasItems": !items.isEmpty, "canDecide": canDecide]
    }

    // MARK: - Outbox

    func outbox(canDecide: Bool, csrf: String) throws(StateError) -> Context {
        let entries: [Context] = try store.undeliveredNotifications().map { entry in
            [
                "id": entry.notification.id, "state": entry.state == .failed ? "dead-lettered" : "pending",
                "failed": entry.state == .failed, "output": entry.notification.outputID,
                "recipient": entry.notification.recipient ?? "", "subject": entry.notification.subject,
                "attempts": entry.attempts, "lastError": entry.lastError ?? "", "canDecide": canDecide, "csrf": csrf,
            ]
        }
        return ["entries": entries, "hasEntries": !entries.isEmpty]
    }

    // MARK: - Events

    func events(parameters: [String: String]) throws(StateError) -> Context {
        var filter = EventFilter()
        let source = parameters["source"].flatMap { $0.isEmpty ? nil : $0 }
        filter.source = source
        filter.kind = parameters["kind"].flatMap(Event.Kind.init(rawValue:))
        filter.from = parameters["from"].flatMap(Self.day)
        filter.to = parameters["to"].flatMap(Self.day).map { $0 + 86_400 }
        filter.before = parameters["before"].flatMap(Int64.init)
        let person = parameters["person"]?.trimmingCharacters(in: .whitespaces) ?? ""
        let people = try PeopleIndex(store: store)
        if !person.isEmpty { filter.records = Set(people.records(of: people.resolve(person) ?? person)) }
        let limit = 100
        let found = try store.events(matching: filter, limit: limit)
        let rows: [Context] = found.map { stored in
            let event = stored.event
            var row: Context = [
                "at": Self.when(event.at), "kind": event.kind.rawValue, "source": event.sourceID,
                "what": Self.describe(event),
            ]
            if let record = event.record {
                row["link"] = Self.link(people.personID(of: RecordRef(sourceID: event.sourceID, key: record.key)))
            }
            return row
        }
        var context: Context = [
            "sources": configuration.sources.map { ["id": $0.id, "selected": $0.id == source] as Context },
            "kinds": Event.Kind.allCases.map { ["id": $0.rawValue, "selected": $0 == filter.kind] as Context },
            "person": person, "from": parameters["from"] ?? "", "to": parameters["to"] ?? "",
            "events": rows, "hasEvents": !rows.isEmpty,
        ]
        if found.count == limit, let last = found.last {
            var next = parameters
            next["before"] = String(last.sequence)
            context["older"] = "/console/events?" + ConsoleForm.encode(next)
        }
        return context
    }

    // MARK: - Preview

    /// Routes a pasted event as `vigil preview --event` does; nothing is stored or sent.
    func preview(_ text: String) -> Context {
        var context: Context = ["event": text]
        do {
            let event = try Event(json: try JSONParser.parse(Array(text.utf8)), at: now)
            let routing = try configuration.withRouter(store: store) { $0.routing(for: [event], at: now) }
            context["routed"] = true
            context["count"] = routing.notifications.count
            context["notifications"] = routing.notifications.map { notification -> Context in
                [
                    "output": notification.outputID, "recipient": notification.recipient ?? "(own destination)",
                    "subject": notification.subject,
                ]
            }
            context["held"] = routing.held.map { held -> Context in
                ["rule": held.rule.id, "confirm": held.rule.confirm?.description ?? ""]
            }
        } catch let error as JSONParser.Failure {
            context["error"] = "not valid JSON: \(error.description)"
        } catch {
            context["error"] = "\(error)"
        }
        return context
    }

    // MARK: - Words

    static func when(_ date: Date?) -> String {
        guard let date else { return "–" }
        let text = Timestamp.iso8601(date)
        return text.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
    }

    static func day(_ text: String) -> Date? {
        guard text.count == 10 else { return nil }
        return Timestamp.parseRFC3339(text + "T00:00:00Z")
    }

    /// A person's page address: their id, percent-encoded as one path segment.
    static func link(_ personID: String) -> String {
        personID.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:")))
            ?? personID
    }

    static func describe(_ event: Event) -> String {
        let name = event.record?.name ?? event.subject?.name ?? ""
        switch event.kind {
        case .added: return "\(name) listed (\(event.record?.status.description ?? ""))"
        case .removed: return "\(name) no longer listed"
        case .changed:
            if let status = event.changes.first(where: { $0.field == "status" }) {
                return "\(name): \(status.from ?? "–") → \(status.to ?? "–")"
            }
            return "\(name): " + event.changes.map(\.field).joined(separator: ", ") + " changed"
        default:
            return [name, event.message ?? ""].filter { !$0.isEmpty }.joined(separator: ": ")
        }
    }
}
