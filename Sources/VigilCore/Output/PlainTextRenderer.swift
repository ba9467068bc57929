/// Renders events as short plain text: a subject line and a body a person reads in a mail
/// or a terminal. (Per-language templates come with the rules engine.)
public enum PlainTextRenderer {
    public static func subject(for event: Event) -> String {
        let name = event.record?.name ?? ""
        switch event.kind {
        case .added: return "\(name): now listed (\(event.record?.status.description ?? "unknown"))"
        case .removed: return "\(name): no longer listed"
        case .changed:
            if let status = event.changes.first(where: { $0.field == "status" }) {
                return "\(name): \(status.from ?? "none") → \(status.to ?? "none")"
            }
            return "\(name): \(event.changes.map(\.field).joined(separator: ", ")) changed"
        case .failing: return "Source \(event.sourceID) is failing"
        case .recovered: return "Source \(event.sourceID) recovered"
        case .suspicious: return "Source \(event.sourceID): suspicious drop, nothing applied"
        case .deadLettered: return "Delivery failed: a notification about \(event.sourceID) was given up"
        case .overdue: return "\(name): overdue (\(event.deadline ?? "deadline"))"
        case .upcoming: return "\(name): coming up (\(event.deadline ?? "deadline"))"
        case .mention: return "\(event.person?.name ?? "A tracked person") mentioned: \(name)"
        case .conflict: return "\(event.subject?.name ?? name): sources disagree"
        case .conflictResolved: return "\(event.subject?.name ?? name): sources agree again"
        case .unsubscribed:
            return "A recipient unsubscribed" + (event.person.map { " from news about \($0.name)" } ?? "")
        case .bounced: return "A recipient's address bounced: mail to it stopped"
        case .senderRejected: return "Mail refused by a receiving server's policy"
        case .approvalRequested: return "Held for approval: \(event.subject?.name ?? name)"
        }
    }

    public static func text(for event: Event) -> String {
        var lines: [String] = []
        switch event.kind {
        case .added, .changed, .removed:
            guard let record = event.record else { break }
            lines.append("[\(event.sourceID)] \(event.kind.rawValue): \(record.name) (key \(record.key))")
            switch event.kind {
            case .changed:
                for change in event.changes {
                    lines.append("  \(change.field): \(change.from ?? "(none)") → \(change.to ?? "(none)")")
                }
            case .added:
                lines.append("  status: \(record.status)")
                for field in record.sortedFields {
                    lines.append("  \(field.name): \(field.value)")
                }
            default:
                lines.append("  last status: \(record.status)")
            }
        case .failing, .suspicious:
            lines.append(
                "[\(event.sourceID)] source \(event.kind == .failing ? "failing" : "suspicious"): \(event.message ?? "")"
            )
            lines.append("  No person events are produced from this source until it recovers; stored state is kept.")
        case .recovered:
            lines.append("[\(event.sourceID)] source recovered\(event.message.map { ": \($0)" } ?? "")")
        case .overdue, .upcoming:
            lines.append(
                "[\(event.sourceID)] \(event.kind.rawValue): \(event.record?.name ?? "") (key \(event.record?.key ?? ""))"
            )
            if let message = event.message { lines.append("  \(message)") }
        case .approvalRequested:
            lines.append("[\(event.sourceID)] held for approval: \(event.message ?? "")")
            lines.append("  Nothing was sent: `vigil approve ID` sends it, `vigil reject ID --reason …` drops it.")
        case .bounced, .senderRejected:
            lines.append("[\(event.sourceID)] \(event.kind.rawValue): \(event.message ?? "")")
        case .unsubscribed:
            lines.append("[\(event.sourceID)] unsubscribed: \(event.message ?? "")")
            lines.append("  `vigil recipients resubscribe ID` undoes it if the recipient asks.")
        case .deadLettered:
            lines.append("[\(event.sourceID)] delivery dead-lettered: \(event.message ?? "")")
            lines.append("  See `vigil outbox`; `vigil outbox retry ID` sends it again.")
        case .mention:
            let person = event.person
            lines.append(
                "[\(event.sourceID)] mention of \(person?.name ?? "") (\(person?.sourceID ?? ""), key \(person?.key ?? ""))"
            )
            lines.append("  item: \(event.record?.name ?? "")")
            if let link = event.record?.field("link") { lines.append("  link: \(link)") }
            lines.append("  A mention is news to read, not a change of the person's status.")
        case .conflict, .conflictResolved:
            let person = event.subject
            lines.append(
                "[\(person?.id ?? event.sourceID)] \(event.kind == .conflict ? "sources disagree" : "sources agree again") on \(person?.name ?? "")"
            )
            for listing in person?.listings ?? [] {
                lines.append(
                    "  \(listing.sourceID) (key \(listing.key)): \(listing.status.isEmpty ? "not listed" : listing.status)"
                )
            }
        }
        if event.reportedBy.count > 1 {
            lines.append("  reported by: \(event.reportedBy.joined(separator: ", "))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
