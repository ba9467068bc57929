import Curl
import Foundation
import VigilCore

/// Posts notifications to Matrix rooms and direct chats through the client-server API.
///
/// Each notification is an `m.notice` (or `m.text`) with a plain `body` and an
/// `org.matrix.custom.html` `formatted_body`, sent with `PUT …/send/m.room.message/{txnId}`
/// where the txnId is the notification's idempotency key: a retry can never post twice.
public struct MatrixOutput: Output {
    /// A chat message: text and HTML (`formatted_body`); `KIND` is `matrix`.
    public var capabilities: OutputCapabilities {
        OutputCapabilities(templateKind: TemplateKind(name: "matrix", html: true), requiresRecipient: true)
    }
    /// The output's settings, validated.
    public struct Settings: Sendable {
        /// The homeserver (`homeserver`, `allowHTTP`, `tls`, `timeout`, `connectTimeout`).
        public var endpoint: HTTPEndpoint
        public var accessToken: SecretString?
        public var user: String?
        public var password: SecretString?
        public var to: [String]
        public var msgtype: String
        /// Minimum spacing between sends to this homeserver.
        public var pace: Duration
        /// How long one delivery may wait out rate limits before handing the rest back for retry.
        public var maxRateLimitWait: Duration

        public init(
            endpoint: HTTPEndpoint, accessToken: SecretString? = nil, user: String? = nil,
            password: SecretString? = nil, to: [String] = [], msgtype: String = "m.notice", pace: Duration = .zero,
            maxRateLimitWait: Duration = .seconds(120)
        ) {
            self.endpoint = endpoint
            self.accessToken = accessToken
            self.user = user
            self.password = password
            self.to = to
            self.msgtype = msgtype
            self.pace = pace
            self.maxRateLimitWait = maxRateLimitWait
        }

        public init(
            homeserver: String, accessToken: SecretString? = nil, user: String? = nil, password: SecretString? = nil,
            to: [String] = [], msgtype: String = "m.notice", allowHTTP: Bool = false, timeout: Duration = .seconds(30),
            pace: Duration = .zero, maxRateLimitWait: Duration = .seconds(120)
        ) {
            self.init(
                endpoint: HTTPEndpoint(url: homeserver, allowHTTP: allowHTTP, timeout: timeout),
                accessToken: accessToken, user: user, password: password, to: to, msgtype: msgtype, pace: pace,
                maxRateLimitWait: maxRateLimitWait)
        }
    }

    public let id: String
    public let settings: Settings
    private let state: SharedState

    /// One session and one pacer per output instance, shared by its concurrent batches.
    private final class SharedState: Sendable {
        let pacer: Pacer
        let sessions = SessionCache()

        init(pace: Duration) {
            pacer = Pacer(minimum: pace)
        }
    }

    /// The session is made on first use, when the curl engine and state directory are known.
    private actor SessionCache {
        var session: MatrixSession?

        func session(make: () -> MatrixSession) -> MatrixSession {
            if let session { return session }
            let made = make()
            session = made
            return made
        }
    }

    public init(id: String, settings: Settings) {
        self.id = id
        self.settings = settings
        self.state = SharedState(pace: settings.pace)
    }

    public var defaultRecipients: [String] { settings.to }

    /// One batch at a time by default: a room reads its messages in the order events happened.
    public var defaultDeliveryPolicy: DeliveryPolicy { DeliveryPolicy(concurrency: 1, batchSize: 50) }

    /// Makes (or reuses) the login session and fixes how long this batch may wait out rate
    /// limits: until the output's own bound or the delivery pass's deadline, whichever is first.
    public func prepare(_ context: DeliveryContext) async throws(OutputFailure) -> Session {
        let client = MatrixClient(endpoint: settings.endpoint, curl: context.curl)
        let credentials: MatrixSession.Credentials
        if let token = settings.accessToken {
            credentials = .accessToken(token)
        } else if let user = settings.user, let password = settings.password {
            credentials = .password(user: user, password: password)
        } else {
            throw OutputFailure("no Matrix credentials configured")
        }
        let session = await state.sessions.session {
            MatrixSession(
                client: client, credentials: credentials, configDirectory: context.configDirectory,
                file: context.stateDirectory.map { PrivateFile(directory: $0, name: "matrix-\(id).session.json") })
        }
        var deadline = ContinuousClock.now + settings.maxRateLimitWait
        if let passDeadline = context.deadline { deadline = min(deadline, passDeadline) }
        return Session(login: session, client: client, deadline: deadline)
    }

    /// What a batch shares: the login, the client and its rate-limit deadline.
    public struct Session: Sendable {
        var login: MatrixSession
        var client: MatrixClient
        var deadline: ContinuousClock.Instant
    }

    public func send(_ notification: RenderedNotification, session batch: Session) async -> DeliveryOutcome {
        await transmit(notification, session: batch).outcome
    }

    /// Sends one message and reports the room it went to and the homeserver's event id.
    public func sendTest(_ notification: RenderedNotification, context: DeliveryContext) async -> TestDelivery {
        await sendTest(notification, context: context) { await transmit($0, session: $1) }
    }

    private func transmit(_ notification: RenderedNotification, session batch: Session) async -> TestDelivery {
        let (session, client, deadline) = (batch.login, batch.client, batch.deadline)
        guard let target = notification.recipient else {
            return TestDelivery(outcome: .failed(reason: "no Matrix room or user for this notification"))
        }
        var renewed = false
        while true {
            do throws(MatrixError) {
                let token = try await session.token()
                let room: String
                do throws(MatrixError) {
                    room = try await session.room(for: target, token: token)
                } catch {
                    if error.isUnknownToken || error.isRateLimited { throw error }
                    if error.status == 403 || error.status == 404 {
                        return TestDelivery(
                            outcome: .failed(reason: "cannot join or find \(target): \(error.description)"))
                    }
                    throw error
                }
                guard await state.pacer.turn(before: deadline), !Task.isCancelled else {
                    return TestDelivery(
                        outcome: .retry(after: nil, reason: "rate limited by the homeserver past this run's wait bound")
                    )
                }
                let eventID = try await client.send(
                    room: room, transactionID: notification.idempotencyKey, content: content(for: notification),
                    token: token)
                await state.pacer.succeeded()
                return TestDelivery(outcome: .delivered, answer: "room \(room), event \(eventID ?? "(no id)")")
            } catch {
                if error.isUnknownToken, !renewed {
                    renewed = true
                    do throws(MatrixError) {
                        if try await session.renewToken() { continue }
                    } catch {
                        return TestDelivery(outcome: error.outcome)
                    }
                }
                if error.isRateLimited {
                    let wait = min(error.retryAfter ?? .seconds(1), settings.maxRateLimitWait)
                    await state.pacer.limited(retryAfter: wait)
                    if ContinuousClock.now + wait < deadline, !Task.isCancelled { continue }
                }
                return TestDelivery(outcome: error.outcome)
            }
        }
    }

    /// The event content: plain body and sanitised HTML.
    func content(for notification: RenderedNotification) -> String {
        let html = notification.html.map(MatrixHTML.sanitize) ?? MatrixHTML.fromText(notification.text)
        return MatrixBodies.json(
            MatrixBodies.Message(msgtype: settings.msgtype, body: notification.text, formattedBody: html))
    }
}
