import Curl
import Foundation
import Logging
import Testing
import VigilTesting

@testable import VigilCore

/// The outputs the core ships run the same conformance checks as the plugins.
@Suite struct CoreOutputConformanceTests {
    @Test func theInMemoryOutputConforms() async throws {
        let output = InMemoryOutput(id: "memory") { notification in
            notification.recipient == "busy" ? .retry(after: nil, reason: "busy") : .delivered
        }
        let curl = CurlEngine()
        defer { curl.shutdown() }
        let notifications = ["a", "busy", "b"].map { (recipient: String) in
            RenderedNotification(
                id: 1, idempotencyKey: "evt-\(recipient).memory", eventID: "evt", outputID: "memory",
                recipient: recipient, subject: "s", text: "t")
        }
        let problems = await OutputConformance.check(
            output, notifications: notifications, expected: [.delivered, .retry, .delivered],
            context: DeliveryContext(curl: curl, logger: .silent, configDirectory: "/"), secrets: ["hunter2"],
            observedKeys: { output.notifications.map(\.idempotencyKey).filter { !$0.contains("busy") } })
        #expect(problems.isEmpty, "\(problems)")
    }

    /// The checks can fail: an output that answers out of order, leaks a secret or changes
    /// keys on a retry is caught.
    @Test func theChecksCatchAMisbehavingOutput() async throws {
        struct Misbehaving: Output {
            let id = "bad"
            func send(_ notification: RenderedNotification, session: Void) async -> DeliveryOutcome {
                .retry(after: nil, reason: "login hunter2 refused")
            }
        }
        let curl = CurlEngine()
        defer { curl.shutdown() }
        let item = RenderedNotification(
            id: 1, idempotencyKey: "evt-1.bad", eventID: "evt", outputID: "bad", recipient: nil, subject: "s",
            text: "t")
        let problems = await OutputConformance.check(
            Misbehaving(), notifications: [item], expected: [.delivered],
            context: DeliveryContext(curl: curl, logger: .silent, configDirectory: "/"), secrets: ["hunter2"],
            observedKeys: { ["evt-1.bad-retry"] })
        #expect(problems.contains { $0.contains("outcomes [\"retry\"] for expected [\"delivered\"]") })
        #expect(problems.contains { $0.contains("contains a resolved secret") })
        #expect(problems.contains { $0.contains("no notification has") })
        let table = await OutputConformance.checkStatusTable([408]) { _ in .failed(reason: "no") }
        #expect(table == ["HTTP 408: failed, the shared table says retry"])
    }
}
