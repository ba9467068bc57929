/// How `vigil serve` listens and paces itself (`"serve": {…}` in the configuration).
public struct ServeSettings: Sendable, Equatable {
    /// Address to listen on (default `127.0.0.1`; put a TLS proxy in front for the outside world).
    public var host = "127.0.0.1"
    public var port = 8080
    /// Largest accepted push body.
    public var maxBodyBytes = 4 << 20
    /// How often the outbox is checked for due notifications.
    public var deliveryInterval: Duration = .seconds(5)
    /// Accepted clock difference for `webhook-timestamp`.
    public var timestampTolerance: Duration = .seconds(300)
    /// A connection with no request in progress is closed after this long; a request's
    /// headers must arrive within it.
    public var idleTimeout: Duration = .seconds(15)
    /// A request's body must arrive within this long of its headers (keep it below
    /// `idleTimeout`, which otherwise ends a stalled body first, without an answer).
    public var bodyTimeout: Duration = .seconds(10)
    /// Connections held at once (nil: 512, or half the file descriptor limit if lower).
    public var maxConnections: Int?
    /// The team's console at `/console`.
    public var console = ConsoleSettings()

    public init() {}

    /// The team's console (`"serve": {"console": {…}}`).
    public struct ConsoleSettings: Sendable, Equatable {
        /// A session ends this long after login.
        public var sessionLifetime: Duration = .seconds(12 * 3600)
        /// Mark the session cookie `Secure`: true, false, or nil to follow the request (a proxy's
        /// `X-Forwarded-Proto: https`).
        public var secureCookies: Bool?
        /// A folder of page templates (`NAME.mustache`) replacing the shipped ones, relative
        /// to the configuration's folder.
        public var templates: String?

        public init() {}
    }

    static func read(_ object: inout ObjectReader) -> ServeSettings {
        var settings = ServeSettings()
        if let listen = object.optionalString("listen") {
            let parts = listen.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count == 2, !parts[0].isEmpty, let port = Int(parts[1]), (0...65535).contains(port) {
                settings.host = String(parts[0])
                settings.port = port
            } else {
                object.report("expected \"host:port\", such as \"127.0.0.1:8080\"", key: "listen")
            }
        }
        if let bytes = object.optionalInteger("maxBodyBytes", in: 1024...(256 << 20)) { settings.maxBodyBytes = bytes }
        if let interval = object.optionalDuration("deliveryInterval", in: .milliseconds(100)...(.seconds(3600))) {
            settings.deliveryInterval = interval
        }
        if let idle = object.optionalDuration("idleTimeout", in: .seconds(1)...(.seconds(600))) {
            settings.idleTimeout = idle
        }
        if let body = object.optionalDuration("bodyTimeout", in: .seconds(1)...(.seconds(600))) {
            settings.bodyTimeout = body
        }
        if let connections = object.optionalInteger("maxConnections", in: 16...65_536) {
            settings.maxConnections = connections
        }
        if let found = object.value("console"),
            var console = object.reader.object(found, path: object.path(of: "console"))
        {
            if let lifetime = console.optionalDuration("sessionLifetime", in: .seconds(300)...(.seconds(30 * 86_400))) {
                settings.console.sessionLifetime = lifetime
            }
            settings.console.secureCookies = console.optionalBool("secureCookies")
            settings.console.templates = console.optionalString("templates")
            console.finish()
        }
        return settings
    }
}
