import VigilCore

/// The request bodies Vigil sends to a homeserver, as wire types encoded once.
enum MatrixBodies {
    /// `POST /login` with `m.login.password`.
    struct Login: Encodable {
        struct Identifier: Encodable {
            var type = "m.id.user"
            var user: String
        }

        var type = "m.login.password"
        var identifier: Identifier
        var password: String
        var initialDeviceDisplayName = "Vigil"
        var deviceID: String?

        enum CodingKeys: String, CodingKey {
            case type, identifier, password
            case initialDeviceDisplayName = "initial_device_display_name"
            case deviceID = "device_id"
        }
    }

    /// `POST /createRoom` for a direct chat with one user.
    struct DirectRoom: Encodable {
        var isDirect = true
        var preset = "trusted_private_chat"
        var invite: [String]

        enum CodingKeys: String, CodingKey {
            case isDirect = "is_direct"
            case preset, invite
        }
    }

    /// An `m.room.message` event's content: a plain body and sanitised HTML.
    struct Message: Encodable {
        var msgtype: String
        var body: String
        var format = "org.matrix.custom.html"
        var formattedBody: String

        enum CodingKeys: String, CodingKey {
            case msgtype, body, format
            case formattedBody = "formatted_body"
        }
    }

    /// The JSON text of a body.
    static func json(_ value: some Encodable) -> String { WireJSON.string(value) }
}
