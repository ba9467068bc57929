import Curl
import Logging

/// An output plugin instance: delivers rendered notifications to one destination kind.
///
/// Outputs are configured once (see ``OutputFactory``) and asked to deliver batches. They
/// report one outcome per notification, in the order given; they never throw, because one
/// bad notification must not hide the outcome of the others.
public protocol Output: Sendable {
    /// The output's configured id (`"console"`, `"sponsors-mail"`).
    var id: String { get }
    /// Delivers `notifications`; returns one outcome per notification, in the same order.
    /// The engine runs up to ``DeliveryPolicy/concurrency`` calls at once.
    func deliver(_ notifications: [RenderedNotification], context: DeliveryContext) async -> [DeliveryOutcome]

    /// Recipients a notification goes to when routing names none (e.g. an SMTP output's `to`).
    var defaultRecipients: [String] { get }

    /// Retry and concurrency settings used unless the configuration says otherwise.
    var defaultDeliveryPolicy: DeliveryPolicy { get }

    /// What it renders and accepts (template kind, digests, whether it needs an address).
    var capabilities: OutputCapabilities { get }
}

extension Output {
    public var capabilities: OutputCapabilities { OutputCapabilities() }
    public var defaultRecipients: [String] { [] }
    public var defaultDeliveryPolicy: DeliveryPolicy { DeliveryPolicy() }
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

    public init(
        curl: CurlEngine, logger: Logger, configDirectory: String, stateDirectory: String? = nil,
        deadline: ContinuousClock.Instant? = nil
    ) {
        self.curl = curl
        self.logger = logger
        self.configDirectory = configDirectory
        self.stateDirectory = stateDirectory
        self.deadline = deadline
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

    public init(
        id: Int64, idempotencyKey: String, eventID: String, outputID: String, recipient: String?, subject: String,
        text: String, html: String? = nil, event: Event? = nil
    ) {
        self.event = event
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
