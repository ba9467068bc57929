import CCurl
import Curl
import Foundation
import Synchronization
import VigilCEL
import VigilCore

/// Sends notifications as email through libcurl's SMTP client.
///
/// Each `deliver` call sends its batch one message after another; curl keeps the SMTP session
/// open between them, so a batch costs one connection (the engine runs `concurrency` batches
/// at once). STARTTLS is required on `smtp://` unless the configuration explicitly allows
/// plain text (a local relay); `smtps://` uses implicit TLS.
public struct SMTPOutput: Output {
    /// Email: subject, plain text and HTML alternatives; `KIND` is `email`.
    public var capabilities: OutputCapabilities {
        OutputCapabilities(
            templateKind: TemplateKind(name: "email", html: true), requiresRecipient: true, honoursUnsubscribes: true)
    }
    /// The output's settings, validated.
    public struct Settings: Sendable {
        public var url: String
        public var plaintext: Bool
        public var from: MailAddress
        public var fromName: String?
        public var replyTo: MailAddress?
        public var to: [MailAddress]
        public var username: SecretString?
        public var password: SecretString?
        public var unsubscribeMailto: MailAddress?
        public var unsubscribeURL: String?
        public var headers: [(name: String, value: String)]
        /// `List-Id` (RFC 2919): `<LABEL.NAMESPACE>`; by default the output id under the From domain.
        public var listID: String?
        /// `Feedback-ID`, for mailbox providers' complaint loops (`a:b:c:SenderId`).
        public var feedbackID: String?
        /// The envelope sender, separate from From, where bounces go; with the `mailing`
        /// secret each message gets its own VERP address (`local+TOKEN@domain`).
        public var bounceAddress: MailAddress?
        /// Per destination domain: connections at once and messages a second.
        public var pacing = DomainPacer.Limits(concurrency: 2, rate: 30)
        /// Domains with limits of their own (lowercase).
        public var domainPacing: [String: DomainPacer.Limits] = [:]
        public var timeout: Duration
        public var connectTimeout: Duration
        public var verifyTLS: Bool
        public var caFile: String?
        public var concurrency: Int
        /// Open a new connection per message (for comparison; never the default).
        public var newConnectionPerMessage: Bool = false

        public init(
            url: String, plaintext: Bool = false, from: MailAddress, fromName: String? = nil,
            replyTo: MailAddress? = nil,
            to: [MailAddress] = [], username: SecretString? = nil, password: SecretString? = nil,
            unsubscribeMailto: MailAddress? = nil, unsubscribeURL: String? = nil,
            headers: [(name: String, value: String)] = [], timeout: Duration = .seconds(30),
            connectTimeout: Duration = .seconds(10), verifyTLS: Bool = true, caFile: String? = nil,
            concurrency: Int = 4,
            newConnectionPerMessage: Bool = false
        ) {
            self.url = url
            self.plaintext = plaintext
            self.from = from
            self.fromName = fromName
            self.replyTo = replyTo
            self.to = to
            self.username = username
            self.password = password
            self.unsubscribeMailto = unsubscribeMailto
            self.unsubscribeURL = unsubscribeURL
            self.headers = headers
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.verifyTLS = verifyTLS
            self.caFile = caFile
            self.concurrency = concurrency
            self.newConnectionPerMessage = newConnectionPerMessage
        }
    }

    public let id: String
    public let settings: Settings
    /// Counters of this output's SMTP traffic.
    public let statistics = SMTPStatistics()
    /// Per-domain pacing, shared by the batches of a run.
    public let pacer = DomainPacer()

    public init(id: String, settings: Settings) {
        self.id = id
        self.settings = settings
    }

    public var defaultRecipients: [String] { settings.to.map(\.address) }

    public var defaultDeliveryPolicy: DeliveryPolicy {
        DeliveryPolicy(concurrency: settings.concurrency, batchSize: 50)
    }

    /// The recipient's domain, with its connection limit.
    public func deliveryLane(for notification: RenderedNotification) -> DeliveryLane? {
        guard let domain = Self.domain(of: notification.recipient) else { return nil }
        return DeliveryLane(name: domain, concurrency: limits(for: domain).concurrency)
    }

    /// The pacing limits of `domain`.
    func limits(for domain: String) -> DomainPacer.Limits { settings.domainPacing[domain] ?? settings.pacing }

    static func domain(of address: String?) -> String? {
        guard let address, let at = address.lastIndex(of: "@") else { return nil }
        return address[address.index(after: at)...].lowercased()
    }

    /// Resolves the SMTP credentials and the mailing secret once per batch.
    public func prepare(_ context: DeliveryContext) async throws(OutputFailure) -> Session {
        let credentials: (String, String)?
        do {
            credentials = try settings.username.map { username in
                (
                    try username.resolve(directory: context.configDirectory),
                    try settings.password?.resolve(directory: context.configDirectory) ?? ""
                )
            }
        } catch {
            throw OutputFailure("SMTP credentials: \(error)")
        }
        // Subscribed mail never leaves without its recipient's unsubscribe link: a secret that
        // does not resolve retries the batch.
        let links: MailingLinks?
        do {
            links = try context.mailing?.links(directory: context.configDirectory)
        } catch {
            throw OutputFailure(error.description)
        }
        return Session(credentials: credentials, curl: context.curl, links: links, deadline: context.deadline)
    }

    /// What a batch shares: the resolved credentials (curl keeps the connection open) and
    /// the mailing links' key.
    public struct Session: Sendable {
        var credentials: (username: String, password: String)?
        var curl: CurlEngine
        var links: MailingLinks?
        /// When the delivery pass ends: a pacing wait never runs past it.
        var deadline: ContinuousClock.Instant?
    }

    /// The envelope sender: From, or the bounce address, with its VERP token when the
    /// message is an outbox row and the mailing secret is at hand.
    func envelopeSender(for notification: RenderedNotification, links: MailingLinks?) -> String {
        guard let bounces = settings.bounceAddress else { return settings.from.address }
        guard let links, notification.id > 0 else { return bounces.address }
        return links.bounceAddress(local: bounces.local, domain: bounces.domain, outboxID: notification.id)
    }

    /// `List-Id`'s value: the configured one, or `<OUTPUT.FROM-DOMAIN>`.
    var listID: String { "<\(settings.listID ?? "\(id.lowercased()).\(settings.from.domain)")>" }

    /// Sends one message; the outcome's reason quotes the server's reply when there is one.
    public func send(_ notification: RenderedNotification, session: Session) async -> DeliveryOutcome {
        await transmit(notification, session: session).outcome
    }

    /// Sends one message and reports the server's last reply line ("250 2.0.0 Ok: queued as …").
    public func sendTest(_ notification: RenderedNotification, context: DeliveryContext) async -> TestDelivery {
        await sendTest(notification, context: context) { await transmit($0, session: $1) }
    }

    private func transmit(_ notification: RenderedNotification, session: Session) async -> TestDelivery {
        guard let recipientText = notification.recipient else {
            return TestDelivery(outcome: .failed(reason: "no recipient address for this email notification"))
        }
        guard let recipient = MailAddress(recipientText) else {
            return TestDelivery(
                outcome: .failed(reason: "invalid recipient address (expected local@domain, ASCII, no spaces)"))
        }
        let domain = recipient.domain.lowercased()
        let limits = limits(for: domain)
        switch pacer.admit(domain, limits: limits, now: .now) {
        case .paused(let remaining):
            return TestDelivery(
                outcome: .retry(
                    after: remaining,
                    reason:
                        "\(domain) deferred our mail; paused for \(DurationParser.describe(remaining)) (per-domain pacing)"
                ))
        case .send(let wait) where wait > .zero:
            if let deadline = session.deadline, ContinuousClock.now + wait > deadline {
                return TestDelivery(
                    outcome: .retry(after: wait, reason: "\(domain)'s rate limit reaches past this pass"))
            }
            try? await Task.sleep(for: wait)
        case .send:
            break
        }
        let now = Date()
        // A recipient's own one-click link when the message belongs to a list; otherwise the
        // output's fixed targets.
        let personalURL = notification.subscriptionID.flatMap { id in
            session.links?.unsubscribeURL(subscription: id, at: now)
        }
        let url = personalURL ?? settings.unsubscribeURL
        var message = MailMessage(
            from: settings.from, fromName: settings.fromName, to: recipient, replyTo: settings.replyTo,
            subject: notification.subject, text: notification.text, html: notification.html,
            idempotencyKey: notification.idempotencyKey, date: now,
            unsubscribe: settings.unsubscribeMailto == nil && url == nil
                ? nil : MailMessage.Unsubscribe(mailto: settings.unsubscribeMailto, url: url),
            extraHeaders: settings.headers)
        message.listID = listID
        message.feedbackID = settings.feedbackID
        var request = CurlRequest(
            url: settings.url,
            body: message.render(),
            allowedProtocols: settings.url.lowercased().hasPrefix("smtps://") ? "smtps" : "smtp,smtps",
            connectTimeout: settings.connectTimeout,
            totalTimeout: settings.timeout,
            verifyTLS: settings.verifyTLS,
            caFile: settings.caFile,
            tls: settings.plaintext ? .default : .required,
            maxResponseBytes: 1 << 20,
            mailFrom: "<\(envelopeSender(for: notification, links: session.links))>",
            mailRecipients: ["<\(recipient.address)>"])
        request.forbidReuse = settings.newConnectionPerMessage
        if let (username, password) = session.credentials {
            request.authentication = .basic(username: username, password: password)
        }
        do {
            let response = try await session.curl.perform(request)
            statistics.record(connections: response.newConnections)
            return TestDelivery(outcome: .delivered, answer: response.replyLines.last)
        } catch {
            if case .rejected(_, _, let code, let reply) = error,
                DomainPacer.isDeferral(responseCode: code, reply: reply)
            {
                let pause = pacer.deferred(domain, limits: limits, now: .now)
                return TestDelivery(
                    outcome: .retry(
                        after: pause,
                        reason: "SMTP reply: \(reply.isEmpty ? String(code) : reply); \(domain) deferred our mail, "
                            + "paused for \(DurationParser.describe(pause)) and slowed down"))
            }
            return TestDelivery(outcome: Self.outcome(for: error))
        }
    }

    /// 4xx replies, connection problems and timeouts retry; 5xx replies are permanent for that
    /// recipient, except authentication failures, which wait for the operator to fix the
    /// credentials.
    static func outcome(for error: CurlError) -> DeliveryOutcome {
        switch error {
        case .rejected(let code, let message, let responseCode, let reply):
            let text = reply.isEmpty ? "SMTP \(responseCode): \(message)" : "SMTP reply: \(reply)"
            if responseCode == 535 || code == Int(CURLE_LOGIN_DENIED.rawValue) {
                return .retry(after: nil, reason: "authentication failed (\(text)); check username and password")
            }
            if (500..<600).contains(responseCode) { return .failed(reason: text) }
            return .retry(after: nil, reason: text)
        case .transfer(let code, let message):
            if code == Int(CURLE_LOGIN_DENIED.rawValue) {
                return .retry(after: nil, reason: "authentication failed: \(message); check username and password")
            }
            return .retry(after: nil, reason: "SMTP: \(message) (curl error \(code))")
        case .invalidRequest(let why):
            return .failed(reason: "cannot build the SMTP request: \(why)")
        case .responseTooLarge, .engineStopped, .cancelled:
            return .retry(after: nil, reason: error.description)
        }
    }
}

/// Counts what an SMTP output did: messages accepted and SMTP connections opened.
public final class SMTPStatistics: Sendable {
    private let counters = Mutex((messages: 0, connections: 0))

    public init() {}

    public var messagesSent: Int { counters.withLock { $0.messages } }
    public var connectionsOpened: Int { counters.withLock { $0.connections } }

    func record(connections: Int) {
        counters.withLock {
            $0.messages += 1
            $0.connections += connections
        }
    }
}
