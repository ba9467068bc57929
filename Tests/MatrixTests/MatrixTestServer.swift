import Curl
import Foundation
import Logging
import Testing
import VigilCore

@testable import VigilMatrix

/// The Synapse homeserver that `scripts/test.sh` starts, and a small client to act as its people.
struct MatrixTestServer: Sendable {
    let url: String
    let password: String
    let curl: CurlEngine

    init(curl: CurlEngine) throws {
        let path = try #require(
            ProcessInfo.processInfo.environment["VIGIL_TEST_MATRIX"],
            "VIGIL_TEST_MATRIX is not set: run the tests with scripts/test.sh, which starts Synapse")
        let info = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        url = try #require(info["url"] as? String)
        password = try #require(info["password"] as? String)
        self.curl = curl
    }

    var client: MatrixClient {
        MatrixClient(homeserver: url, curl: curl, allowHTTP: true, timeout: .seconds(20))
    }

    func token(_ user: String) async throws -> String {
        try await client.login(user: user, password: password, deviceID: nil).token
    }

    /// Creates a room as `token`'s user; returns its id.
    func createRoom(token: String, invite: [String] = [], alias: String? = nil, isPublic: Bool = false) async throws
        -> String
    {
        var body = "{\"preset\":\"\(isPublic ? "public_chat" : "private_chat")\",\"invite\":["
        body += invite.map(JSONWriter.string).joined(separator: ",") + "]"
        if let alias { body += ",\"room_alias_name\":" + JSONWriter.string(alias) }
        body += "}"
        let answer = try await client.call(.post, "/_matrix/client/v3/createRoom", token: token, body: body)
        return try #require(answer["room_id"]?.scalarText)
    }

    /// The `m.room.message` events of a room, oldest first, as `token`'s user reads them.
    func messages(in room: String, token: String) async throws -> [JSONValue] {
        let path = "/_matrix/client/v3/rooms/\(MatrixClient.segment(room))/messages?dir=b&limit=500"
        let answer = try await client.call(.get, path, token: token, body: nil)
        guard case .array(let events)? = answer["chunk"]?.kind else { return [] }
        return events.filter { $0["type"]?.scalarText == "m.room.message" }.reversed()
    }

    /// Rooms `token`'s user is invited to, from a fresh /sync. (Synapse briefly caches identical
    /// /sync requests, so each asks with a different inline filter.)
    func invites(token: String) async throws -> [String] {
        let filter = MatrixClient.segment("{\"room\":{\"timeline\":{\"limit\":\(Int.random(in: 1...1_000_000))}}}")
        let answer = try await client.call(
            .get, "/_matrix/client/v3/sync?timeout=0&filter=\(filter)", token: token, body: nil)
        guard case .object(let rooms)? = answer["rooms"]?["invite"]?.kind else { return [] }
        return rooms.map(\.key)
    }

    func output(
        user: String? = "bot", token: String? = nil, to: [String] = [], pace: Duration = .zero,
        maxRateLimitWait: Duration = .seconds(60)
    ) -> MatrixOutput {
        MatrixOutput(
            id: "room",
            settings: MatrixOutput.Settings(
                homeserver: url, accessToken: token.flatMap { try? SecretString($0) }, user: token == nil ? user : nil,
                password: token == nil ? try? SecretString(password) : nil, to: to, allowHTTP: true,
                timeout: .seconds(20), pace: pace, maxRateLimitWait: maxRateLimitWait))
    }

    func context(stateDirectory: String) -> DeliveryContext {
        DeliveryContext(
            curl: curl, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), configDirectory: "/",
            stateDirectory: stateDirectory)
    }
}

func temporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-matrix-\(UUID())").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func notice(
    to target: String, text: String, html: String? = nil, key: String = "evt-\(UUID().uuidString.lowercased()).room"
)
    -> RenderedNotification
{
    RenderedNotification(
        id: 1, idempotencyKey: key, eventID: "evt", outputID: "room", recipient: target, subject: "s", text: text,
        html: html)
}
