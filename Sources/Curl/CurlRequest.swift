/// What one transfer should do. A plain value: it crosses into the engine thread,
/// where an ``EasyTransfer`` turns it into curl options.
public struct CurlRequest: Sendable {
    /// HTTP method for `http(s)` URLs. Ignored by other protocols.
    public enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case delete = "DELETE"
    }

    /// Credentials sent with the request.
    public enum Authentication: Sendable {
        case basic(username: String, password: String)
        case bearer(String)
    }

    /// How TLS is used for protocols that can upgrade (SMTP STARTTLS).
    public enum TLSRequirement: Sendable {
        /// curl's default: TLS only for `https://`/`smtps://` URLs.
        case `default`
        /// Require TLS, upgrading with STARTTLS (`CURLUSESSL_ALL`).
        case required
    }

    public var url: String
    public var method: Method
    public var headers: [(name: String, value: String)]
    /// Bytes uploaded as the request body (HTTP) or the message (SMTP).
    public var body: [UInt8]?
    public var authentication: Authentication?
    /// Comma-separated curl protocol names allowed for this transfer and its redirects.
    public var allowedProtocols: String
    public var followRedirects: Bool
    public var maxRedirects: Int
    public var connectTimeout: Duration
    public var totalTimeout: Duration
    /// TLS peer and host verification. Only a config that explicitly says so turns it off.
    public var verifyTLS: Bool
    /// A CA bundle to trust instead of the system's.
    public var caFile: String?
    public var tls: TLSRequirement
    /// A response body larger than this fails the transfer with ``CurlError/responseTooLarge(limit:)``.
    public var maxResponseBytes: Int
    /// SMTP envelope sender (`MAIL FROM`), when the URL is `smtp://` or `smtps://`.
    public var mailFrom: String?
    /// SMTP envelope recipients (`RCPT TO`).
    public var mailRecipients: [String]
    /// Close the connection after this transfer instead of keeping it for reuse.
    public var forbidReuse: Bool = false
    /// A protocol command instead of the URL's default (`CURLOPT_CUSTOMREQUEST`): an IMAP
    /// `UID SEARCH ALL` or `UID STORE …`, whose untagged answers arrive as the body.
    public var customRequest: String?

    public init(
        url: String,
        method: Method = .get,
        headers: [(name: String, value: String)] = [],
        body: [UInt8]? = nil,
        authentication: Authentication? = nil,
        allowedProtocols: String = "https",
        followRedirects: Bool = false,
        maxRedirects: Int = 5,
        connectTimeout: Duration = .seconds(10),
        totalTimeout: Duration = .seconds(30),
        verifyTLS: Bool = true,
        caFile: String? = nil,
        tls: TLSRequirement = .default,
        maxResponseBytes: Int = 64 << 20,
        mailFrom: String? = nil,
        mailRecipients: [String] = []
    ) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.authentication = authentication
        self.allowedProtocols = allowedProtocols
        self.followRedirects = followRedirects
        self.maxRedirects = maxRedirects
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.verifyTLS = verifyTLS
        self.caFile = caFile
        self.tls = tls
        self.maxResponseBytes = maxResponseBytes
        self.mailFrom = mailFrom
        self.mailRecipients = mailRecipients
    }
}

/// The result of a transfer that completed at the protocol level (any status code).
public struct CurlResponse: Sendable {
    /// HTTP status, or the last SMTP reply code.
    public var status: Int
    /// Response headers of the final response, in order, names as sent.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var effectiveURL: String
    /// Total time of the transfer.
    public var duration: Duration
    /// Connections this transfer opened (0 when it reused a cached one).
    public var newConnections: Int = 0
    /// For a redirect that was not followed: the absolute URL it points to.
    public var redirectURL: String?
    /// The last reply lines of a line-based protocol (SMTP), as the server sent them.
    public var replyLines: [String] = []

    public init(
        status: Int, headers: [(name: String, value: String)], body: [UInt8], effectiveURL: String,
        duration: Duration
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.effectiveURL = effectiveURL
        self.duration = duration
    }

    /// The first header with this name, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let wanted = name.lowercased()
        return headers.first { $0.name.lowercased() == wanted }?.value
    }
}
