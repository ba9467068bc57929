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
        let endpoint = options.httpEndpoint(
            timeout: .seconds(15), connectTimeout: .seconds(5),
            reservedHeaders: ["content-type", "webhook-id", "webhook-timestamp", "webhook-signature", "authorization"])
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
        let maxFieldLength = options.optionalInteger("maxFieldLength", in: 100...(16 << 20))
        guard options.reader.issues.count == errorsBefore, let endpoint else { return nil }
        var settings = WebhookOutput.Settings(endpoint: endpoint, secrets: secrets)
        if let maxFieldLength { settings.maxFieldLength = maxFieldLength }
        return WebhookOutput(id: id, settings: settings)
    }
}
