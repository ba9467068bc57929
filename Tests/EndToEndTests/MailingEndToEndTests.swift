import Curl
import Foundation
import Testing
import VigilCore

/// Subscribed mail end to end: per-recipient one-click unsubscribe links (RFC 8058) in
/// messages read back with Python's email package, `vigil serve` answering them over real
/// HTTP, and the runs after an unsubscribe.
@Suite struct MailingEndToEndTests {
    static let secret = "mailing-secret-for-tests-0123456789"

    @Test func aSponsorUnsubscribesWithOneClick() async throws {
        let vigil = try VigilProcess()
        let info = try VigilProcess.serverInfo("VIGIL_TEST_SMTP")
        let smtpPort = try #require(info["plain"] as? Int)
        let mailDirectory = try #require(info["dir"] as? String)
        let port = ServeEndToEndTests().freePort()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let paris = "paris-\(tag)@example.org"
        let lyon = "lyon-\(tag)@example.org"
        let nice = "nice-\(tag)@example.org"
        let environment = ["VIGIL_TEST_MAILING_SECRET": Self.secret]
        // The public address is https (a TLS proxy in front); the test talks to serve directly.
        try vigil.write(
            "config.json",
            """
            {"serve": {"listen": "127.0.0.1:\(port)", "deliveryInterval": "1s"},
             "mailing": {"baseURL": "https://alerts.example.org", "secret": "${env:VIGIL_TEST_MAILING_SECRET}"},
             "sources": [{"id": "list", "type": "json", "path": "list.json", "key": "id", "name": "name",
                          "status": "status", "every": "1h"}],
             "outputs": [{"id": "mail", "type": "smtp", "url": "smtp://127.0.0.1:\(smtpPort)", "insecurePlaintext": true,
                          "from": "alerts@example.org", "listId": "sponsors.alerts.example.org",
                          "feedbackId": "alerts:vigil:example"},
                         {"id": "team", "type": "stdout"}],
             "recipients": [
               {"id": "paris", "name": "Ville de Paris", "language": "fr", "contacts": {"mail": "\(paris)"},
                "sponsors": {"keys": ["P1"]}},
               {"file": "sponsors.csv", "columns": {"id": "ID", "name": "Name", "keys": "Sponsored"},
                "contacts": {"mail": "Email"}}],
             "rules": [
               {"id": "sponsors", "when": "has(change.status)", "notify": "sponsors", "via": "mail"},
               {"id": "organiser", "when": "event.kind == 'unsubscribed'", "notify": "outputs", "via": "team"}]}
            """)
        // The organiser's spreadsheet, read again on every run.
        try vigil.write("sponsors.csv", "ID;Name;Email;Sponsored\nlyon;Lyon;\(lyon);P1, P2\n")
        func list(_ first: String, _ second: String) throws {
            try vigil.write(
                "list.json",
                #"[{"id": "P1", "name": "Ruben Vardanyan", "status": "\#(first)"}, "#
                    + #"{"id": "P2", "name": "Anna Petrova", "status": "\#(second)"}]"#)
        }
        func run() async throws {
            let result = try await vigil.run(["run", "--config", "config.json"], environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
        }
        try list("detained", "detained")
        try await run()
        try list("released", "released")
        try await run()

        let parisMail = try StoredMail.messages(to: paris, in: mailDirectory)
        let lyonMail = try StoredMail.messages(to: lyon, in: mailDirectory)
        try #require(parisMail.count == 1 && lyonMail.count == 2, "\(parisMail.count) and \(lyonMail.count) messages")
        var tokens: [String] = []
        for message in parisMail + lyonMail {
            let raw = try #require(message["raw_headers"] as? [String: String])
            let header = try #require(raw["List-Unsubscribe"])
            #expect(!header.contains("\n"), "List-Unsubscribe is folded: \(header)")
            #expect(("List-Unsubscribe: " + header).count <= 78)
            let match = try #require(
                header.wholeMatch(of: /<https:\/\/alerts\.example\.org\/u\/([A-Za-z0-9_-]{27})>/), "\(header)")
            tokens.append(String(match.1))
            #expect(raw["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click")
            #expect(raw["Auto-Submitted"] == "auto-generated")
            #expect(raw["List-Id"] == "<sponsors.alerts.example.org>")
            #expect(raw["Feedback-ID"] == "alerts:vigil:example")
            #expect((message["defects"] as? [String])?.isEmpty == true)
        }
        // One link per recipient and list, naming neither: nothing of the address in the token.
        #expect(Set(tokens).count == 3, "\(tokens)")
        for token in tokens {
            let decoded = Data(
                base64Encoded: token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
                    + "=")
            #expect(decoded?.count == 20)
            for secret in ["paris", "lyon", tag, "example"] {
                #expect(!token.lowercased().contains(secret))
                #expect(decoded.map { !String(decoding: $0, as: UTF8.self).lowercased().contains(secret) } ?? false)
            }
        }
        let parisToken = tokens[0]
        let lyonAbout: [String: String] = Dictionary(
            uniqueKeysWithValues: zip(lyonMail, tokens[1...]).map { message, token in
                ((message["headers"] as? [String: String])?["Subject"] ?? "", token)
            })
        let lyonP2Token = try #require(lyonAbout.first { $0.key.hasPrefix("Anna Petrova") }?.value)

        let server = try vigil.start(["serve", "--config", "config.json"], environment: environment)
        let base = "http://127.0.0.1:\(port)"
        try #require(await VigilProcess.waitForHealth(base), "vigil serve did not answer /healthz")
        func request(_ token: String, post body: String? = nil) async throws -> (status: Int, body: String) {
            let response = try await VigilProcess.curl.perform(
                CurlRequest(
                    url: "\(base)/u/\(token)", method: body == nil ? .get : .post,
                    headers: body == nil ? [] : [("Content-Type", "application/x-www-form-urlencoded")],
                    body: body.map { Array($0.utf8) } ?? [], allowedProtocols: "http"))
            return (response.status, String(decoding: response.body, as: UTF8.self))
        }
        func suppressions() async throws -> [String: [String]] {
            let out = try await vigil.run(["recipients", "--config", "config.json", "--json"]).stdout
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
            var result: [String: [String]] = [:]
            for row in rows {
                let lists = (row["suppressions"] as? [[String: Any]] ?? []).compactMap { $0["list"] as? String }
                result[row["id"] as? String ?? ""] = lists
            }
            return result
        }

        // A GET explains and changes nothing (link scanners follow links).
        let page = try await request(parisToken)
        #expect(page.status == 200)
        #expect(page.body.contains("nouvelles de Ruben Vardanyan"), "\(page.body)")
        #expect(page.body.contains("<form method=\"post\">"))
        #expect(try await suppressions()["paris"] == [])

        // Forged, malformed, expired and unknown links are refused and change nothing.
        let flipped = String(parisToken.dropLast()) + (parisToken.last == "A" ? "B" : "A")
        let links = MailingLinks(
            baseURL: "https://alerts.example.org", key: Array(Self.secret.utf8), lifetime: .seconds(365 * 86_400))
        let expired = links.token(subscription: 1, at: Date(timeIntervalSinceNow: -400 * 86_400))
        let unknown = links.token(subscription: 999_999, at: Date())
        let otherSecret = MailingLinks(
            baseURL: "https://alerts.example.org", key: Array("another-secret-entirely-0000".utf8),
            lifetime: .seconds(86_400 * 365)
        ).token(subscription: 1, at: Date())
        for (token, status) in [
            (flipped, 400), ("not-a-token", 400), (expired, 410), (unknown, 404), (otherSecret, 400),
        ] {
            let answer = try await request(token, post: "List-Unsubscribe=One-Click")
            #expect(answer.status == status, "\(token): \(answer.body)")
            #expect(answer.body.contains("Nothing was changed"))
        }
        #expect(try await suppressions() == ["paris": [], "lyon": []])

        // The one-click POST unsubscribes; repeating it is harmless.
        let first = try await request(parisToken, post: "List-Unsubscribe=One-Click")
        #expect(first.status == 200)
        #expect(first.body.contains("désabonné"), "\(first.body)")
        let again = try await request(parisToken, post: "List-Unsubscribe=One-Click")
        #expect(again.status == 200)
        let afterParis = try await suppressions()
        #expect(afterParis["paris"]?.count == 1)
        #expect(afterParis["paris"]?.first?.hasPrefix("sponsor:") == true)
        #expect(afterParis["lyon"] == [])
        // Lyon's link about Anna stops every list when the page's second button is used.
        #expect(try await request(lyonP2Token, post: "scope=all").status == 200)
        #expect(try await suppressions()["lyon"] == ["*"])

        // A preview with the state leaves out what was stopped, as a run would.
        try vigil.write(
            "event.json",
            #"{"kind": "changed", "source": "list", "record": {"key": "P1", "name": "Ruben Vardanyan", "status": "detained"}, "#
                + #""changes": [{"field": "status", "from": "released", "to": "detained"}]}"#)
        let preview = try await vigil.run(
            ["preview", "--config", "config.json", "--event", "event.json"], environment: environment)
        #expect(preview.stdout.hasPrefix("1 event, 0 notifications would be queued"), "\(preview.stdout)")

        server.process.interrupt()
        let served = try await server.finish()
        // The organiser hears once per unsubscribe, however many posts.
        let notices = served.stdout.components(separatedBy: "A recipient unsubscribed").count - 1
        #expect(notices == 2, "\(served.stdout)")
        #expect(served.stdout.contains("Ville de Paris (paris) unsubscribed from news about Ruben Vardanyan"))
        #expect(served.stdout.contains("Lyon (lyon) unsubscribed from every list"))

        // The next change is not mailed to either; after `resubscribe`, Paris hears again.
        try list("detained", "detained")
        try await run()
        #expect(try StoredMail.messages(to: paris, in: mailDirectory).count == 1)
        #expect(try StoredMail.messages(to: lyon, in: mailDirectory).count == 2)
        let lifted = try await vigil.run(["recipients", "resubscribe", "--config", "config.json", "paris"])
        #expect(lifted.status == 0, "\(lifted.stderr)")
        let none = try await vigil.run(["recipients", "resubscribe", "--config", "config.json", "paris"])
        #expect(none.status == 64)
        // A sponsor added to the spreadsheet between runs hears at the next one.
        try vigil.write("sponsors.csv", "ID;Name;Email;Sponsored\nlyon;Lyon;\(lyon);P1, P2\nnice;Nice;\(nice);P1\n")
        try list("released", "detained")
        try await run()
        #expect(try StoredMail.messages(to: paris, in: mailDirectory).count == 2)
        #expect(try StoredMail.messages(to: lyon, in: mailDirectory).count == 2)
        #expect(try StoredMail.messages(to: nice, in: mailDirectory).count == 1)
    }
}
