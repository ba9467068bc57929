import Curl
import Foundation
import StandardWebhooks
import Synchronization
import VigilCore

/// Posts signed JSON to partner endpoints, per the Standard Webhooks specification.
///
/// `webhook-id` is the notification's idempotency key (identical on every retry),
/// `webhook-timestamp` the sending time, `webhook-signature` one `v1,` HMAC per configured
/// secret. Redirects are not followed. Connections are kept alive and reused by curl's multi
/// handle (HTTP/2 where offered).
public struct WebhookOutput: Output {
    /// Structured data, one event per payload: the subject travels inside the JSON (no text
    /// part is rendered: the payload has none); `KIND` is `webhook`; no digests.
    public var capabilities: OutputCapabilities {
        OutputCapabilities(templateKind: .subjectOnly(name: "webhook"), acceptsDigests: false)
    }
    /// The output's settings, validated.
    public struct Settings: Sendable {
        /// The default endpoint with its headers, credentials, TLS and timeouts.
        public var endpoint: HTTPEndpoint
        /// Signing secrets (`whsec_…`), several during a rotation.
        public var secrets: [SecretString]
        public var concurrency: Int
        /// Values longer than this many characters are cut, and the payload says
        /// `"truncated": true` (the stored record keeps them whole).
        public var maxFieldLength = 65_536

        public init(endpoint: HTTPEndpoint, secrets: [SecretString], concurrency: Int = 8) {
            self.endpoint = endpoint
            self.secrets = secrets
            self.concurrency = concurrency
        }

        public init(
            url: String, secrets: [SecretString], allowHTTP: Bool = false,
            headers: [(name: String, value: SecretString)] = [], authentication: HTTPEndpoint.Authentication? = nil,
            timeout: Duration = .seconds(15), connectTimeout: Duration = .seconds(5), tls: HTTPEndpoint.TLS = .init(),
            concurrency: Int = 8
        ) {
            self.init(
                endpoint: HTTPEndpoint(
                    url: url, allowHTTP: allowHTTP, headers: headers, authentication: authentication, tls: tls,
                    timeout: timeout, connectTimeout: connectTimeout),
                secrets: secrets, concurrency: concurrency)
        }
    }

    public let id: String
    public let settings: Settings
    /// Endpoints that answered 410 Gone in this process: later notifications to them are
    /// abandoned without another alert.
    private let gone = GoneEndpoints()

    public init(id: String, settings: Settings) {
        self.id = id
        self.settings = settings
    }

    public var defaultDeliveryPolicy: DeliveryPolicy {
        DeliveryPolicy(concurrency: settings.concurrency, batchSize: 100)
    }

    /// Resolves the signing secrets, headers and credentials once per batch.
    public func prepare(_ context: DeliveryContext) async throws(OutputFailure) -> Session {
        let directory = context.configDirectory
        do {
            var secrets: [StandardWebhooks.Secret] = []
            for secret in settings.secrets {
                guard let parsed = StandardWebhooks.Secret(try secret.resolve(directory: directory)) else {
                    throw SecretString.Failure.malformed("a signing secret is not whsec_<base64>")
                }
                secrets.append(parsed)
            }
            return Session(
                secrets: secrets, endpoint: try settings.endpoint.resolve(directory: directory), curl: context.curl)
        } catch {
            throw OutputFailure("webhook secrets: \(error)")
        }
    }

    /// What a batch shares: the resolved secrets and credentials.
    public struct Session: Sendable {
        var secrets: [StandardWebhooks.Secret]
        var endpoint: HTTPEndpoint.Resolved
        var curl: CurlEngine
    }

    public func send(_ notification: RenderedNotification, session prepared: Session) async -> DeliveryOutcome {
        await transmit(notification, session: prepared).outcome
    }

    /// Sends one payload and reports the endpoint's status line and the start of its body.
    public func sendTest(_ notification: RenderedNotification, context: DeliveryContext) async -> TestDelivery {
        await sendTest(notification, context: context) { await transmit($0, session: $1) }
    }

    private func transmit(_ notification: RenderedNotification, session prepared: Session) async -> TestDelivery {
        let url =
            notification.recipient.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil }
            ?? settings.endpoint.url
        if url.lowercased().hasPrefix("http://") && !settings.endpoint.allowHTTP {
            return TestDelivery(
                outcome: .failed(
                    reason: "the endpoint is http://; this output sends to https:// only unless \"allowHTTP\" is true"))
        }
        if gone.contains(url) {
            return TestDelivery(outcome: .abandoned(reason: "the endpoint answered 410 Gone earlier; not sent"))
        }
        let now = Date()
        let body: [UInt8]
        do {
            body = try WebhookPayload.body(for: notification, at: now, maxFieldLength: settings.maxFieldLength)
        } catch {
            return TestDelivery(outcome: .failed(reason: "the webhook payload could not be encoded: \(error)"))
        }
        let timestamp = Int(now.timeIntervalSince1970)
        let headers: [(name: String, value: String)] = [
            ("Content-Type", "application/json"),
            ("webhook-id", notification.idempotencyKey),
            ("webhook-timestamp", String(timestamp)),
            (
                "webhook-signature",
                StandardWebhooks.signature(
                    id: notification.idempotencyKey, timestamp: timestamp, body: body, secrets: prepared.secrets)
            ),
            ("User-Agent", "Vigil"),
        ]
        let request = settings.endpoint.request(
            url: url, method: .post, headers: headers, body: body, resolved: prepared.endpoint,
            maxResponseBytes: 64 << 10)
        let response: CurlResponse
        do {
            response = try await prepared.curl.perform(request)
        } catch {
            return TestDelivery(outcome: .retry(after: nil, reason: "webhook: \(error.description)"))
        }
        let outcome = Self.outcome(
            status: response.status, retryAfter: response.header("Retry-After"), body: response.body)
        if response.status == 410 { gone.insert(url) }
        let answer = String(decoding: response.body.prefix(200), as: UTF8.self)
        return TestDelivery(outcome: outcome, answer: "HTTP \(response.status)" + (answer.isEmpty ? "" : ": \(answer)"))
    }

    /// The shared HTTP table (``HTTPStatusOutcome``), honouring `Retry-After`.
    static func outcome(status: Int, retryAfter: String?, body: [UInt8], now: Date = Date()) -> DeliveryOutcome {
        HTTPStatusOutcome.outcome(
            status: status, retryAfter: ServerWait.retryAfter(retryAfter, now: now, bound: ServerWait.absurd),
            body: body, service: "webhook endpoint")
    }
}

/// Endpoints known to be gone.
final class GoneEndpoints: Sendable {
    private let urls = Mutex<Set<String>>([])

    func contains(_ url: String) -> Bool { urls.withLock { $0.contains(url) } }
    func insert(_ url: String) { _ = urls.withLock { $0.insert(url) } }
}
