import Curl
import Foundation
import Testing
import VigilCore
import VigilTesting

@testable import VigilSMTP

/// The checks every output runs (``OutputConformance``), against the loopback SMTP server.
@Suite struct SMTPConformanceTests {
    let curl = CurlEngine()

    @Test func theSMTPOutputConforms() async throws {
        let server = try SMTPServer()
        let token = UUID().uuidString.prefix(8).lowercased()
        let good = ["ok-\(token)@example.org", "also-\(token)@example.org"]
        // By position: delivered, refused by the server (550), not an address, delivered.
        let recipients = [good[0], "reject-\(token)@example.org", "not an address", good[1]]
        let notifications = recipients.map { notification(to: $0) }
        let output = SMTPOutput(id: "mail", settings: server.settings())
        let problems = await OutputConformance.check(
            output, notifications: notifications, expected: [.delivered, .failed, .failed, .delivered],
            context: deliveryContext(curl), secrets: [server.password],
            observedKeys: {
                var keys: [String] = []
                for recipient in good {
                    for message in try await server.messages(to: recipient) {
                        let id = (message["headers"] as? [String: String])?["Message-ID"] ?? ""
                        keys.append(String(id.dropFirst().prefix { $0 != "@" }))
                    }
                }
                return keys
            })
        #expect(problems.isEmpty, "\(problems)")
    }
}
