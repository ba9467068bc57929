import Curl
import Foundation
import StandardWebhooks
import Testing
import VigilWebhook

#if canImport(Glibc)
    import Glibc
#endif

/// `vigil serve` receiving real HTTP pushes: only valid, signed, fresh, first-time pushes change state.
@Suite struct ServeEndToEndTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    func freePort() -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    struct Push {
        var body: String
        var id = "msg_\(UUID().uuidString)"
        var timestamp = Int(Date().timeIntervalSince1970)
        var contentType = "application/json"
        var sign = true
        var secret = ServeEndToEndTests.secret
    }

    func send(_ push: Push, to base: String, source: String = "field") async throws -> (status: Int, body: String) {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", push.contentType), ("webhook-id", push.id), ("webhook-timestamp", String(push.timestamp)),
        ]
        if push.sign, let secret = StandardWebhooks.Secret(push.secret) {
            headers.append(
                (
                    "webhook-signature",
                    StandardWebhooks.signature(
                        id: push.id, timestamp: push.timestamp, body: Array(push.body.utf8), secrets: [secret])
                ))
        }
        let response = try await VigilProcess.curl.perform(
            CurlRequest(
                url: "\(base)/hooks/\(source)", method: .post, headers: headers, body: Array(push.body.utf8),
                allowedProtocols: "http"))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test func onlyValidPushesChangeState() async throws {
        let vigil = try VigilProcess()
        let port = freePort()
        try vigil.write(
            "config.json",
            """
            {"serve": {"listen": "127.0.0.1:\(port)", "maxBodyBytes": 2048, "deliveryInterval": "1s"},
             "sources": [{"id": "field", "type": "push", "secret": "\(Self.secret)", "records": "$.prisoners[*]",
                          "key": "id", "name": "name", "status": "status"},
                         {"id": "list", "type": "json", "path": "list.json", "key": "id", "name": "name", "every": "1h"}],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """)
        try vigil.write("list.json", #"[{"id": 1, "name": "Aram"}]"#)
        let server = try vigil.start(["serve", "--config", "config.json"])
        let base = "http://127.0.0.1:\(port)"
        try #require(await VigilProcess.waitForHealth(base), "vigil serve did not answer /healthz")
        func status() async throws -> String {
            let out = try await vigil.run(["status", "--config", "config.json", "--json"]).stdout
            let document = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
            let records = try JSONSerialization.data(withJSONObject: document?["records"] ?? [], options: [.sortedKeys])
            return String(decoding: records, as: UTF8.self)
        }

        let baseline = try await send(
            Push(body: #"{"prisoners": [{"id": 1, "name": "Ani", "status": "detained"}]}"#), to: base)
        #expect(baseline.status == 202)
        #expect(baseline.body == #"{"events":0,"notifications":0}"#)
        let before = try await status()
        #expect(before.contains("\"status\":\"detained\""))

        let update = #"{"record": {"id": 1, "name": "Ani", "status": "released"}}"#
        let cases: [(Push, Int, String)] = [
            (Push(body: update, sign: false), 401, "missing_signature"),
            (
                Push(body: update, secret: "whsec_" + Data(repeating: 7, count: 24).base64EncodedString()), 401,
                "unauthorized"
            ),
            (Push(body: update, timestamp: Int(Date().timeIntervalSince1970) - 600), 401, "stale_timestamp"),
            (Push(body: update, contentType: "text/plain"), 415, "unsupported_media_type"),
            (Push(body: #"{"prisoners": [{"id": 1, "name": "#), 400, "invalid_document"),
            (Push(body: #"{"prisoners": ["# + String(repeating: " ", count: 4096) + "]}"), 413, "too_large"),
        ]
        for (push, code, error) in cases {
            let answer = try await send(push, to: base)
            #expect(answer.status == code, "\(error): \(answer.body)")
            #expect(answer.body.contains("\"error\":\"\(error)\""), "\(answer.body)")
        }
        // Unauthenticated callers learn nothing about which sources exist or how they are read.
        let strangers = [
            try await send(Push(body: update), to: base, source: "nowhere"),
            try await send(Push(body: update), to: base, source: "list"),
            try await send(
                Push(body: update, secret: "whsec_" + Data(repeating: 9, count: 24).base64EncodedString()), to: base),
            try await send(
                Push(
                    body: update, contentType: "text/plain",
                    secret: "whsec_" + Data(repeating: 9, count: 24).base64EncodedString()),
                to: base, source: "nowhere"),
        ]
        #expect(strangers.allSatisfy { $0.status == 401 }, "\(strangers)")
        #expect(Set(strangers.map(\.body)).count == 1, "one answer for all: \(strangers)")
        #expect(try await status() == before, "refused pushes change nothing")

        let valid = Push(body: update)
        let accepted = try await send(valid, to: base)
        #expect(accepted.status == 202)
        #expect(accepted.body == #"{"events":1,"notifications":1}"#)
        let replay = try await send(valid, to: base)
        #expect(replay.status == 409)
        #expect(replay.body.contains("\"error\":\"replayed\""))
        #expect(try await status().contains("\"status\":\"released\""))

        let metrics = try await VigilProcess.curl.perform(CurlRequest(url: base + "/metrics", allowedProtocols: "http"))
        let text = String(decoding: metrics.body, as: UTF8.self)
        #expect(text.contains("vigil_runs_total 3"), "the fetched source, then two pushes")
        #expect(text.contains("vigil_events_total{kind=\"changed\"} 1"))

        try await Task.sleep(for: .milliseconds(1500))
        kill(server.process.processIdentifier, SIGTERM)
        let result = try await server.finish()
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stdout.contains("status: detained → released"), "the push was delivered before the server stopped")
    }
}
