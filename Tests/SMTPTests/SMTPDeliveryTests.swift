import Curl
import Foundation
import Testing
import VigilCore

@testable import VigilSMTP

@Suite struct SMTPDeliveryTests {
    let curl = CurlEngine()

    func deliver(_ notifications: [RenderedNotification], settings: SMTPOutput.Settings) async -> [DeliveryOutcome] {
        await SMTPOutput(id: "mail", settings: settings).deliver(notifications, context: deliveryContext(curl))
    }

    @Test func sendsMultipartUTF8MailOverStartTLSWithAuth() async throws {
        let server = try SMTPServer()
        let recipient = unique("lyon")
        let subject = "Տիգրան Վարդոյանց (VG-017): condamné → libéré, après 3 ans de détention et un long procès"
        let text = """
            [list] changed: Տիգրան Վարդոյանց (key VG-017)
              status: sentenced → released
            .a line that starts with a dot
            A very long line that goes on and on beyond seventy-six characters, with é and ü and Հայերեն in it too.
            Trailing space here 
            = equals sign
            """
        let html = "<p>Տիգրան <b>libéré</b> &amp; safe</p>"
        let item = notification(to: recipient, subject: subject, text: text, html: html)
        #expect(await deliver([item], settings: server.settings()) == [.delivered])

        let messages = try await server.messages(to: recipient)
        let message = try #require(messages.first)
        #expect(messages.count == 1)
        let headers = try #require(message["headers"] as? [String: String])
        #expect(headers["Subject"] == subject)
        #expect(headers["From"] == "Vigil — Գործ <alerts@vigil.example.org>")
        #expect(headers["To"] == "<\(recipient)>" || headers["To"] == recipient)
        #expect(headers["Reply-To"] == "<team@example.org>" || headers["Reply-To"] == "team@example.org")
        #expect(headers["Message-ID"] == "<\(item.idempotencyKey)@vigil.example.org>")
        #expect(headers["List-Unsubscribe"] == "<mailto:unsubscribe@example.org>, <https://example.org/u?list=vigil>")
        #expect(headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
        #expect(headers["X-Vigil-Test"] == "yes")
        #expect(headers["MIME-Version"] == "1.0")
        #expect(headers["Date"]?.hasSuffix("+0000") == true)
        let raw = try #require(message["raw_headers"] as? [String: String])
        #expect(raw["Subject"]?.contains("=?UTF-8?B?") == true, "non-ASCII subjects are RFC 2047 encoded")
        #expect(message["content_type"] as? String == "multipart/alternative")
        let parts = try #require(message["parts"] as? [[String: Any]])
        #expect(parts.map { $0["content_type"] as? String } == ["text/plain", "text/html"])
        #expect(parts.allSatisfy { $0["charset"] as? String == "utf-8" })
        #expect(parts.allSatisfy { $0["transfer_encoding"] as? String == "quoted-printable" })
        let body = (parts[0]["body"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n")
        #expect(body == text)
        #expect((parts[1]["body"] as? String)?.replacingOccurrences(of: "\r\n", with: "\n") == html)
        #expect((message["longest_line"] as? Int ?? 999) <= 78)
        #expect(message["bare_lf"] as? Bool == false)
        #expect((message["defects"] as? [String])?.isEmpty == true)
        let envelope = try #require(message["envelope"] as? [String: Any])
        #expect(envelope["mail_from"] as? String == "alerts@vigil.example.org")
        #expect(envelope["authenticated"] as? Bool == true)
        #expect(envelope["port"] as? String == "starttls")
    }

    @Test func theSameNotificationKeepsItsMessageIDOnEveryAttempt() async throws {
        let server = try SMTPServer()
        let recipient = unique("tempfail")
        let item = notification(to: recipient, subject: "Retry me")
        let first = await deliver([item], settings: server.plainSettings())
        guard case .retry(_, let reason) = first.first else {
            Issue.record("expected a retry, got \(first)")
            return
        }
        #expect(reason.contains("451 4.3.0"))
        #expect(await deliver([item], settings: server.plainSettings()) == [.delivered])
        // A crash after sending but before recording re-sends: the receiver sees the same Message-ID.
        #expect(await deliver([item], settings: server.plainSettings()) == [.delivered])
        let ids = try await server.messages(to: recipient).compactMap {
            ($0["headers"] as? [String: String])?["Message-ID"]
        }
        #expect(ids == Array(repeating: "<\(item.idempotencyKey)@vigil.example.org>", count: 2))
    }

    @Test func busyServersAndDroppedConnectionsAreRetried() async throws {
        let server = try SMTPServer()
        for prefix in ["busy", "drop"] {
            let recipient = unique(prefix)
            let item = notification(to: recipient)
            let first = await deliver([item], settings: server.plainSettings())
            guard case .retry(_, let reason) = first.first else {
                Issue.record("\(prefix): expected a retry, got \(first)")
                continue
            }
            if prefix == "busy" { #expect(reason.contains("421")) }
            #expect(await deliver([item], settings: server.plainSettings()) == [.delivered], "\(prefix)")
            #expect(try await server.messages(to: recipient).count == 1, "\(prefix)")
        }
    }

    @Test func aDeferringDomainIsPausedWhileOtherDomainsAreServed() async throws {
        let server = try SMTPServer()
        let output = SMTPOutput(id: "mail", settings: server.plainSettings())
        let tag = UUID().uuidString.prefix(8).lowercased()
        let slow = ["ratelimit-\(tag)@slow.example", "a-\(tag)@slow.example", "b-\(tag)@Slow.Example"]
        let fast = "c-\(tag)@fast.example"
        let outcomes = await output.deliver(
            (slow + [fast]).map { notification(to: $0) }, context: deliveryContext(curl))
        guard outcomes.count == 4, case .retry(let pause?, let reason) = outcomes[0] else {
            Issue.record("expected a retry with a pause, got \(outcomes)")
            return
        }
        #expect(reason.contains("421 4.7.0") && reason.contains("slow.example deferred our mail"), "\(reason)")
        #expect(pause >= .seconds(29) && pause <= .seconds(30))
        // The rest of the domain waits without a connection; the other domain is served.
        for outcome in outcomes[1...2] {
            guard case .retry(let after?, let why) = outcome else {
                Issue.record("expected a paused retry, got \(outcome)")
                continue
            }
            #expect(why.contains("paused") && after <= pause)
        }
        #expect(outcomes[3] == .delivered)
        #expect(try await server.messages(to: slow[1]).isEmpty)
        #expect(try await server.messages(to: fast).count == 1)
        // Each domain is its own delivery lane, with its own connection limit.
        #expect(
            output.deliveryLane(for: notification(to: slow[2])) == DeliveryLane(name: "slow.example", concurrency: 2))
    }

    @Test func aRejectedRecipientFailsPermanentlyWithoutStoppingTheBatch() async throws {
        let server = try SMTPServer()
        let good = unique("good")
        let outcomes = await deliver(
            [notification(to: unique("reject")), notification(to: good), notification(to: "not an address")],
            settings: server.plainSettings())
        guard case .failed(let reason) = outcomes[0] else {
            Issue.record("expected a permanent failure, got \(outcomes[0])")
            return
        }
        #expect(reason.contains("550 5.1.1"))
        #expect(reason.contains("Recipient address rejected"))
        #expect(outcomes[1] == .delivered)
        guard case .failed(let invalid) = outcomes[2] else {
            Issue.record("expected an invalid address to fail, got \(outcomes[2])")
            return
        }
        #expect(invalid.contains("invalid recipient address"))
        #expect(try await server.messages(to: good).count == 1)
    }

    @Test func aServerThatNeverAnswersTimesOutAndRetries() async throws {
        let server = try SMTPServer()
        var settings = server.plainSettings()
        settings.url = "smtp://127.0.0.1:\(server.silent)"
        settings.timeout = .seconds(1)
        let started = ContinuousClock.now
        let outcomes = await deliver([notification(to: unique("anyone"))], settings: settings)
        guard case .retry(_, let reason) = outcomes.first else {
            Issue.record("expected a retry, got \(outcomes)")
            return
        }
        #expect(reason.contains("curl error 28"), "\(reason)")
        // The server never answers: anything bounded proves the timeout (generous for a loaded machine).
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func plainTextNeedsAnExplicitOptIn() async throws {
        let server = try SMTPServer()
        var settings = server.plainSettings()
        settings.plaintext = false
        let outcomes = await deliver([notification(to: unique("plain"))], settings: settings)
        guard case .retry(_, let reason) = outcomes.first else {
            Issue.record("expected STARTTLS to be required, got \(outcomes)")
            return
        }
        #expect(reason.lowercased().contains("ssl") || reason.lowercased().contains("tls"), "\(reason)")
    }

    @Test func wrongCredentialsWaitForTheOperator() async throws {
        let server = try SMTPServer()
        let outcomes = await deliver([notification(to: unique("auth"))], settings: server.settings(password: "wrong"))
        guard case .retry(_, let reason) = outcomes.first else {
            Issue.record("expected a retry, got \(outcomes)")
            return
        }
        #expect(reason.contains("authentication failed"))
        #expect(!reason.contains("wrong"), "the password never appears in a reason")
    }

    @Test func nothingFromASourceCanInjectAHeader() async throws {
        let server = try SMTPServer()
        let recipient = unique("inject")
        let item = notification(to: recipient, subject: "Released\r\nBcc: spy@example.org\nX-Evil: 1")
        #expect(await deliver([item], settings: server.plainSettings()) == [.delivered])
        let message = try #require(try await server.messages(to: recipient).first)
        let headers = try #require(message["headers"] as? [String: String])
        #expect(headers["Bcc"] == nil)
        #expect(headers["X-Evil"] == nil)
        #expect(headers["Subject"]?.contains("Bcc: spy@example.org") == true)
        let injected = await deliver(
            [notification(to: "\(recipient)>\r\nRCPT TO:<spy@example.org")], settings: server.plainSettings())
        guard case .failed = injected.first else {
            Issue.record("expected an address with a line break to be refused, got \(injected)")
            return
        }
    }

    @Test func oneBatchUsesOneConnection() async throws {
        let server = try SMTPServer()
        var connections = 0
        for index in 0..<10 {
            let message = MailMessage(
                from: MailAddress("a@example.org")!, fromName: nil, to: MailAddress("reuse@example.org")!, replyTo: nil,
                subject: "reuse \(index)", text: "body", html: nil, idempotencyKey: "reuse-\(UUID())", date: Date(),
                unsubscribe: nil)
            let request = CurlRequest(
                url: "smtp://127.0.0.1:\(server.plain)", body: message.render(), allowedProtocols: "smtp",
                mailFrom: "<a@example.org>", mailRecipients: ["<reuse@example.org>"])
            connections += try await curl.perform(request).newConnections
        }
        #expect(connections == 1)
    }
}
