import VigilCore

/// Builds ``WebhookOutput`` from an output object of `"type": "webhook"`.
///
/// ```json
/// {"id": "partner", "type": "webhook", "url": "https://partner.example.org/hooks/vigil",
///  "secret": "${env:PARTNER_WEBHOOK_SECRET}"}
/// ```
/// `"secrets": [old, new]` signs with both during a rotation.
public struct WebhookOutputFactory: OutputFactory {
    public let type = "webhook"

    public init() {}

    public func makeOutput(id: String, options: inout ObjectReader) -> (any Output)? {
        let errorsBefore = options.reader.issues.count
        let (url, allowHTTP) = options.endpointURL("url")
        var secrets: [SecretString] = []
        if options.keys.contains("secret") && options.keys.contains("secrets") {
            options.report("give \"secret\" or \"secrets\", not both")
        }
        if let secret = options.optionalSecret("secret") { secrets.append(secret) }
        for (index, text) in (options.stringOrStrings("secrets", required: false) ?? []).enumerated() {
            do {
                secrets.append(try SecretString(text))
            } catch {
                options.reader.report(
                    error.description, path: options.path(of: "secrets") + "[\(index)]", offset: options.value.offset)
            }
        }
        if secrets.isEmpty { options.report("missing \"secret\" (whsec_…): every webhook is signed") }
        var headers: [(name: String, value: SecretString)] = []
        if let found = options.value("headers"),
            var object = options.reader.object(found, path: options.path(of: "headers"))
        {
            for name in object.keys {
                let reserved = [
                    "content-type", "webhook-id", "webhook-timestamp", "webhook-signature", "authorization",
                ]
                if reserved.contains(name.lowercased())
                    || !name.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != 0x3A })
                {
                    object.report("\"\(name)\" cannot be set here", key: name)
                    _ = object.value(name)
                } else if let value = object.optionalSecret(name) {
                    headers.append((name, value))
                }
            }
            object.finish()
        }
        var bearer: SecretString?
        var basic: (username: SecretString, password: SecretString)?
        if let found = options.value("auth"), var auth = options.reader.object(found, path: options.path(of: "auth")) {
            if auth.keys.contains("bearer") {
                bearer = auth.optionalSecret("bearer")
            } else if let username = auth.optionalSecret("username"), let password = auth.optionalSecret("password") {
                basic = (username, password)
            } else {
                auth.report("expected {\"bearer\": …} or {\"username\": …, \"password\": …}")
            }
            auth.finish()
        }
        let timeout = options.optionalDuration("timeout", in: Bounds.timeout) ?? .seconds(15)
        let connectTimeout = options.optionalDuration("connectTimeout", in: Bounds.timeout) ?? .seconds(5)
        let (verifyTLS, caFile) = options.tlsSettings()
        let maxFieldLength = options.optionalInteger("maxFieldLength", in: 100...(16 << 20))
        guard options.reader.issues.count == errorsBefore, let url else { return nil }
        var settings = WebhookOutput.Settings(
            url: url, secrets: secrets, allowHTTP: allowHTTP, headers: headers, bearer: bearer, basic: basic,
            timeout: timeout, connectTimeout: connectTimeout, verifyTLS: verifyTLS, caFile: caFile)
        if let maxFieldLength { settings.maxFieldLength = maxFieldLength }
        return WebhookOutput(id: id, settings: settings)
    }
}
