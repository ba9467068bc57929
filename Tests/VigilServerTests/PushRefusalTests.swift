import Curl
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import StandardWebhooks
import Testing
import VigilCore
import VigilTesting

@testable import VigilServer

/// The push receiver's answers, driven through its router in process (no socket, no
/// other server) over the in-memory state store.
@Suite struct PushRefusalTests {
    static let secret = "whsec_" + Data(repeating: 3, count: 24).base64EncodedString()
    static let stranger = "whsec_" + Data(repeating: 9, count: 24).base64EncodedString()
    static let configuration = """
        {"sources": [
            {"id": "partner", "type": "push", "secret": "\(secret)", "records": "$.prisoners[*]",
             "key": "id", "name": "name", "status": "status"},
            {"id": "list", "type": "json", "path": "list.json", "key": "id", "name": "name"}],
         "outputs": [{"id": "console", "type": "stdout"}],
         "serve": {"maxBodyBytes": 2048}}
        """
    static let document = #"{"prisoners": [{"id": 1, "name": "Ani", "status": "detained"}]}"#

    /// One push: what is sent, and how it is signed.
    struct Push: Sendable, CustomTestStringConvertible {
        var name: String
        var source = "partner"
        var body = PushRefusalTests.document
        var contentType = "application/json"
        var secret: String? = PushRefusalTests.secret
        var skew = 0
        var id = "msg_\(UUID().uuidString)"
        var status: Int
        var error: String?
        var testDescription: String { name }

        var headers: HTTPFields {
            var fields: HTTPFields = [.contentType: contentType]
            let timestamp = Int(Date().timeIntervalSince1970) + skew
            fields[HTTPField.Name("webhook-id")!] = id
            fields[HTTPField.Name("webhook-timestamp")!] = String(timestamp)
            if let secret, let key = StandardWebhooks.Secret(secret) {
                fields[HTTPField.Name("webhook-signature")!] = StandardWebhooks.signature(
                    id: id, timestamp: timestamp, body: Array(body.utf8), secrets: [key])
            }
            return fields
        }
    }

    static let refusals: [Push] = [
        Push(name: "unsigned", secret: nil, status: 401, error: "missing_signature"),
        Push(name: "signed by a stranger", secret: stranger, status: 401, error: "unauthorized"),
        Push(name: "an unknown source", source: "nowhere", status: 401, error: "unauthorized"),
        Push(name: "a fetched source", source: "list", status: 401, error: "unauthorized"),
        Push(name: "a stale timestamp", skew: -600, status: 401, error: "stale_timestamp"),
        Push(name: "not JSON by type", contentType: "text/plain", status: 415, error: "unsupported_media_type"),
        Push(name: "cut off", body: #"{"prisoners": [{"id": 1, "#, status: 400, error: "invalid_document"),
        Push(
            name: "too large", body: #"{"prisoners": ["# + String(repeating: " ", count: 4096) + "]}", status: 413,
            error: "too_large"),
    ]

    func withServer(_ body: @Sendable (any TestClientProtocol, MemoryStateStore) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("serve")
        let configuration = try Configuration.parse(
            Array(Self.configuration.utf8), file: directory.file("config.json"))
        let store = MemoryStateStore()
        let curl = CurlEngine()
        defer { curl.shutdown() }
        let app = try VigilServer.makeApplication(
            configuration: configuration, store: store, stateDirectory: directory.path, logger: .silent, curl: curl,
            backgroundWork: false)
        try await app.test(.router) { client in try await body(client, store) }
    }

    func send(_ push: Push, with client: any TestClientProtocol) async throws -> (status: Int, body: String) {
        try await client.execute(
            uri: "/hooks/\(push.source)", method: .post, headers: push.headers, body: ByteBuffer(string: push.body)
        ) { response in (response.status.code, String(buffer: response.body)) }
    }

    @Test(arguments: refusals) func aRefusedPushChangesNothing(push: Push) async throws {
        try await withServer { client, store in
            let answer = try await send(push, with: client)
            #expect(answer.status == push.status, "\(answer.body)")
            let body = try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any]
            #expect(body?["error"] as? String == push.error)
            #expect(try store.sourceStates().isEmpty && store.records().isEmpty, "nothing stored")
        }
    }

    @Test func strangersAllGetTheSameAnswer() async throws {
        try await withServer { client, _ in
            var bodies: Set<String> = []
            for push in Self.refusals where push.error == "unauthorized" {
                bodies.insert(try await send(push, with: client).body)
            }
            #expect(bodies.count == 1, "\(bodies)")
        }
    }

    @Test func aValidPushIsAppliedOnceAndItsReplayRefused() async throws {
        try await withServer { client, store in
            let push = Push(name: "valid", status: 202)
            let accepted = try await send(push, with: client)
            #expect(accepted.status == 202)
            #expect(accepted.body == #"{"events":0,"notifications":0}"#)
            #expect(try store.records(source: "partner").map(\.record.key) == ["1"])
            let replay = try await send(push, with: client)
            #expect(replay.status == 409)
            #expect(replay.body.contains(#""error":"replayed""#))
        }
    }

    @Test func healthNamesEverySourceWithNullsForWhatNeverHappened() async throws {
        try await withServer { client, _ in
            let (status, body) = try await client.execute(uri: "/healthz", method: .get) { response in
                (response.status.code, String(buffer: response.body))
            }
            #expect(status == 200)
            #expect(
                body
                    == #"{"healthy":true,"sources":[{"failing":false,"id":"partner","lastAttempt":null,"lastSuccess":null},{"failing":false,"id":"list","lastAttempt":null,"lastSuccess":null}]}"#
            )
        }
    }
}
