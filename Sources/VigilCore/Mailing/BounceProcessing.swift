import Foundation

/// What a bounce or complaint does: finds the message it is about (its VERP address, else
/// the quoted Message-ID, else the failed address among the recipients), counts the bounce,
/// suppresses the address once hard bounces reach `hardBounces` (or at once for a
/// complaint), and raises `bounced`, `unsubscribed` or `sender_rejected` for the organiser.
/// Everything one report decides is committed in one transaction.
public struct BounceProcessing: Sendable {
    public let configuration: Configuration
    public let store: any StateStore
    /// The mailing secret, resolved once for every report this reads (VERP tokens).
    let links: MailingLinks?
    /// A day without a policy refusal ends a streak: the next one is reported again.
    public static let policyQuiet: TimeInterval = 86_400

    public init(configuration: Configuration, store: any StateStore) {
        self.configuration = configuration
        self.store = store
        self.links = try? configuration.mailing?.links(directory: configuration.directory)
    }

    /// What one report did, for the command line and the logs (no personal data).
    public enum Outcome: String, Sendable, Equatable {
        /// Not a delivery or complaint report: nothing stored.
        case ignored
        /// A delivery report of success or a delay, or about an address Vigil does not know.
        case noted
        case softBounce = "soft_bounce"
        /// A hard bounce counted, below the suppression count.
        case hardBounce = "hard_bounce"
        /// A hard bounce that suppressed the address.
        case suppressed
        case complaint
        /// The receiving side refused the sender: the organiser is alerted (once per streak).
        case senderPolicy = "sender_policy"
    }

    /// Processes one whole message (as read from stdin or the mailbox) at `now`.
    public func process(_ bytes: [UInt8], at now: Date) throws(StateError) -> Outcome {
        let report = MailReport(parsing: bytes)
        let sent = try findSent(report)
        var changes = ChangeSet(startedAt: now)
        changes.exitCode = 0
        let outcome: Outcome
        switch report.kind {
        case .unknown:
            return .ignored
        case .complaint(let feedbackType, let reported):
            guard let address = sent?.address ?? reported,
                let recipient = sent?.subscription?.recipientID ?? recipientID(for: address, output: sent?.outputID)
            else { return .noted }
            let name = describe(recipient)
            changes.mailing.suppressions = [
                Suppression(
                    recipientID: recipient, list: Subscription.everything, reason: .complained, at: now,
                    detail: "feedback type \(feedbackType)")
            ]
            changes.events = [
                Event(
                    kind: .unsubscribed, sourceID: "mailing", at: now,
                    message: "\(name) reported a message as spam (feedback type \(feedbackType)); every list stopped",
                    person: sent?.subscription?.person)
            ]
            outcome = .complaint
        case .delivery(let deliveries):
            let relevant =
                sent?.address.flatMap { address in
                    deliveries.first { $0.recipient.caseInsensitiveCompare(address) == .orderedSame }
                } ?? deliveries.first { $0.verdict != .none } ?? deliveries.first
            guard let delivery = relevant else { return .noted }
            let address = sent?.address ?? delivery.recipient
            // A report about no message Vigil sent and no address it knows stores nothing
            // (a forged or misrouted bounce).
            if sent == nil, recipientID(for: address, output: nil) == nil { return .noted }
            let status = ([delivery.status] + [delivery.diagnostic].compactMap { $0 }).filter { !$0.isEmpty }
                .joined(separator: " ")
            switch delivery.verdict {
            case .none:
                return .noted
            case .soft:
                changes.mailing.bounces = [BounceMark(address: address, hard: false, status: status, at: now)]
                outcome = .softBounce
            case .senderPolicy:
                let output =
                    sent?.outputID ?? configuration.outputs.first { $0.capabilities.honoursUnsubscribes }?.id
                    ?? "mail"
                let last = try store.lastPolicyRejection(outputID: output)
                changes.mailing.policyRejections = [(output, now)]
                if last.map({ now.timeIntervalSince($0) > Self.policyQuiet }) ?? true {
                    changes.events = [
                        Event(
                            kind: .senderRejected, sourceID: "mailing", at: now,
                            message: "a receiving server refused mail from output \(output) by policy: \(status)")
                    ]
                }
                outcome = .senderPolicy
            case .hard:
                changes.mailing.bounces = [BounceMark(address: address, hard: true, status: status, at: now)]
                let count = try store.bounceCounts(address: address).hard + 1
                let limit = configuration.mailing?.hardBounces ?? 1
                guard count >= limit,
                    let recipient = sent?.subscription?.recipientID ?? recipientID(for: address, output: sent?.outputID)
                else {
                    outcome = .hardBounce
                    break
                }
                let already = SuppressionSet(try store.suppressions())
                    .contains(recipient: recipient, list: Subscription.everything, address: address)
                if !already {
                    changes.mailing.suppressions = [
                        Suppression(
                            recipientID: recipient, list: Subscription.everything, reason: .bounced, at: now,
                            detail: status, address: address)
                    ]
                    changes.events = [
                        Event(
                            kind: .bounced, sourceID: "mailing", at: now,
                            message: "mail to \(describe(recipient)) at \(address) bounced "
                                + "\(count == 1 ? "once" : "\(count) times") (\(status)); no more mail goes to that address",
                            person: sent?.subscription?.person)
                    ]
                }
                outcome = .suppressed
            }
        }
        if !changes.events.isEmpty {
            let events = changes.events
            changes.notifications = try configuration.withRouter(store: store) { router in
                router.notifications(for: events, at: now)
            }
        }
        try store.commit(changes)
        return outcome
    }

    /// The message a report is about: by VERP token, else by the quoted Message-ID.
    func findSent(_ report: MailReport) throws(StateError) -> SentMessage? {
        if let links {
            for address in report.addressedTo {
                if let id = links.outboxID(inBounceAddress: address), let sent = try store.sentMessage(outboxID: id) {
                    return sent
                }
            }
        }
        if let messageID = report.originalMessageID, let at = messageID.lastIndex(of: "@") {
            return try store.sentMessage(idempotencyKey: String(messageID[..<at]))
        }
        return nil
    }

    /// The recipient whose address is `address` (on `output` when known).
    func recipientID(for address: String, output: String?) -> String? {
        configuration.recipients.first { recipient in
            recipient.contacts.contains { id, contact in
                (output == nil || id == output) && contact.caseInsensitiveCompare(address) == .orderedSame
            }
        }?.id
    }

    private func describe(_ recipientID: String) -> String {
        configuration.recipients.first { $0.id == recipientID }.map { "\($0.name) (\($0.id))" } ?? recipientID
    }
}
