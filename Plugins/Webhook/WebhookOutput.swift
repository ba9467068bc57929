import Curl
import Foundation
import Synchronization
import VigilCore

/// Posts signed JSON to partner endpoints, per the Standard Webhooks specification.
///
/// `webhook-id` is the notification's idempotency key (identical on every retry),
/// `webhook-timestamp` the sending time, `webhook-signature` one `v1,` HMAC per configured
/// secret. Redirects are not followed. Connections are kept alive and reused by curl's multi
/// handle (HTTP/2 where offered).
public struct WebhookOutput: Output {
    /// Structured data, one event per payload: subject and text travel inside the JSON;
    /// `KIND` is `webhook`; no digests.
    public var capabilities: OutputCapabilities {
        OutputCapabilities(templateKind: TemplateKind(name: "webhook", html: false), acceptsDigests: false)
    }
    /// The output's settings, validated.
    public struct Settings: Sendable {
        public var url: String
        /// Signing secrets (`whsec_…`), several during a rotation.
        public var secrets: [SecretString]
        public var allowHTTP: Bool
        public var headers: [(name: String, value: SecretString)]
        public var bearer: SecretString?
        public var basic: (username: SecretString, password: SecretString)?
        public var timeout: Duration
        public var connectTimeout: Duration
        public var verifyTLS: Bool
        public var caFile: String?
        public var concurrency: Int
        /// Values longer than this many characters are cut, and the payload says
        /// `"truncated": true` (the stored record keeps them whole).
        public var maxFieldLength = 65_536

        public init(
            url: String, secrets: [SecretString], allowHTTP: Bool = false,
            headers: [(name: String, value: SecretString)] = [],
            bearer: SecretString? = nil, basic: (username: SecretString, password: SecretString)? = nil,
            timeout: Duration = .seconds(15), connectTimeout: Duration = .seconds(5), verifyTLS: Bool = true,
            caFile: String? = nil, concurrency: Int = 8
        ) {
            self.url = url
            self.secrets = secrets
            self.allowHTTP = allowHTTP
            self.headers = headers
            self.bearer = bearer
            self.basic = basic
            self.timeout = timeout
            self.connectTimeout = connectTimeout
            self.verifyTLS = verifyTLS
            self.caFile = caFile
            self.concurrency = concurrency
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
            var headers: [(name: String, value: String)] = []
            for (name, value) in settings.headers { headers.append((name, try value.resolve(directory: directory))) }
            var authentication: CurlRequest.Authentication?
            if let bearer = settings.bearer { authentication = .bearer(try bearer.resolve(directory: directory)) }
            if let (username, password) = settings.basic {
                authentication = .basic(
                    username: try username.resolve(directory: directory),
                    password: try password.resolve(directory: directory))
            }
            return Session(secrets: secrets, headers: headers, authentication: authentication, curl: context.curl)
        } catch {
            throw OutputFailure("webhook secrets: \(error)")
        }
    }

    /// What a batch shares: the resolved secrets and credentials.
    public struct Session: Sendable {
        var secrets: [StandardWebhooks.Secret]
        var headers: [(name: String, value: String)]
        var authentication: CurlRequest.Authentication?
        var curl: CurlEngine
    }

    public func send(_ notification: RenderedNotification, session prepared: Session) async -> DeliveryOutcome {
        let url =
            notification.recipient.flatMap { $0.hasPrefix("https://") || $0.hasPrefix("http://") ? $0 : nil }
            ?? settings.url
        if url.lowercased().hasPrefix("http://") && !settings.allowHTTP {
            return .failed(
                reason: "the endpoint is http://; this output sends to https:// only unless \"allowHTTP\" is true")
        }
        if gone.contains(url) {
            return .abandoned(reason: "the endpoint answered 410 Gone earlier; not sent")
        }
        let now = Date()
        let body: [UInt8]
        do {
            body = try WebhookPayload.body(for: notification, at: now, maxFieldLength: settings.maxFieldLength)
        } catch {
            return .failed(reason: "the webhook payload could not be encoded: \(error)")
        }
        let timestamp = Int(now.timeIntervalSince1970)
        var headers: [(name: String, value: String)] = [
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
        headers += prepared.headers
        var request = CurlRequest(
            url: url, method: .post, headers: headers, body: body,
            allowedProtocols: settings.allowHTTP ? "http,https" : "https",
            followRedirects: false, connectTimeout: settings.connectTimeout, totalTimeout: settings.timeout,
            verifyTLS: settings.verifyTLS, caFile: settings.caFile, maxResponseBytes: 64 << 10)
        request.authentication = prepared.authentication
        let response: CurlResponse
        do {
            response = try await prepared.curl.perform(request)
        } catch let error as CurlError {
            return .retry(after: nil, reason: "webhook: \(error.description)")
        } catch {
            return .retry(after: nil, reason: "webhook: \(error)")
        }
        let outcome = Self.outcome(
            status: response.status, retryAfter: response.header("Retry-After"), body: response.body)
        if response.status == 410 { gone.insert(url) }
        return outcome
    }

    /// 2xx delivered; 429/5xx retry (honouring `Retry-After`); 410 gone; 3xx and other 4xx permanent.
    static func outcome(status: Int, retryAfter: String?, body: [UInt8], now: Date = Date()) -> DeliveryOutcome {
        let snippet = String(decoding: body.prefix(200), as: UTF8.self)
            .unicodeScalars.map { $0.value < 0x20 ? " " : String($0) }.joined()
        let detail = snippet.isEmpty ? "" : ": \(snippet)"
        switch status {
        case 200..<300:
            return .delivered
        case 429, 500..<600:
            return .retry(
                after: ServerWait.retryAfter(retryAfter, now: now, bound: ServerWait.absurd),
                reason: "webhook endpoint answered HTTP \(status)\(detail)")
        case 410:
            return .failed(
                reason: "webhook endpoint is gone (HTTP 410)\(detail); remove or replace it in the configuration")
        case 300..<400:
            return .failed(reason: "webhook endpoint answered a redirect (HTTP \(status)); redirects are not followed")
        default:
            return .failed(reason: "webhook endpoint refused the notification (HTTP \(status))\(detail)")
        }
    }
}

/// Endpoints known to be gone.
final class GoneEndpoints: Sendable {
    private let urls = Mutex<Set<String>>([])

    func contains(_ url: String) -> Bool { urls.withLock { $0.contains(url) } }
    func insert(_ url: String) { _ = urls.withLock { $0.insert(url) } }
}
