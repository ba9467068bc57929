import Foundation
import VigilCore
import VigilSMTP

/// Sponsor mail and bounce reports, for `scripts/bench.py --only smtp`.
extension VigilBench {
    /// `vigil-bench sponsor-mail URL COUNT CONCURRENCY DOMAINS PACING`: COUNT sponsor emails,
    /// each to its own recipient over DOMAINS domains, with the recipient's own unsubscribe
    /// link, List-Id, Auto-Submitted, Feedback-ID and a VERP envelope sender; PACING `off`
    /// (no per-domain limits) or `default` (2 connections and 30/s per domain).
    static func sponsorMail(url: String, count: Int, concurrency: Int, domains: Int, paced: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStateStore(directory: directory)
        guard let from = MailAddress("alerts@vigil.example.org"), let bounces = MailAddress("bounces@vigil.example.org")
        else { return }
        var settings = SMTPOutput.Settings(
            url: url, plaintext: true, from: from, fromName: "Vigil", concurrency: concurrency)
        settings.bounceAddress = bounces
        settings.listID = "sponsors.vigil.example.org"
        settings.feedbackID = "alerts:vigil:bench"
        settings.unsubscribeMailto = MailAddress("unsubscribe@vigil.example.org")
        if !paced { settings.pacing = DomainPacer.Limits(concurrency: concurrency, rate: 0) }
        let output = SMTPOutput(id: "mail", settings: settings)
        var batch = queue(count, for: output) { "sponsor\($0)@d\($0 % max(1, domains)).example.org" }
        for index in batch.notifications.indices {
            batch.notifications[index].subscription = Subscription(
                recipientID: "sponsor\(index)", list: "sponsor:bench/P\(index)")
        }
        let runID = try store.commit(batch)
        let mailing = MailingSettings(
            baseURL: "https://alerts.vigil.example.org", secret: try SecretString("bench-mailing-secret-0123456789"))
        try await measure(
            store: store, output: output, policy: DeliveryPolicy(concurrency: concurrency, batchSize: 50), runID: runID,
            directory: directory, mailing: mailing
        ) { ", \"connections\": \(output.statistics.connectionsOpened)" }
    }

    /// `vigil-bench bounces COUNT`: COUNT distinct DSNs (hard, soft and policy, a third each,
    /// with a quoted original) parsed; prints seconds and what was read.
    static func bounces(count: Int) {
        let statuses = [("failed", "5.1.1"), ("delayed", "4.2.2"), ("failed", "5.7.26")]
        let messages = (0..<count).map { index -> [UInt8] in
            let (action, status) = statuses[index % 3]
            return Array(
                """
                From: MAILER-DAEMON@mx.example.net\r
                To: bounces+abcdefghijklmnopqrstu@vigil.example.org\r
                Subject: Undelivered Mail Returned to Sender\r
                MIME-Version: 1.0\r
                Content-Type: multipart/report; report-type=delivery-status;\r
                 boundary="b\(index)"\r
                \r
                --b\(index)\r
                Content-Type: text/plain\r
                \r
                This is the mail system at host mx.example.net. Your message could not be delivered.\r
                \r
                --b\(index)\r
                Content-Type: message/delivery-status\r
                \r
                Reporting-MTA: dns; mx.example.net\r
                \r
                Final-Recipient: rfc822; sponsor\(index)@example.org\r
                Action: \(action)\r
                Status: \(status)\r
                Diagnostic-Code: smtp; 550 \(status) The account sponsor\(index)@example.org does not exist\r
                \r
                --b\(index)\r
                Content-Type: text/rfc822-headers\r
                \r
                From: alerts@vigil.example.org\r
                To: sponsor\(index)@example.org\r
                Subject: Person \(index): detained -> released\r
                Message-ID: <evt-\(index).mail@vigil.example.org>\r
                \r
                --b\(index)--\r

                """.utf8)
        }
        let clock = ContinuousClock()
        let started = clock.now
        var hard = 0
        var soft = 0
        var policy = 0
        for message in messages {
            guard case .delivery(let deliveries) = MailReport(parsing: message).kind else { continue }
            switch deliveries.first?.verdict {
            case .hard: hard += 1
            case .soft: soft += 1
            case .senderPolicy: policy += 1
            default: break
            }
        }
        let seconds = (clock.now - started).timeInterval
        let bytes = messages.reduce(0) { $0 + $1.count }
        print(
            "{\"seconds\": \(seconds), \"messages\": \(count), \"bytes\": \(bytes), \"hard\": \(hard), "
                + "\"soft\": \(soft), \"policy\": \(policy)}")
    }
}
