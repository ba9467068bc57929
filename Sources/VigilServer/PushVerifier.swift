import Foundation
import VigilCore
import VigilWebhook

/// Checks a push to `POST /hooks/{source}` before anything is changed.
struct PushVerifier: Sendable {
    /// Why a push is refused: the HTTP status and a message naming the problem.
    struct Refusal: Error, Sendable {
        var status: Int
        var code: String
        var message: String

        var json: String {
            "{\"error\":" + JSONWriter.string(code) + ",\"message\":" + JSONWriter.string(message) + "}"
        }
    }

    let configuration: Configuration
    let tolerance: Duration

    /// The push source's signing secrets.
    func secrets(for sourceID: String) throws(Refusal) -> [StandardWebhooks.Secret] {
        guard let source = configuration.sources.first(where: { $0.id == sourceID }) else {
            throw Refusal(status: 404, code: "unknown_source", message: "no source \"\(sourceID)\" is configured")
        }
        guard case .push(let references) = source.location else {
            throw Refusal(
                status: 404, code: "not_a_push_source", message: "source \"\(sourceID)\" is fetched, not pushed")
        }
        var secrets: [StandardWebhooks.Secret] = []
        for reference in references {
            guard let text = try? reference.resolve(directory: configuration.directory),
                let secret = StandardWebhooks.Secret(text)
            else {
                throw Refusal(
                    status: 503, code: "secret_unavailable", message: "the source's signing secret cannot be read")
            }
            secrets.append(secret)
        }
        return secrets
    }

    /// Verifies content type, headers, timestamp window and signature (constant time).
    func verify(
        sourceID: String, contentType: String?, id: String?, timestamp: String?, signature: String?, body: [UInt8],
        now: Date = Date()
    ) throws(Refusal) -> String {
        let secrets = try secrets(for: sourceID)
        guard let contentType,
            contentType.lowercased().split(separator: ";").first?.trimmingCharacters(in: .whitespaces)
                == "application/json"
        else {
            throw Refusal(status: 415, code: "unsupported_media_type", message: "Content-Type must be application/json")
        }
        guard let id, !id.isEmpty, id.utf8.count <= 256 else {
            throw Refusal(status: 401, code: "missing_webhook_id", message: "the webhook-id header is missing")
        }
        guard let timestamp, let seconds = Int(timestamp) else {
            throw Refusal(
                status: 401, code: "missing_timestamp",
                message: "the webhook-timestamp header is missing or not a number")
        }
        let skew = abs(now.timeIntervalSince1970 - Double(seconds))
        guard skew <= Double(tolerance.components.seconds) else {
            throw Refusal(
                status: 401, code: "stale_timestamp",
                message:
                    "webhook-timestamp is \(Int(skew)) s away from the server's clock (more than \(tolerance.components.seconds) s)"
            )
        }
        guard let signature, !signature.isEmpty else {
            throw Refusal(status: 401, code: "missing_signature", message: "the webhook-signature header is missing")
        }
        guard StandardWebhooks.verify(id: id, timestamp: seconds, body: body, header: signature, secrets: secrets)
        else {
            throw Refusal(status: 401, code: "bad_signature", message: "no v1 signature matches the source's secret")
        }
        return id
    }
}
