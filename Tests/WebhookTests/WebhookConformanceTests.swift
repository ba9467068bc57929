import Curl
import Foundation
import Testing
import VigilCore
import VigilTesting

@testable import VigilWebhook

/// The checks every output runs (``OutputConformance``), against the loopback receiver.
@Suite struct WebhookConformanceTests {
    let curl = CurlEngine()

    @Test func theWebhookOutputConforms() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "conformance-\(UUID().uuidString.prefix(8))"
        let bearer = "bearer-\(UUID().uuidString)"
        var settings = receiver.output(path: "/hook/\(name)").settings
        settings.endpoint.authentication = .bearer(try SecretString(bearer))
        let output = WebhookOutput(id: "partner", settings: settings)
        // By position: delivered, refused (400), busy (503), delivered.
        let paths = ["/hook/\(name)", "/status/400/\(name)", "/status/503/\(name)", "/hook/\(name)"]
        let notifications = paths.map { path -> RenderedNotification in
            var item = changedNotification()
            item.recipient = receiver.base + path
            return item
        }
        let problems = await OutputConformance.check(
            output, notifications: notifications, expected: [.delivered, .failed, .retry, .delivered],
            context: receiver.context, secrets: [receiver.secret, bearer, String(receiver.secret.dropFirst(6))],
            observedKeys: { try await receiver.received(name).compactMap { $0["id"] as? String } })
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func theWebhookOutputReadsTheSharedStatusTable() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "table-\(UUID().uuidString.prefix(8))"
        let problems = await OutputConformance.checkStatusTable { status in
            let output = receiver.output(path: "/status/\(status)/\(name)")
            return await output.deliver([changedNotification()], context: receiver.context).first
                ?? .retry(after: nil, reason: "no outcome")
        }
        #expect(problems.isEmpty, "\(problems)")
    }
}
