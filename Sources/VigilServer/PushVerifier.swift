import Foundation
import StandardWebhooks
import VigilCore

/// Checks a push to `POST /hooks/{source}` before anything is changed.
struct PushVerifier: Sendable {
    /// Why a push is refused: the HTTP status and a message naming the problem.
    struct Refusal: Error, Sendable {
        var status: Int
        var code: String
        var message: String

        var json: String { ServerResponses.json(ServerResponses.Refusal(error: code, message: message)) }
    }

    let configuration: Configuration
    let tolerance: Duration

    /// The answer to every request that is not signed by a configured push source, whatever
    /// the reason (no such source, a fetched source, a wrong or unreadable secret, a bad
    /// signature): an unauthenticated caller learns nothing about which sources exist.
    static let unauthorized = Refusal(
        status: 401, code: "unauthorized", message: "the request is not signed by a configured push source")

    /// Stands in for the secret of a source that does not exist, so that an unknown source
    /// costs the same signature check as a known one.
    private static let placeholder = StandardWebhooks.Secret(
        "whsec_" + Data(repeating: 0x5A, count: 32).base64EncodedString())

    /// The push source's signing secrets; nil when the source is unknown, fetched, or its
    /// secret cannot be read.
    func secrets(for sourceID: String) -> [StandardWebhooks.Secret]? {
        guard let source = configuration.sources.first(where: { $0.id == sourceID }),
            case .push(let references) = source.location
        else { return nil }
        var secrets: [StandardWebhooks.Secret] = []
        for reference in references {
            guard let text = try? reference.resolve(directory: configuration.directory),
                let secret = StandardWebhooks.Secret(text)
            else { return nil }
            secrets.append(secret)
        }
        return secrets
    }

    /// Verifies the headers' presence, the signature (constant time), then the timestamp
    /// window and the content type. Until the signature verifies, every refusal depends on
    /// the request alone, never on the source named in the path.
    func verify(
        sourceID: String, contentType: String?, id: String?, timestamp: String?, signature: String?, body: [UInt8],
        now: Date = Date()
    ) throws(Refusal) -> String {
        guard let id, !id.isEmpty, id.utf8.count <= 256 else {
            throw Refusal(status: 401, code: "missing_webhook_id", message: "the webhook-id header is missing")
        }
        guard let timestamp, let seconds = Int(timestamp) else {
            throw Refusal(
                status: 401, code: "missing_timestamp",
                message: "the webhook-timestamp header is missing or not a number")
        }
        guard let signature, !signature.isEmpty else {
            throw Refusal(status: 401, code: "missing_signature", message: "the webhook-signature header is missing")
        }
        let secrets = secrets(for: sourceID)
        let verified = StandardWebhooks.verify(
            id: id, timestamp: seconds, body: body, header: signature,
            secrets: secrets ?? Self.placeholder.map { [$0] } ?? [])
        guard verified, secrets != nil else { throw Self.unauthorized }
        let skew = abs(now.timeIntervalSince1970 - Double(seconds))
        guard skew <= Double(tolerance.components.seconds) else {
            throw Refusal(
                status: 401, code: "stale_timestamp",
                message:
                    "webhook-timestamp is \(Int(skew)) s away from the server's clock (more than \(tolerance.components.seconds) s)"
            )
        }
        guard let contentType,
            contentType.lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
                == "application/json"
        else {
            throw Refusal(status: 415, code: "unsupported_media_type", message: "Content-Type must be application/json")
        }
        return id
    }
}
