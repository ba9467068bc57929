import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `vigil run` delivering email to the real SMTP server, including a SIGKILL mid-burst.
@Suite struct DeliveryEndToEndTests {
    struct Mail {
        let plainPort: Int
        let directory: String

        init() throws {
            let info = try VigilProcess.serverInfo("VIGIL_TEST_SMTP")
            plainPort = try #require(info["plain"] as? Int)
            directory = try #require(info["dir"] as? String)
        }

        /// The Message-ID of every message stored for `recipient`.
        func messageIDs(to recipient: String) throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".json") && $0 != "connections.json" }
                .compactMap { name -> String? in
                    let envelope = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
                    guard envelope.contains("\"\(recipient)\"") else { return nil }
                    let message = try String(
                        contentsOfFile: directory + "/" + name.dropLast(5) + ".eml", encoding: .utf8)
                    return message.components(separatedBy: "\r\n").first { $0.hasPrefix("Message-ID: ") }
                }
        }
    }

    func document(_ count: Int, status: String) -> Data {
        let items = (1...count).map { #"{"id": "P\#($0)", "name": "Person \#($0)", "status": "\#(status)"}"# }
        return Data(("{\"prisoners\": [" + items.joined(separator: ",") + "]}").utf8)
    }

    @Test func aRunKilledMidBurstLosesNothing() async throws {
        let vigil = try VigilProcess()
        let mail = try Mail()
        let feed = "e2e-kill-\(UUID().uuidString)"
        let recipient = "slow-kill-\(UUID().uuidString.prefix(8).lowercased())@example.org"
        try vigil.write(
            "config.json",
            """
            {"sources": [{"id": "list", "type": "json", "url": "\(vigil.server)/feed/\(feed)", "records": "$.prisoners[*]",
              "key": "id", "name": "name", "status": "status", "statusMap": {"détenu": "detained", "libéré": "released"}}],
             "outputs": [{"id": "mail", "type": "smtp", "url": "smtp://127.0.0.1:\(mail.plainPort)", "insecurePlaintext": true,
                          "from": "alerts@vigil.example.org", "to": ["\(recipient)"], "concurrency": 4}]}
            """)
        try await vigil.putFeed(feed, document(300, status: "détenu"))
        #expect(try await vigil.run(["run", "--config", "config.json"]).status == 0)
        try await vigil.putFeed(feed, document(300, status: "libéré"))

        let burst = try vigil.start(["run", "--config", "config.json"])
        let deadline = ContinuousClock.now + .seconds(20)
        while try mail.messageIDs(to: recipient).count < 20, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        kill(burst.process.processIdentifier, SIGKILL)
        let killed = try await burst.finish()
        #expect(killed.status == SIGKILL)
        let beforeRestart = try mail.messageIDs(to: recipient).count
        #expect(beforeRestart >= 20 && beforeRestart < 300, "the run was killed mid-burst (\(beforeRestart) sent)")

        let pending = try await vigil.run(["outbox", "--config", "config.json", "--json"])
        #expect(pending.stdout.components(separatedBy: "\"state\":\"pending\"").count - 1 >= 300 - beforeRestart)

        let resumed = try await vigil.run(["run", "--config", "config.json"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let ids = try mail.messageIDs(to: recipient)
        #expect(Set(ids).count == 300, "every notification arrived")
        #expect(ids.count - 300 <= 4 * 50, "re-sends are limited to the batches in flight (\(ids.count - 300))")
        let empty = try await vigil.run(["outbox", "--config", "config.json", "--json"])
        #expect(empty.stdout == "[]\n")
    }

    @Test func aRejectedAddressIsDeadLetteredAndReportedOnce() async throws {
        let vigil = try VigilProcess()
        let mail = try Mail()
        let feed = "e2e-dead-\(UUID().uuidString)"
        try vigil.write(
            "config.json",
            """
            {"sources": [{"id": "list", "type": "json", "url": "\(vigil.server)/feed/\(feed)", "records": "$.prisoners[*]",
              "key": "id", "name": "name", "status": "status"}],
             "outputs": [{"id": "mail", "type": "smtp", "url": "smtp://127.0.0.1:\(mail.plainPort)", "insecurePlaintext": true,
                          "from": "alerts@vigil.example.org", "to": ["reject-\(UUID().uuidString.prefix(6))@example.org"]},
                         {"id": "console", "type": "stdout"}]}
            """)
        try await vigil.putFeed(feed, document(3, status: "detained"))
        #expect(try await vigil.run(["run", "--config", "config.json"]).status == 0)
        try await vigil.putFeed(feed, document(3, status: "released"))
        let run = try await vigil.run(["run", "--config", "config.json"])
        #expect(run.status == 3, "\(run.stderr)")
        #expect(run.stdout.components(separatedBy: "delivery dead-lettered").count - 1 == 3)
        #expect(run.stdout.contains("550 5.1.1"))
        #expect(!run.stderr.contains("reject-"), "logs below debug name no address")
        let outbox = try await vigil.run(["outbox", "--config", "config.json"])
        #expect(outbox.stdout.components(separatedBy: "\tfailed\tmail").count - 1 == 3)
        let quiet = try await vigil.run(["run", "--config", "config.json"])
        #expect(quiet.stdout.isEmpty, "a dead letter is reported once")
        let retried = try await vigil.run(["outbox", "retry", "--config", "config.json", "--all-failed"])
        #expect(retried.stdout == "3 notifications queued again\n")
    }
}
