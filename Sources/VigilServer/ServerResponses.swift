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
            @WireJSON.Nullable var lastAttempt: String?
            @WireJSON.Nullable var lastSuccess: String?
        }
    }

    /// The body as JSON text.
    static func json(_ value: some Encodable) -> String { WireJSON.string(value) }
}
