import Curl
import Foundation
import Logging
import StandardWebhooks
import Testing
import VigilCore

@testable import VigilWebhook

/// The receiver that `scripts/test.sh` starts: it verifies signatures with the
/// `standardwebhooks` package from PyPI and records what it got.
struct WebhookReceiver: Sendable {
    let base: String
    let secret: String
    let curl: CurlEngine

    init(curl: CurlEngine) throws {
        let path = try #require(
            ProcessInfo.processInfo.environment["VIGIL_TEST_WEBHOOK"],
            "VIGIL_TEST_WEBHOOK is not set: run scripts/test.sh")
        let info = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        base = try #require(info["url"] as? String)
        secret = try #require(info["secret"] as? String)
        self.curl = curl
    }

    func output(path: String, secrets: [String]? = nil, timeout: Duration = .seconds(5)) -> WebhookOutput {
        WebhookOutput(
            id: "partner",
            settings: WebhookOutput.Settings(
                url: base + path, secrets: (secrets ?? [secret]).compactMap { try? SecretString($0) }, allowHTTP: true,
                timeout: timeout))
    }

    func received(_ name: String) async throws -> [[String: Any]] {
        let response = try await curl.perform(CurlRequest(url: "\(base)/received/\(name)", allowedProtocols: "http"))
        return try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
    }

    var context: DeliveryContext {
        DeliveryContext(
            curl: curl, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), configDirectory: "/")
    }
}

func changedNotification(key: String = "evt-\(UUID().uuidString.lowercased()).partner") -> RenderedNotification {
    let event = Event(
        id: String(key.prefix(while: { $0 != "." })), kind: .changed, sourceID: "ministry-list",
        at: Date(timeIntervalSince1970: 1_700_000_000),
        record: Record(
            key: "VG-017", name: "Տիգրան Վարդոյանց", status: .canonical(.released), fields: ["place": "Colony East"]),
        changes: [FieldChange(field: "status", from: "detained", to: "released")])
    return RenderedNotification(
        id: 1, idempotencyKey: key, eventID: event.id, outputID: "partner", recipient: nil, subject: "released",
        text: "text", event: event)
}

@Suite struct WebhookDeliveryTests {
    let curl = CurlEngine()

    /// Names that once reached a partner altered or as invalid JSON: line breaks, separators,
    /// controls, quotes and backslashes, bidi overrides, astral characters, a BOM. Each payload
    /// is read back with Python's json and checked against the published schema.
    @Test func aHugeFieldIsCutInThePayloadWhichSaysSo() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "huge-\(UUID().uuidString.prefix(8))"
        let huge = String(repeating: "x", count: 2 << 20)
        let event = Event(
            id: "evt-huge", kind: .changed, sourceID: "list", at: Date(timeIntervalSince1970: 1_700_000_000),
            record: Record(key: "K", name: "Ani", status: .canonical(.released), fields: ["place": huge]),
            changes: [FieldChange(field: "place", from: nil, to: huge)])
        let item = RenderedNotification(
            id: 1, idempotencyKey: "evt-huge-\(UUID()).partner", eventID: event.id, outputID: "partner", recipient: nil,
            subject: "s", text: "t", event: event)
        let body = try WebhookPayload.body(for: item, at: Date(), maxFieldLength: 65_536)
        #expect(body.count < 200_000, "\(body.count) bytes")
        #expect(await receiver.output(path: "/hook/\(name)").deliver([item], context: receiver.context) == [.delivered])
        let got = try #require(try await receiver.received(name).first)
        #expect((got["schema_errors"] as? [String]) == [])
        let data = try #require((got["body"] as? [String: Any])?["data"] as? [String: Any])
        #expect(data["truncated"] as? Bool == true)
        let place = try #require(((data["record"] as? [String: Any])?["fields"] as? [String: Any])?["place"] as? String)
        #expect(place.hasSuffix("[truncated: 2097152 characters in all]"))
    }

    @Test func payloadsCarryEveryValueExactlyAsValidJSON() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "exact-\(UUID().uuidString.prefix(8))"
        let hostile = [
            "Ani\r\nVardan", "A\u{2028}B\u{2029}C", "quote \" and \\ back", "\u{1B}[31mred\u{1B}[0m",
            "\u{7F}\u{85}\u{9B}x",
            "\u{202E}txt.exe", "😀👩\u{200D}👩\u{200D}👧", "\u{FEFF}bom", "</script><!--", "\u{01}\u{1F}\t",
            "\u{10FFFF}\u{FFFF}",
        ]
        var items: [RenderedNotification] = []
        for (index, text) in hostile.enumerated() {
            let event = Event(
                id: "evt-\(index)", kind: .changed, sourceID: "list", at: Date(timeIntervalSince1970: 1_700_000_000),
                record: Record(
                    key: "K\(index)\(text)", name: text, status: .canonical(.released), fields: ["place": text]),
                changes: [FieldChange(field: "place", from: text, to: nil)], message: text)
            items.append(
                RenderedNotification(
                    id: Int64(index), idempotencyKey: "evt-\(index)-\(UUID()).partner", eventID: event.id,
                    outputID: "partner", recipient: nil, subject: text, text: text, event: event))
        }
        let outcomes = await receiver.output(path: "/hook/\(name)").deliver(items, context: receiver.context)
        #expect(outcomes == Array(repeating: .delivered, count: hostile.count))
        let received = try await receiver.received(name)
        #expect(received.count == hostile.count)
        for entry in received {
            #expect(entry["verified"] as? Bool == true)
            #expect(entry["json_valid"] as? Bool == true, "Python's json reads the body")
            #expect((entry["schema_errors"] as? [String]) == [], "\(entry["schema_errors"] ?? "")")
            let data = try #require((entry["body"] as? [String: Any])?["data"] as? [String: Any])
            let record = try #require(data["record"] as? [String: Any])
            let index = try #require(Int(((data["event"] as? [String: Any])?["id"] as? String ?? "").dropFirst(4)))
            let text = hostile[index]
            #expect(record["name"] as? String == text, "the name arrives exactly")
            #expect(record["key"] as? String == "K\(index)\(text)")
            #expect((record["fields"] as? [String: Any])?["place"] as? String == text)
            #expect(data["message"] as? String == text)
            #expect((data["changes"] as? [[String: Any]])?.first?["from"] as? String == text)
        }
    }

    @Test func aSignedPayloadVerifiesWithAnIndependentLibrary() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "ok-\(UUID().uuidString.prefix(8))"
        let item = changedNotification()
        #expect(await receiver.output(path: "/hook/\(name)").deliver([item], context: receiver.context) == [.delivered])
        let got = try #require(try await receiver.received(name).first)
        #expect(got["verified"] as? Bool == true)
        #expect(got["id"] as? String == item.idempotencyKey)
        #expect(got["content_type"] as? String == "application/json")
        let body = try #require(got["body"] as? [String: Any])
        #expect(body["type"] as? String == "detainee.changed")
        #expect((body["timestamp"] as? String)?.hasSuffix("Z") == true)
        let data = try #require(body["data"] as? [String: Any])
        #expect(data["schemaVersion"] as? Int == 1)
        #expect((data["source"] as? [String: Any])?["id"] as? String == "ministry-list")
        let record = try #require(data["record"] as? [String: Any])
        #expect(record["name"] as? String == "Տիգրան Վարդոյանց")
        #expect(record["status"] as? String == "released")
        let changes = try #require(data["changes"] as? [[String: Any]])
        #expect(changes.first?["to"] as? String == "released")
        #expect((data["event"] as? [String: Any])?["at"] as? String == "2023-11-14T22:13:20Z")
    }

    @Test func statusCodesMapToOutcomes() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        func outcome(_ path: String, timeout: Duration = .seconds(5)) async -> DeliveryOutcome? {
            await receiver.output(path: path, timeout: timeout).deliver(
                [changedNotification()], context: receiver.context
            ).first
        }
        let tag = UUID().uuidString.prefix(8)
        #expect(await outcome("/status/200/a\(tag)") == .delivered)
        #expect(await outcome("/status/204/b\(tag)") == .delivered)
        for (code, retryAfter) in [(429, Duration.seconds(7)), (503, .seconds(7)), (500, nil), (502, nil), (504, nil)] {
            guard case .retry(let after, let reason)? = await outcome("/status/\(code)/c\(tag)") else {
                Issue.record("\(code) should retry")
                continue
            }
            #expect(after == retryAfter, "\(code)")
            #expect(reason.contains("HTTP \(code)"))
        }
        for code in [301, 400, 404] {
            guard case .failed(let reason)? = await outcome("/status/\(code)/d\(tag)") else {
                Issue.record("\(code) should fail permanently")
                continue
            }
            #expect(reason.contains("\(code)"))
        }
        guard case .retry(_, let slow)? = await outcome("/slow/e\(tag)", timeout: .seconds(1)) else {
            Issue.record("a slow endpoint should time out and retry")
            return
        }
        #expect(slow.contains("curl error 28"))
    }

    @Test func aGoneEndpointIsReportedOnceThenAbandoned() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "gone-\(UUID().uuidString.prefix(8))"
        let output = receiver.output(path: "/status/410/\(name)")
        let outcomes = await output.deliver([changedNotification(), changedNotification()], context: receiver.context)
        guard case .failed(let reason) = outcomes[0], case .abandoned = outcomes[1] else {
            Issue.record("expected failed then abandoned, got \(outcomes)")
            return
        }
        #expect(reason.contains("gone (HTTP 410)"))
        #expect(try await receiver.received(name).count == 1)
    }

    @Test func aRetryCarriesTheSameWebhookID() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "flaky-\(UUID().uuidString.prefix(8))"
        let output = receiver.output(path: "/flaky/\(name)")
        let item = changedNotification()
        guard case .retry(let after, _)? = await output.deliver([item], context: receiver.context).first else {
            Issue.record("the first attempt should be retried")
            return
        }
        #expect(after == .seconds(1))
        #expect(await output.deliver([item], context: receiver.context) == [.delivered])
        let ids = try await receiver.received(name).compactMap { $0["id"] as? String }
        #expect(ids == [item.idempotencyKey, item.idempotencyKey])
    }

    @Test func aPlainHTTPRecipientIsRefusedWithoutTheOptIn() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        var settings = receiver.output(path: "/hook/x").settings
        settings.endpoint.allowHTTP = false
        settings.endpoint.url = "https://partner.example/hook"
        var item = changedNotification()
        item.recipient = receiver.base + "/hook/plain-\(UUID().uuidString.prefix(8))"
        let outcomes = await WebhookOutput(id: "partner", settings: settings).deliver([item], context: receiver.context)
        guard case .failed(let reason) = outcomes.first else {
            Issue.record("expected a permanent failure, got \(outcomes)")
            return
        }
        #expect(reason.contains("https:// only"))
    }

    @Test func duringARotationBothSecretsSign() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "rotate-\(UUID().uuidString.prefix(8))"
        let old = "whsec_" + Data((0..<24).map { UInt8($0) }).base64EncodedString()
        let output = receiver.output(path: "/hook/\(name)", secrets: [old, receiver.secret])
        #expect(await output.deliver([changedNotification()], context: receiver.context) == [.delivered])
        let got = try #require(try await receiver.received(name).first)
        #expect(got["verified"] as? Bool == true)
        #expect((got["signature"] as? String)?.split(separator: " ").count == 2)
    }
}

@Suite struct StandardWebhooksTests {
    @Test func matchesTheSpecificationsExample() throws {
        let secret = try #require(StandardWebhooks.Secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let signature = StandardWebhooks.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body, secrets: [secret])
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(
            StandardWebhooks.verify(
                id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body,
                header: "v1,bogus " + signature, secrets: [secret]))
        #expect(
            !StandardWebhooks.verify(
                id: "msg_other", timestamp: 1_614_265_330, body: body, header: signature, secrets: [secret]))
        #expect(StandardWebhooks.Secret("whsec_not base64!") == nil)
    }

    @Test func retryAfterReadsSecondsAndDatesAndDistrustsAbsurdValues() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let day = Duration.seconds(86_400)
        #expect(ServerWait.retryAfter("120", now: now, bound: day) == .seconds(120))
        #expect(ServerWait.retryAfter("Tue, 14 Nov 2023 22:14:20 GMT", now: now, bound: day) == .seconds(60))
        #expect(ServerWait.retryAfter("soon", now: now, bound: day) == nil)
        #expect(ServerWait.retryAfter("-5", now: now, bound: day) == nil, "negative: the default applies")
        #expect(ServerWait.retryAfter("99999999999999999999", now: now, bound: day) == nil)
        #expect(ServerWait.retryAfter("9223372036854775807", now: now, bound: day) == nil)
        #expect(ServerWait.retryAfter("7200", now: now, bound: .seconds(60)) == .seconds(60), "clamped to the bound")
        #expect(ServerWait.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT", now: now, bound: day) == nil)
        #expect(ServerWait.milliseconds(-1, bound: day) == nil)
        #expect(ServerWait.milliseconds(Int64.max, bound: day) == nil)
        #expect(ServerWait.milliseconds(1500, bound: day) == .milliseconds(1500))
        #expect(
            WebhookOutput.outcome(status: 429, retryAfter: "-3", body: [], now: now)
                == .retry(after: nil, reason: "webhook endpoint answered HTTP 429"))
    }

    /// One table for every HTTP output: a request timeout (408) retries, as Matrix always did.
    @Test(arguments: [
        (200, "delivered"), (204, "delivered"), (301, "failed"), (400, "failed"), (404, "failed"),
        (408, "retry"), (410, "failed"), (429, "retry"), (500, "retry"), (503, "retry"),
    ])
    func statusesFollowTheSharedTable(status: Int, expected: String) {
        let outcome = WebhookOutput.outcome(status: status, retryAfter: "120", body: Array("busy".utf8))
        switch outcome {
        case .delivered: #expect(expected == "delivered")
        case .retry(let after, let reason):
            #expect(expected == "retry")
            #expect(after == .seconds(120))
            #expect(reason == "webhook endpoint answered HTTP \(status): busy")
        case .failed, .abandoned: #expect(expected == "failed")
        }
        #expect(HTTPStatusOutcome.isTransient(status) == (expected == "retry"))
    }

    @Test func configurationIsValidated() {
        func issues(_ output: String) -> [String] {
            let text =
                #"{"sources": [{"id": "s", "type": "json", "path": "s.json", "key": "id", "name": "n"}], "outputs": [\#(output)]}"#
            do {
                _ = try Configuration.parse(
                    Array(text.utf8), file: "/tmp/c.json", outputs: OutputRegistry([WebhookOutputFactory()]))
                return []
            } catch {
                return error.issues.map(\.description)
            }
        }
        #expect(issues(#"{"id": "p", "type": "webhook", "url": "https://p.org/h", "secret": "${env:S}"}"#).isEmpty)
        #expect(
            issues(#"{"id": "p", "type": "webhook", "url": "http://p.org/h", "secret": "x"}"#).contains {
                $0.contains("expected an https:// URL")
            })
        #expect(
            issues(#"{"id": "p", "type": "webhook", "url": "https://p.org/h"}"#).contains {
                $0.contains("every webhook is signed")
            })
        #expect(
            issues(
                #"{"id": "p", "type": "webhook", "url": "https://p.org/h", "secret": "x", "headers": {"webhook-id": "x"}}"#
            ).contains {
                $0.contains("cannot be set here")
            })
    }
}
