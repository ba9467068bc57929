import Curl
import VigilCore

/// The client-server API v3 calls Vigil makes, through libcurl.
struct MatrixClient: Sendable {
    /// The homeserver: its base URL, whether http:// is allowed, TLS and timeouts.
    let endpoint: HTTPEndpoint
    let curl: CurlEngine

    init(endpoint: HTTPEndpoint, curl: CurlEngine) {
        self.endpoint = endpoint
        self.curl = curl
    }

    init(homeserver: String, curl: CurlEngine, allowHTTP: Bool, timeout: Duration) {
        self.init(endpoint: HTTPEndpoint(url: homeserver, allowHTTP: allowHTTP, timeout: timeout), curl: curl)
    }

    /// Percent-encodes one path segment (room ids and aliases hold `!`, `#`, `:`).
    static func segment(_ text: String) -> String {
        var output = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                output += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return output
    }

    /// Calls `path` and returns the parsed JSON body of a 2xx answer; anything else throws ``MatrixError``.
    func call(_ method: CurlRequest.Method, _ path: String, token: String?, body: String?) async throws(MatrixError)
        -> JSONValue
    {
        let request = endpoint.request(
            url: endpoint.url + path, method: method,
            headers: body == nil ? [] : [("Content-Type", "application/json")], body: body.map { Array($0.utf8) },
            resolved: HTTPEndpoint.Resolved(authentication: token.map { .bearer($0) }), maxResponseBytes: 4 << 20)
        let response: CurlResponse
        do {
            response = try await curl.perform(request)
        } catch {
            throw MatrixError(transport: error.description)
        }
        guard (200..<300).contains(response.status) else { throw MatrixError(response: response) }
        return (try? JSONParser.parse(response.body)) ?? JSONValue(.object([]))
    }

    /// `m.login.password`, reusing `deviceID` so transaction ids stay deduplicated across logins.
    func login(user: String, password: String, deviceID: String?) async throws(MatrixError) -> (
        token: String, deviceID: String
    ) {
        let body = MatrixBodies.json(
            MatrixBodies.Login(identifier: .init(user: user), password: password, deviceID: deviceID))
        let answer = try await call(.post, "/_matrix/client/v3/login", token: nil, body: body)
        guard let token = answer["access_token"]?.scalarText, let device = answer["device_id"]?.scalarText else {
            throw MatrixError(transport: "login answer without access_token or device_id")
        }
        return (token, device)
    }

    func resolveAlias(_ alias: String, token: String) async throws(MatrixError) -> String {
        let answer = try await call(
            .get, "/_matrix/client/v3/directory/room/\(Self.segment(alias))", token: token, body: nil)
        guard let roomID = answer["room_id"]?.scalarText else {
            throw MatrixError(transport: "alias answer without room_id")
        }
        return roomID
    }

    /// Joins a room (idempotent when already joined; accepts a pending invite).
    func join(_ room: String, token: String) async throws(MatrixError) {
        _ = try await call(.post, "/_matrix/client/v3/join/\(Self.segment(room))", token: token, body: "{}")
    }

    /// Creates a direct-message room with `user` and returns its id.
    func createDirectRoom(with user: String, token: String) async throws(MatrixError) -> String {
        let body = MatrixBodies.json(MatrixBodies.DirectRoom(invite: [user]))
        let answer = try await call(.post, "/_matrix/client/v3/createRoom", token: token, body: body)
        guard let roomID = answer["room_id"]?.scalarText else {
            throw MatrixError(transport: "createRoom answer without room_id")
        }
        return roomID
    }

    /// `PUT /rooms/{roomId}/send/m.room.message/{txnId}`: the same txnId never posts twice.
    func send(room: String, transactionID: String, content: String, token: String) async throws(MatrixError) -> String?
    {
        let path = "/_matrix/client/v3/rooms/\(Self.segment(room))/send/m.room.message/\(Self.segment(transactionID))"
        return try await call(.put, path, token: token, body: content)["event_id"]?.scalarText
    }
}
