import Crypto
import Foundation

/// Signing and verification per the Standard Webhooks specification: the signed content is
/// `{webhook-id}.{webhook-timestamp}.{body}`, the signature HMAC-SHA256 with the secret's
/// bytes, sent as `v1,<base64>`; several signatures (space separated) during a rotation.
public enum StandardWebhooks {
    /// A signing secret, written `whsec_<base64>` (the prefix is optional).
    public struct Secret: Sendable {
        private let bytes: [UInt8]

        public init?(_ text: String) {
            let encoded = text.hasPrefix("whsec_") ? String(text.dropFirst(6)) : text
            guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { return nil }
            self.bytes = Array(bytes)
        }

        var key: SymmetricKey { SymmetricKey(data: bytes) }
    }

    /// The `webhook-signature` value for a message: one `v1,` signature per secret.
    public static func signature(id: String, timestamp: Int, body: [UInt8], secrets: [Secret]) -> String {
        let content = signedContent(id: id, timestamp: timestamp, body: body)
        return secrets.map { secret in
            "v1," + Data(HMAC<SHA256>.authenticationCode(for: content, using: secret.key)).base64EncodedString()
        }.joined(separator: " ")
    }

    /// True when any `v1` signature in `header` matches any of `secrets`, compared in constant time.
    public static func verify(id: String, timestamp: Int, body: [UInt8], header: String, secrets: [Secret]) -> Bool {
        let content = signedContent(id: id, timestamp: timestamp, body: body)
        for candidate in header.split(separator: " ") {
            let parts = candidate.split(separator: ",", maxSplits: 1)
            guard parts.count == 2, parts[0] == "v1", let mac = Data(base64Encoded: String(parts[1])) else { continue }
            for secret in secrets
            where HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: content, using: secret.key) {
                return true
            }
        }
        return false
    }

    static func signedContent(id: String, timestamp: Int, body: [UInt8]) -> [UInt8] {
        Array("\(id).\(timestamp).".utf8) + body
    }
}
