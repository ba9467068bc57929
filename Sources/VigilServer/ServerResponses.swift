import Foundation
import VigilCEL
import VigilCore

/// The JSON bodies `vigil serve` answers with, as wire types: encoded, never concatenated.
enum ServerResponses {
    /// A refused push: `{"error": code, "message": …}`.
    struct Refusal: Encodable {
        var error: String
        var message: String
    }

    /// An applied push: how many events and notifications it made.
    struct Accepted: Encodable {
        var events: Int
        var notifications: Int
    }

    /// A push read but held by a guard (a suspicious drop): nothing was applied.
    struct Held: Encodable {
        var error = "held"
        var message: String
        var events: Int
    }

    /// `GET /healthz`.
    struct Health: Encodable {
        var healthy: Bool
        var error: String?
        var sources: [Source]?

        /// One source's health; absent dates are `null`.
        struct Source: Encodable {
            var id: String
            var failing: Bool
            var lastAttempt: Date?
            var lastSuccess: Date?

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(failing, forKey: .failing)
                try container.encode(lastAttempt.map(Timestamp.iso8601), forKey: .lastAttempt)
                try container.encode(lastSuccess.map(Timestamp.iso8601), forKey: .lastSuccess)
            }

            enum CodingKeys: String, CodingKey { case id, failing, lastAttempt, lastSuccess }
        }
    }

    /// The body as JSON text.
    static func json(_ value: some Encodable) -> String { WireJSON.string(value) }
}
