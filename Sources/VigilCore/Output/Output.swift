import Curl
import Logging

/// An output plugin instance: delivers rendered notifications to one kind of destination.
///
/// Outputs are configured once (see ``OutputFactory``). For each batch the engine calls
/// ``prepare(_:)`` once (resolve secrets, open what the batch shares), then
/// ``send(_:session:)`` for each notification in order, then ``finish(_:)``. The engine owns
/// the loop: one outcome per notification in the order given, a failed `prepare` retries
/// the whole batch, and once the pass's deadline cancels the batch the notifications not
/// yet sent are retried. `send` never throws, because one bad notification must not hide
/// the outcome of the others.
public protocol Output: Sendable {
    /// What one batch shares: resolved secrets, a connection, a session. `Void` when nothing.
    associatedtype Session: Sendable = Void

    /// The output's configured id (`"console"`, `"sponsors-mail"`).
    var id: String { get }

    /// Called once per batch before any ``send(_:session:)``. Throwing retries the batch.
    func prepare(_ context: DeliveryContext) async throws(OutputFailure) -> Session

    /// Sends one notification; its outcome's reason may quote the destination's answer
    /// but never a resolved secret.
    func send(_ notification: RenderedNotification, session: Session) async -> DeliveryOutcome

    /// Called once after the batch's last send (close a connection); nothing by default.
    func finish(_ session: Session) async

    /// Recipients a notification goes to when routing names none (e.g. an SMTP output's `to`).
    var defaultRecipients: [String] { get }

    /// Retry and concurrency settings used unless the configuration says otherwise.
    var defaultDeliveryPolicy: DeliveryPolicy { get }

    /// What it renders and accepts (template kind, digests, whether it needs an address).
    var capabilities: OutputCapabilities { get }

    /// Sends one notification now, outside the outbox (`vigil test-output`), and says what
    /// the destination answered. By default a batch of one, with no answer beyond the outcome.
    func sendTest(_ notification: RenderedNotification, context: DeliveryContext) async -> TestDelivery

    /// The lane a notification travels in (an email's destination domain), or nil. The engine
    /// batches each lane apart and runs at most the lane's ``DeliveryLane/concurrency``
    /// batches of it at once, within the output's own concurrency. Nil by default.
    func deliveryLane(for notification: RenderedNotification) -> DeliveryLane?
}

/// A part of an output's traffic paced on its own: the notifications to one mail domain.
public struct DeliveryLane: Sendable, Hashable {
    public var name: String
    /// Batches of this lane running at once.
    public var concurrency: Int

    public init(name: String, concurrency: Int) {
        self.name = name
        self.concurrency = concurrency
    }
}

/// What `vigil test-output` reports: the outcome, and the destination's own answer when the
/// output knows it (an SMTP reply line, an HTTP status and body, a Matrix event id).
public struct TestDelivery: Sendable, Equatable {
    public var outcome: DeliveryOutcome
    /// The destination's answer, never a resolved secret.
    public var answer: String?

    public init(outcome: DeliveryOutcome, answer: String? = nil) {
        self.outcome = outcome
        self.answer = answer
    }
}

extension Output {
    public func finish(_ session: Session) async {}
    public var capabilities: OutputCapabilities { OutputCapabilities() }
    public var defaultRecipients: [String] { [] }
    public var defaultDeliveryPolicy: DeliveryPolicy { DeliveryPolicy() }
    public func deliveryLane(for notification: RenderedNotification) -> DeliveryLane? { nil }

    public func sendTest(_ notification: RenderedNotification, context: DeliveryContext) async -> TestDelivery {
        let outcomes = await deliver([notification], context: context)
        return TestDelivery(outcome: outcomes.first ?? .retry(after: nil, reason: "not sent"))
    }
}

extension Output {
    /// A batch of one through `body`, which sends and also returns the destination's answer:
    /// how an output that knows its server's answer implements ``sendTest(_:context:)``.
    public func sendTest(
        _ notification: RenderedNotification, context: DeliveryContext,
        through body: (RenderedNotification, Session) async -> TestDelivery
    ) async -> TestDelivery {
        let session: Session
        do {
            session = try await prepare(context)
        } catch {
            return TestDelivery(outcome: .retry(after: nil, reason: error.reason))
        }
        let result = await body(notification, session)
        await finish(session)
        return result
    }
}

extension Output where Session == Void {
    public func prepare(_ context: DeliveryContext) async throws(OutputFailure) {}
}

extension Output {
    /// Delivers a batch the way the engine does: prepare once, send each in order, finish;
    /// one outcome per notification, in the same order.
    public func deliver(_ notifications: [RenderedNotification], context: DeliveryContext) async -> [DeliveryOutcome] {
        let session: Session
        do {
            session = try await prepare(context)
        } catch {
            return notifications.map { _ in .retry(after: nil, reason: error.reason) }
        }
        var outcomes: [DeliveryOutcome] = []
        outcomes.reserveCapacity(notifications.count)
        for notification in notifications {
            guard !Task.isCancelled else {
                outcomes.append(.retry(after: nil, reason: "delivery pass ended (deadline) before this notification"))
                continue
            }
            outcomes.append(await send(notification, session: session))
        }
        await finish(session)
        return outcomes
    }
}

/// Why an output could not prepare a batch (a secret that does not resolve, a session that
/// cannot be opened): every notification of the batch is retried with this reason.
public struct OutputFailure: Error, Sendable, CustomStringConvertible {
    public var reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}

/// Builds outputs of one `type` from their configuration object.
public protocol OutputFactory: Sendable {
    /// The `type` value in the configuration (`"stdout"`, `"smtp"`).
    var type: String { get }
    /// Reads the output's own options from `options` (`id` and `type` are already consumed),
    /// reporting problems through it. Returns nil when the options are invalid.
    func makeOutput(id: String, options: inout ObjectReader) -> (any Output)?
}

/// What an output may use while delivering.
public struct DeliveryContext: Sendable {
    public var curl: CurlEngine
    public var logger: Logger
    /// The configuration file's directory, for relative paths and `${file:…}` secrets.
    public var configDirectory: String
    /// The state directory, where an output may keep a private file of its own (a session).
    public var stateDirectory: String?
    /// When this delivery pass must end: an output never waits past it (for a rate limit,
    /// say), and batches still running then are cancelled and retried later.
    public var deadline: ContinuousClock.Instant?
    /// The configuration's `mailing` settings: subscribed mail signs each recipient's
    /// unsubscribe link with them (resolve with ``MailingSettings/links(directory:)``).
    public var mailing: MailingSettings?

    public init(
        curl: CurlEngine, logger: Logger, configDirectory: String, stateDirectory: String? = nil,
        deadline: ContinuousClock.Instant? = nil, mailing: MailingSettings? = nil
    ) {
        self.curl = curl
        self.logger = logger
        self.configDirectory = configDirectory
        self.stateDirectory = stateDirectory
        self.deadline = deadline
        self.mailing = mailing
    }
}

/// The result of one delivery attempt.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered
    /// A transient failure: try again, no sooner than `after` when the destination said so.
    case retry(after: Duration?, reason: String)
    /// A permanent failure for this notification: retrying cannot help. Raises a `dead_lettered` alert.
    case failed(reason: String)
    /// A permanent failure already reported once (an endpoint known to be gone): dead-lettered
    /// without another alert.
    case abandoned(reason: String)
}

/// A notification ready to send: its content rendered, its idempotency key fixed.
public struct RenderedNotification: Sendable, Equatable {
    /// The outbox row id.
    public var id: Int64
    /// Stable across retries; carried by every protocol (Message-ID, webhook-id, txnId).
    public var idempotencyKey: String
    public var eventID: String
    public var outputID: String
    /// Where to (an address, a room, an endpoint); nil when the output has one fixed destination.
    public var recipient: String?
    public var subject: String
    public var text: String
    public var html: String?
    /// The event it is about, for outputs that send structured data (webhooks).
    public var event: Event?
    /// The stored subscription it belongs to (see ``Subscription``), for the recipient's own
    /// unsubscribe link; nil for an output's own destinations.
    public var subscriptionID: Int64?

    public init(
        id: Int64, idempotencyKey: String, eventID: String, outputID: String, recipient: String?, subject: String,
        text: String, html: String? = nil, event: Event? = nil, subscriptionID: Int64? = nil
    ) {
        self.event = event
        self.subscriptionID = subscriptionID
        self.id = id
        self.idempotencyKey = idempotencyKey
        self.eventID = eventID
        self.outputID = outputID
        self.recipient = recipient
        self.subject = subject
        self.text = text
        self.html = html
    }
}
