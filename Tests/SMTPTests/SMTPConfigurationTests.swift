import Foundation
import Testing
import VigilCore

@testable import VigilSMTP

@Suite struct SMTPConfigurationTests {
    func issues(_ output: String) -> [String] {
        let text =
            #"{"sources": [{"id": "s", "type": "json", "path": "s.json", "key": "id", "name": "n"}], "outputs": [\#(output)]}"#
        do {
            _ = try Configuration.parse(
                Array(text.utf8), file: "/tmp/c.json",
                outputs: OutputRegistry([StdoutOutputFactory(), SMTPOutputFactory()]))
            return []
        } catch {
            return error.issues.map(\.description)
        }
    }

    @Test func aValidOutputReadsItsSettings() throws {
        let text = #"""
            {"sources": [{"id": "s", "type": "json", "path": "s.json", "key": "id", "name": "n"}],
             "outputs": [{"id": "mail", "type": "smtp", "url": "smtps://mail.example.org:465", "from": "v@example.org",
                          "fromName": "Vigil", "to": ["a@example.org", "b@example.org"], "username": "${env:U}",
                          "password": "${env:P}", "concurrency": 6, "retry": {"initial": "30s", "giveUpAfter": "1d"}}]}
            """#
        let configuration = try Configuration.parse(
            Array(text.utf8), file: "/tmp/c.json", outputs: OutputRegistry([SMTPOutputFactory()]))
        let output = try #require(configuration.outputs.first as? SMTPOutput)
        #expect(output.defaultRecipients == ["a@example.org", "b@example.org"])
        let policy = configuration.deliveryPolicy(for: "mail")
        #expect(policy.concurrency == 6)
        #expect(policy.retry.initialDelay == .seconds(30))
        #expect(policy.retry.giveUpAfter == .seconds(86_400))
        #expect(policy.retry.maxDelay == .seconds(6 * 3600))
    }

    @Test func mistakesAreReportedWithTheirPath() {
        #expect(
            issues(#"{"id": "m", "type": "smtp", "url": "http://x", "from": "v@example.org"}"#).contains {
                $0.contains("$.outputs[0].url: expected an smtp://")
            })
        #expect(
            issues(#"{"id": "m", "type": "smtp", "url": "smtp://x", "from": "not-an-address"}"#).contains {
                $0.contains("$.outputs[0].from") && $0.contains("not a valid email address")
            })
        #expect(
            issues(
                #"{"id": "m", "type": "smtp", "url": "smtps://x", "from": "v@example.org", "insecurePlaintext": true}"#
            ).contains {
                $0.contains("applies to smtp:// URLs only")
            })
        #expect(
            issues(#"{"id": "m", "type": "smtp", "url": "smtp://x", "from": "v@example.org", "username": "u"}"#)
                .contains {
                    $0.contains("needs both \"username\" and \"password\"")
                })
        #expect(
            issues(
                #"{"id": "m", "type": "smtp", "url": "smtp://x", "from": "v@example.org", "to": ["ok@example.org", "bad"]}"#
            ).contains {
                $0.contains("$.outputs[0].to[1]")
            })
        #expect(
            issues(
                #"{"id": "m", "type": "smtp", "url": "smtp://x", "from": "v@example.org", "headers": {"Subject": "x"}}"#
            ).contains {
                $0.contains("cannot be overridden")
            })
        #expect(
            issues(#"{"id": "m", "type": "smtp", "url": "smtp://x", "from": "v@example.org", "concurrency": 0}"#)
                .contains {
                    $0.contains("$.outputs[0].concurrency")
                })
    }

    @Test func addressesAreCheckedStrictly() {
        for valid in ["a@example.org", "first.last+tag@sub.example.org", "x@localhost"] {
            #expect(MailAddress(valid) != nil, "\(valid)")
        }
        for invalid in [
            "", "a", "a@", "@b.org", "a b@c.org", "a@b.org\r\nX: y", "a..b@c.org", "<a@b.org>", "a@b.org>", "é@b.org",
            "a@-b.org,c@d.org",
        ] {
            #expect(MailAddress(invalid) == nil, "\(invalid)")
        }
    }

    @Test func quotedPrintableKeepsLinesShortAndRoundTrips() {
        let text = String(repeating: "é", count: 100) + " \nend = here \t"
        let encoded = String(decoding: QuotedPrintable.encode(text), as: UTF8.self)
        #expect(encoded.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
        #expect(encoded.hasSuffix("=09"))
        #expect(encoded.contains("end =3D here"))
    }

    @Test func encodedWordsStayWithinLimits() {
        let words = HeaderEncoding.encodedWords(String(repeating: "Հայաստան ", count: 10))
        #expect(words.count > 1)
        #expect(words.allSatisfy { $0.count <= 75 && $0.hasPrefix("=?UTF-8?B?") })
        #expect(HeaderEncoding.displayName("Smith, John") == "\"Smith, John\"")
        #expect(HeaderEncoding.displayName("Mairie de Lyon") == "Mairie de Lyon")
        #expect(HeaderEncoding.sanitized("a\r\nb") == "a  b")
    }

    /// Found by the mime fuzz target: a long non-ASCII display name, a subject with a word of
    /// 2,000 letters, and a character of 500 combining marks made lines over RFC 5322's 998 bytes.
    @Test func noHeaderLineExceeds998BytesWhateverTheValues() throws {
        let message = MailMessage(
            from: try #require(MailAddress("alerts@vigil.example.org")),
            fromName: String(repeating: "Տիգրան Վարդոյանց ", count: 40), to: try #require(MailAddress("s@example.org")),
            replyTo: nil, subject: "released " + String(repeating: "x", count: 2000),
            text: "e" + String(repeating: "\u{301}", count: 500), html: nil, idempotencyKey: "evt-1.mail",
            date: Date(timeIntervalSince1970: 1_700_000_000), unsubscribe: nil,
            extraHeaders: [("X-Vigil-Rule", "a" + String(repeating: "\u{301}", count: 500))])
        let lines = String(decoding: message.render(), as: UTF8.self).components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 998 }, "\(lines.map(\.utf8.count).max() ?? 0)")
        #expect(lines.contains { $0.hasPrefix("Subject: =?UTF-8?B?") })
        #expect(lines.filter { $0.hasPrefix("From: ") }.count == 1)
    }
}
