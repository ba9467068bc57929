import Foundation
import Testing

@testable import VigilCore

/// Unsubscribe tokens, suppressions in both stores, and routing around them.
@Suite struct MailingTests {
    let key = Array("a-mailing-secret-of-some-length".utf8)
    let now = Date(timeIntervalSince1970: 1_796_000_000)

    @Test func tokensRoundTripAndRefuseForgeryAndAge() throws {
        let token = UnsubscribeToken(subscription: 123_456_789, issued: now).encoded(key: key)
        #expect(token.utf8.count == 27)
        #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        let read = try UnsubscribeToken.verify(token, key: key, lifetime: .seconds(30 * 86_400), at: now)
        #expect(read.subscription == 123_456_789)
        #expect(now.timeIntervalSince(read.issued) < 86_400)

        // Every single-character change is refused, never read as another subscription.
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        var characters = Array(token)
        for position in characters.indices {
            let original = characters[position]
            characters[position] = alphabet.first { $0 != original } ?? "A"
            #expect(throws: (any Error).self) {
                try UnsubscribeToken.verify(
                    String(characters), key: key, lifetime: .seconds(30 * 86_400), at: now)
            }
            characters[position] = original
        }
        #expect(throws: UnsubscribeToken.Refusal.forged) {
            try UnsubscribeToken.verify(
                token, key: Array("another-secret-entirely".utf8), lifetime: .seconds(86_400), at: now)
        }
        #expect(throws: UnsubscribeToken.Refusal.malformed) {
            try UnsubscribeToken.verify(token + "A", key: key, lifetime: .seconds(86_400), at: now)
        }
        #expect(throws: UnsubscribeToken.Refusal.malformed) {
            try UnsubscribeToken.verify("../../etc/passwd", key: key, lifetime: .seconds(86_400), at: now)
        }
        // A day's grace past the lifetime, then refused.
        let later = now.addingTimeInterval(30 * 86_400)
        #expect(throws: UnsubscribeToken.Refusal.expired) {
            try UnsubscribeToken.verify(token, key: key, lifetime: .seconds(29 * 86_400), at: later)
        }
        #expect(
            try UnsubscribeToken.verify(token, key: key, lifetime: .seconds(30 * 86_400), at: later)
                .subscription == 123_456_789)
    }

    @Test func aShortOrMissingSecretIsRefusedBeforeAnyLinkIsMade() throws {
        let short = MailingSettings(baseURL: "https://a.example", secret: try SecretString("too-short"))
        #expect(throws: MailingLinks.Failure.self) { try short.links(directory: "/") }
        let missing = MailingSettings(
            baseURL: "https://a.example", secret: try SecretString("${env:VIGIL_UNSET_MAILING_SECRET_FOR_TEST}"))
        #expect(throws: MailingLinks.Failure.self) { try missing.links(directory: "/") }
    }

    @Test(arguments: StateStoreContractTests.Kind.allCases)
    func aSuppressionDropsPendingMailOfItsListAndIsLifted(kind: StateStoreContractTests.Kind) async throws {
        try await StateStoreContractTests.withStore(kind) { store in
            let event = Event(kind: .changed, sourceID: "list", at: now)
            func mail(_ key: String, recipient: String, list: String) -> QueuedNotification {
                var notification = QueuedNotification(
                    idempotencyKey: key, eventID: event.id, outputID: "mail", recipient: "\(recipient)@example.org",
                    subject: "s", text: "t")
                notification.subscription = Subscription(recipientID: recipient, list: list)
                return notification
            }
            var changes = ChangeSet(startedAt: now)
            changes.events = [event]
            changes.notifications = [
                mail("a1", recipient: "paris", list: "sponsor:P1"), mail("a2", recipient: "paris", list: "sponsor:P2"),
                mail("a3", recipient: "lyon", list: "sponsor:P1"),
                QueuedNotification(
                    idempotencyKey: "team", eventID: event.id, outputID: "room", recipient: nil, subject: "s", text: "t"
                ),
            ]
            try store.commit(changes)
            let queued = try store.dueNotifications(at: now)
            #expect(queued.count == 4)
            let ids = Set(queued.compactMap(\.notification.subscriptionID))
            #expect(ids.count == 3, "one subscription per recipient and list")
            let first = try #require(queued.first { $0.notification.idempotencyKey == "a1" }?.notification)
            let subscriptionID = try #require(first.subscriptionID)
            let stored = try #require(try store.subscription(id: subscriptionID))
            #expect(stored.subscription == Subscription(recipientID: "paris", list: "sponsor:P1"))

            var stop = ChangeSet(startedAt: now)
            stop.mailing.suppressions = [
                Suppression(recipientID: "paris", list: "sponsor:P1", reason: .unsubscribed, at: now)
            ]
            try store.commit(stop)
            #expect(
                Set(try store.dueNotifications(at: now).map(\.notification.idempotencyKey)) == ["a2", "a3", "team"])
            var everything = ChangeSet(startedAt: now)
            everything.mailing.suppressions = [
                Suppression(recipientID: "paris", list: Subscription.everything, reason: .complained, at: now)
            ]
            try store.commit(everything)
            #expect(Set(try store.dueNotifications(at: now).map(\.notification.idempotencyKey)) == ["a3", "team"])
            #expect(try store.suppressions().map(\.list) == ["*", "sponsor:P1"])

            var lift = ChangeSet(startedAt: now)
            lift.mailing.lifted = [("paris", "*")]
            try store.commit(lift)
            #expect(try store.suppressions().map(\.list) == ["sponsor:P1"])
            lift.mailing.lifted = [("paris", nil)]
            try store.commit(lift)
            #expect(try store.suppressions().isEmpty)
        }
    }

    @Test func routingLeavesOutStoppedListsOnlyOnOutputsThatHonourThem() throws {
        let configuration = try Configuration.parse(
            Array(
                """
                {"sources": [{"id": "list", "type": "json", "path": "l.json", "key": "id", "name": "n", "status": "s"}],
                 "outputs": [{"id": "console", "type": "stdout"}],
                 "recipients": [{"id": "paris", "contacts": {"console": "-"}, "sponsors": {"keys": ["P1", "P2"]},
                                 "groups": ["press"]}],
                 "rules": [{"when": "true", "notify": ["sponsors", "group:press"], "via": "console"}]}
                """.utf8), file: "/tmp/mailing.json")
        let honouring = HonouringOutput()
        var rules = configuration.rules
        rules[0].via = ["honouring"]
        var recipients = configuration.recipients
        recipients[0].contacts["honouring"] = "paris@example.org"
        func event(_ key: String) -> Event {
            Event(
                kind: .changed, sourceID: "list", at: now,
                record: Record(key: key, name: key, status: DetaineeStatus(stored: "released")),
                changes: [FieldChange(field: "status", from: "detained", to: "released")])
        }
        func lists(_ suppressions: [Suppression], _ key: String) -> [String] {
            var routed = RuleRouter(rules: rules, recipients: recipients, outputs: [honouring])
            routed.suppressions = SuppressionSet(suppressions)
            return routed.notifications(for: event(key), at: now, excluding: []).compactMap { $0.subscription?.list }
        }
        #expect(lists([], "P1") == ["sponsor:list:P1"])
        let stopP1 = Suppression(recipientID: "paris", list: "sponsor:list:P1", reason: .unsubscribed, at: now)
        // Stopping the sponsorship leaves the group's list: the same person is still told as press.
        #expect(lists([stopP1], "P1") == ["group:press"])
        #expect(lists([stopP1], "P2") == ["sponsor:list:P2"])
        let stopAll = Suppression(recipientID: "paris", list: "*", reason: .unsubscribed, at: now)
        #expect(lists([stopAll], "P2").isEmpty)
        // An output that does not honour unsubscribes (the terminal, a webhook) is not affected.
        var plain = RuleRouter(
            rules: configuration.rules, recipients: configuration.recipients, outputs: configuration.outputs)
        plain.suppressions = SuppressionSet([stopAll])
        let told = plain.notifications(for: event("P1"), at: now, excluding: [])
        #expect(told.count == 1 && told[0].subscription == nil)
    }

    /// An output that honours unsubscribes, delivering nothing (routing is what is tested).
    struct HonouringOutput: Output {
        var id: String { "honouring" }
        var capabilities: OutputCapabilities { OutputCapabilities(honoursUnsubscribes: true) }
        func send(_ notification: RenderedNotification, session: Void) async -> DeliveryOutcome { .delivered }
    }
}

/// Reports as mail systems write them, read without Python: the parts that matter.
@Suite struct MailReportTests {
    @Test func aDSNWithLFLineEndsFoldedFieldsAndBase64IsRead() {
        let status = Data(
            """
            Reporting-MTA: dns; mx.example.net

            Final-Recipient: RFC822; Someone@Example.org
            Action: Failed
            Status: 5.1.1 (bad destination mailbox address)
            Diagnostic-Code: smtp;
             550 5.1.1 no such user

            Final-Recipient: rfc822; other@example.org
            Action: delayed
            Status: 4.4.7
            """.utf8
        ).base64EncodedString(options: .lineLength64Characters)
        let text = """
            To: bounces+abc@example.org
            Content-Type: multipart/report; report-type=delivery-status; boundary=b1

            --b1
            Content-Type: text/plain

            Sorry.
            --b1
            Content-Type: message/delivery-status
            Content-Transfer-Encoding: base64

            \(status)
            --b1
            Content-Type: message/rfc822

            Message-ID: <key-9@example.org>
            Return-Path: <bounces+xyz@example.org>
            Subject: x

            body
            --b1--
            """
        let report = MailReport(parsing: Array(text.utf8))
        guard case .delivery(let deliveries) = report.kind else {
            Issue.record("not read as a delivery report: \(report.kind)")
            return
        }
        #expect(deliveries.map(\.recipient) == ["Someone@Example.org", "other@example.org"])
        #expect(deliveries.map(\.status) == ["5.1.1", "4.4.7"])
        #expect(deliveries.map(\.verdict) == [.hard, .soft])
        #expect(deliveries[0].diagnostic == "550 5.1.1 no such user")
        #expect(report.originalMessageID == "key-9@example.org")
        #expect(report.addressedTo == ["bounces+abc@example.org", "bounces+xyz@example.org"])
    }

    @Test func verdictsFollowTheStatusClass() {
        func verdict(_ action: String, _ status: String) -> MailReport.Verdict {
            MailReport.Delivery(recipient: "a@b", action: action, status: status).verdict
        }
        #expect(verdict("failed", "5.2.2") == .hard)
        #expect(verdict("failed", "5.7.26") == .senderPolicy)
        #expect(verdict("failed", "5.7.515") == .senderPolicy)
        #expect(verdict("failed", "") == .hard)
        #expect(verdict("delayed", "") == .soft)
        #expect(verdict("failed", "4.7.0") == .soft)
        #expect(verdict("delivered", "2.0.0") == .none)
    }

    @Test func garbageIsIgnoredNotFatal() {
        for text in [
            "", "\r\n\r\n", "Content-Type: multipart/report; boundary=\"\"\n\n--\n--",
            String(repeating: "a:", count: 5000),
        ] {
            #expect(MailReport(parsing: Array(text.utf8)).kind == .unknown)
        }
        // Parts nested past the depth limit are not followed.
        var nested = "x"
        for level in 0..<20 {
            nested = "Content-Type: multipart/mixed; boundary=n\(level)\n\n--n\(level)\n\(nested)\n--n\(level)--\n"
        }
        #expect(MailReport(parsing: Array(nested.utf8)).kind == .unknown)
    }

    @Test func bounceAddressesRoundTripAndRefuseForgery() {
        let key = Array("a-mailing-secret-of-some-length".utf8)
        let address = BounceAddress.make(local: "bounces", domain: "example.org", outboxID: 987_654, key: key)
        #expect(address.wholeMatch(of: /bounces\+[a-z2-7]{21}@example\.org/) != nil)
        #expect(BounceAddress.outboxID(in: address, key: key) == 987_654)
        #expect(BounceAddress.outboxID(in: address.uppercased(), key: key) == 987_654, "mail systems may change case")
        #expect(BounceAddress.outboxID(in: address, key: Array("another-key-entirely".utf8)) == nil)
        #expect(BounceAddress.outboxID(in: "bounces+aaaaaaaaaaaaaaaaaaaaa@example.org", key: key) == nil)
        #expect(BounceAddress.outboxID(in: "bounces@example.org", key: key) == nil)
    }
}
