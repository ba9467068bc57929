import Foundation
import Testing

/// Bounces and complaints end to end: VERP envelope senders on real SMTP deliveries, DSN and
/// ARF reports written by Python's email package, fed to `vigil bounce` and delivered into a
/// real IMAP server (Dovecot) that `vigil run` polls.
@Suite struct BounceEndToEndTests {
    static let secret = "mailing-secret-for-bounce-tests-42"

    /// A report written by `Tests/Servers/make_report.py`; into the IMAP server with `imap`.
    func report(
        _ kind: String, to: String, recipient: String, messageID: String? = nil, imap: String? = nil,
        in vigil: VigilProcess
    ) throws -> String {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Servers/make_report.py").standardizedFileURL.path
        let out = vigil.directory + "/report-\(UUID().uuidString).eml"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            ["python3", script, "--kind", kind, "--to", to, "--recipient", recipient]
            + (messageID.map { ["--message-id", $0] } ?? []) + (imap.map { ["--imap", $0] } ?? ["--out", out])
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return out
    }

    /// A configuration mailing four sponsors of P1 through the test SMTP server.
    func setUp(_ vigil: VigilProcess, tag: String, smtpPort: Int, mailbox: String = "") throws {
        try vigil.write(
            "config.json",
            """
            {"mailing": {"baseURL": "https://alerts.example.org", "secret": "${env:VIGIL_TEST_MAILING_SECRET}"\(mailbox)},
             "sources": [{"id": "list", "type": "json", "path": "list.json", "key": "id", "name": "name",
                          "status": "status"}],
             "outputs": [{"id": "mail", "type": "smtp", "url": "smtp://127.0.0.1:\(smtpPort)", "insecurePlaintext": true,
                          "from": "alerts@example.org", "bounces": "bounces@example.org"},
                         {"id": "team", "type": "stdout"}],
             "recipients": [
               {"id": "paris", "name": "Paris", "contacts": {"mail": "paris-\(tag)@example.org"}, "sponsors": {"keys": ["P1"]}},
               {"id": "lyon", "name": "Lyon", "contacts": {"mail": "lyon-\(tag)@example.org"}, "sponsors": {"keys": ["P1"]}},
               {"id": "nice", "name": "Nice", "contacts": {"mail": "nice-\(tag)@example.org"}, "sponsors": {"keys": ["P1"]}},
               {"id": "rome", "name": "Rome", "contacts": {"mail": "rome-\(tag)@example.org"}, "sponsors": {"keys": ["P1"]}}],
             "rules": [
               {"when": "has(change.status)", "notify": "sponsors", "via": "mail"},
               {"when": "event.kind in ['bounced', 'unsubscribed', 'sender_rejected']", "notify": "outputs", "via": "team"}]}
            """)
    }

    func setStatus(_ status: String, _ vigil: VigilProcess) throws {
        try vigil.write("list.json", #"[{"id": "P1", "name": "Ruben Vardanyan", "status": "\#(status)"}]"#)
    }

    let environment = ["VIGIL_TEST_MAILING_SECRET": BounceEndToEndTests.secret]

    func run(_ vigil: VigilProcess) async throws -> VigilProcess.Result {
        let result = try await vigil.run(["run", "--config", "config.json"], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        return result
    }

    func suppressions(_ vigil: VigilProcess) async throws -> [String: [String]] {
        let out = try await vigil.run(["recipients", "--config", "config.json", "--json"]).stdout
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
        var result: [String: [String]] = [:]
        for row in rows {
            result[row["id"] as? String ?? ""] = (row["suppressions"] as? [[String: Any]] ?? []).map {
                "\($0["list"] as? String ?? ""):\($0["reason"] as? String ?? "")"
            }
        }
        return result
    }

    /// The envelope sender of the one message stored for `address`, and its Message-ID.
    func sent(to address: String, in directory: String) throws -> (envelope: String, messageID: String) {
        let messages = try StoredMail.messages(to: address, in: directory)
        let message = try #require(messages.last)
        let envelope = try #require((message["envelope"] as? [String: Any])?["mail_from"] as? String)
        let headers = try #require(message["headers"] as? [String: String])
        #expect(headers["From"] == "alerts@example.org", "From stays the organisation's address")
        return (envelope, try #require(headers["Message-ID"]))
    }

    @Test func reportsOnStdinSuppressCountAndAlert() async throws {
        let vigil = try VigilProcess()
        let info = try VigilProcess.serverInfo("VIGIL_TEST_SMTP")
        let directory = try #require(info["dir"] as? String)
        let tag = UUID().uuidString.prefix(8).lowercased()
        try setUp(vigil, tag: tag, smtpPort: try #require(info["plain"] as? Int))
        try setStatus("detained", vigil)
        _ = try await run(vigil)
        try setStatus("released", vigil)
        _ = try await run(vigil)

        var envelopes: [String: String] = [:]
        var messageIDs: [String: String] = [:]
        for city in ["paris", "lyon", "nice", "rome"] {
            let (envelope, messageID) = try sent(to: "\(city)-\(tag)@example.org", in: directory)
            #expect(envelope.wholeMatch(of: /bounces\+[a-z2-7]{21}@example\.org/) != nil, "\(envelope)")
            envelopes[city] = envelope
            messageIDs[city] = messageID
        }
        #expect(Set(envelopes.values).count == 4, "one VERP address per message")

        func bounce(_ file: String) async throws -> String {
            let result = try await vigil.run(
                ["bounce", "--config", "config.json"], environment: environment, stdin: file)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        // A hard bounce to Paris's VERP address: suppressed at the first (the default count).
        let hard = try report(
            "hard", to: try #require(envelopes["paris"]), recipient: "paris-\(tag)@example.org", in: vigil)
        #expect(try await bounce(hard) == "suppressed")
        // A policy refusal of the sender (DMARC, 5.7.26): an alert, nobody suppressed; a second
        // one in the same streak raises no second alert.
        let policy = try report(
            "policy", to: try #require(envelopes["lyon"]), recipient: "lyon-\(tag)@example.org", in: vigil)
        #expect(try await bounce(policy) == "sender_policy")
        #expect(try await bounce(policy) == "sender_policy")
        // A full mailbox is a soft bounce: counted only.
        let soft = try report(
            "soft", to: try #require(envelopes["nice"]), recipient: "nice-\(tag)@example.org", in: vigil)
        #expect(try await bounce(soft) == "soft_bounce")
        // A complaint reaches the abuse address, not the VERP one: found by its Message-ID.
        let romeID: String = try #require(messageIDs["rome"])
        let complaint = try report(
            "complaint", to: "abuse@example.org", recipient: "rome-\(tag)@example.org", messageID: romeID, in: vigil)
        #expect(try await bounce(complaint) == "complaint")
        // A forged VERP token and a plain message change nothing.
        let forged = try report(
            "hard", to: "bounces+aaaaaaaaaaaaaaaaaaaaa@example.org", recipient: "someone-\(tag)@example.org", in: vigil)
        #expect(try await bounce(forged) == "noted")
        try vigil.write("plain.eml", "From: someone@example.net\r\nSubject: Out of office\r\n\r\nAway.\r\n")
        #expect(try await bounce(vigil.directory + "/plain.eml") == "ignored")

        let stopped = try await suppressions(vigil)
        #expect(stopped["paris"] == ["*:bounced"])
        #expect(stopped["rome"] == ["*:complained"])
        #expect(stopped["lyon"] == [] && stopped["nice"] == [])

        // The next change reaches only Lyon and Nice; the team hears of each event once.
        try setStatus("detained", vigil)
        let next = try await run(vigil)
        for (city, count) in [("paris", 1), ("lyon", 2), ("nice", 2), ("rome", 1)] {
            #expect(try StoredMail.messages(to: "\(city)-\(tag)@example.org", in: directory).count == count, "\(city)")
        }
        #expect(next.stdout.components(separatedBy: "A recipient's address bounced").count == 2, "\(next.stdout)")
        #expect(next.stdout.contains("mail to Paris (paris) at paris-\(tag)@example.org bounced once (5.1.1"))
        #expect(next.stdout.components(separatedBy: "Mail refused by a receiving server's policy").count == 2)
        #expect(next.stdout.contains("5.7.26"))
        #expect(next.stdout.contains("Rome (rome) reported a message as spam"))
    }

    @Test func theBounceMailboxIsPolledOverIMAP() async throws {
        let vigil = try VigilProcess()
        let info = try VigilProcess.serverInfo("VIGIL_TEST_SMTP")
        let directory = try #require(info["dir"] as? String)
        let imapFile = try #require(
            ProcessInfo.processInfo.environment["VIGIL_TEST_IMAP"], "VIGIL_TEST_IMAP is not set")
        let imap = try VigilProcess.serverInfo("VIGIL_TEST_IMAP")
        let port = try #require(imap["port"] as? Int)
        let tag = UUID().uuidString.prefix(8).lowercased()
        let mailbox = """
            , "bounceMailbox": {"url": "imaps://127.0.0.1:\(port)/INBOX", "username": "\(imap["user"] as? String ?? "")",
                                "password": "${env:VIGIL_TEST_IMAP_PASSWORD}", "tls": {"caFile": "\(imap["ca"] as? String ?? "")"}}
            """
        try setUp(vigil, tag: tag, smtpPort: try #require(info["plain"] as? Int), mailbox: mailbox)
        let environment = self.environment.merging(["VIGIL_TEST_IMAP_PASSWORD": imap["password"] as? String ?? ""]) {
            $1
        }
        func run() async throws -> VigilProcess.Result {
            let result = try await vigil.run(["run", "--config", "config.json", "-v"], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            return result
        }
        try setStatus("detained", vigil)
        _ = try await run()
        try setStatus("released", vigil)
        _ = try await run()
        let (envelope, _) = try sent(to: "nice-\(tag)@example.org", in: directory)
        _ = try report("hard", to: envelope, recipient: "nice-\(tag)@example.org", imap: imapFile, in: vigil)

        try setStatus("detained", vigil)
        let polled = try await run()
        #expect(polled.stderr.contains("bounce mailbox: 1 messages read, 1 deleted (suppressed 1)"), "\(polled.stderr)")
        #expect(try await suppressions(vigil)["nice"] == ["*:bounced"])
        // Polled before delivery: Nice is not mailed about this run's change.
        #expect(try StoredMail.messages(to: "nice-\(tag)@example.org", in: directory).count == 1)
        #expect(try StoredMail.messages(to: "lyon-\(tag)@example.org", in: directory).count == 2)
        #expect(polled.stdout.contains("mail to Nice (nice) at nice-\(tag)@example.org bounced once"))
        // The message was deleted: the next poll reads nothing.
        let again = try await run()
        #expect(!again.stderr.contains("bounce mailbox:"), "\(again.stderr)")

        // `vigil serve` polls the same mailbox on its own schedule.
        let (lyonEnvelope, _) = try sent(to: "lyon-\(tag)@example.org", in: directory)
        let servePort = ServeEndToEndTests().freePort()
        let config = try String(contentsOfFile: vigil.directory + "/config.json", encoding: .utf8)
        try vigil.write(
            "config.json",
            config.replacingOccurrences(
                of: "{\"mailing\"", with: "{\"serve\": {\"listen\": \"127.0.0.1:\(servePort)\"}, \"mailing\""
            )
            .replacingOccurrences(of: "\"tls\": {", with: "\"every\": \"5s\", \"tls\": {"))
        let server = try vigil.start(["serve", "--config", "config.json"], environment: environment)
        try #require(
            await VigilProcess.waitForHealth("http://127.0.0.1:\(servePort)"), "vigil serve did not answer /healthz")
        _ = try report("hard", to: lyonEnvelope, recipient: "lyon-\(tag)@example.org", imap: imapFile, in: vigil)
        var suppressed = false
        for _ in 0..<60 where !suppressed {
            try await Task.sleep(for: .milliseconds(250))
            suppressed = try await suppressions(vigil)["lyon"] == ["*:bounced"]
        }
        server.process.interrupt()
        let served = try await server.finish()
        #expect(suppressed, "vigil serve did not poll the bounce mailbox: \(served.stderr)")
    }
}
