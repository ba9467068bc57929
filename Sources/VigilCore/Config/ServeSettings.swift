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

    public init() {}

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
        return settings
    }
}
