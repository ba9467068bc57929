import Foundation

/// Gathers the digest items whose window has ended into one notification per recipient,
/// output and address (a group of one is sent as it was rendered).
struct DigestStage {
    let configuration: Configuration
    let store: any FollowUpReading & SuppressionReading

    func collect(at now: Date, into changes: inout ChangeSet) throws(StateError) {
        // Items are read only when one may be due: the first item of a due group is.
        guard try store.hasDueDigestItems(at: now) else { return }
        let items = try store.digestItems()
        let groups = Dictionary(grouping: items) {
            "\($0.item.recipientID)\u{0}\($0.item.outputID)\u{0}\($0.item.address ?? "")"
        }
        let recipients = Dictionary(
            configuration.recipients.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let kinds = Dictionary(
            configuration.outputs.map { ($0.id, $0.capabilities.templateKind) }, uniquingKeysWith: { first, _ in first }
        )
        let subscribed = Set(configuration.outputs.filter(\.capabilities.honoursUnsubscribes).map(\.id))
        let suppressions = subscribed.isEmpty ? SuppressionSet() : SuppressionSet(try store.suppressions())
        for key in groups.keys.sorted() {
            guard let group = groups[key], let first = group.first else { continue }
            guard first.item.window == 0 || first.createdAt.addingTimeInterval(first.item.window) <= now else {
                continue
            }
            let recipientID = first.item.recipientID
            if subscribed.contains(first.item.outputID),
                suppressions.contains(recipient: recipientID, list: Subscription.digest)
            {
                // Stopped since the items were gathered: they are consumed, never sent.
                changes.consumedDigestItems += group.map(\.sequence)
                continue
            }
            let rendered: TemplateLibrary.Rendered
            let idempotencyKey: String
            if group.count == 1 {
                rendered = first.rendered
                idempotencyKey = first.idempotencyKey
            } else {
                rendered = configuration.templates.renderDigest(
                    group.map(\.rendered), recipient: recipients[first.item.recipientID], set: first.item.template,
                    kind: kinds[first.item.outputID] ?? .text)
                let joined = group.map(\.idempotencyKey).joined(separator: ",")
                idempotencyKey = "digest-" + String(UInt64(bitPattern: RecordDiff.digest(joined)), radix: 16)
            }
            var notification = QueuedNotification(
                idempotencyKey: idempotencyKey, eventID: first.eventID, outputID: first.item.outputID,
                recipient: first.item.address, subject: rendered.subject, text: rendered.text, html: rendered.html)
            if subscribed.contains(first.item.outputID) {
                notification.subscription = Subscription(recipientID: recipientID, list: Subscription.digest)
            }
            changes.notifications.append(notification)
            changes.consumedDigestItems += group.map(\.sequence)
        }
    }
}
