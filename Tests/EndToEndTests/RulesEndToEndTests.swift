import Foundation
import Testing

/// `vigil run` with rules: a sponsor's confirmed release, rendered in their language, through
/// the real SMTP server; messages read back with Python's email package.
@Suite struct RulesEndToEndTests {
    func messages(to recipient: String, in directory: String) throws -> [[String: Any]] {
        try StoredMail.messages(to: recipient, in: directory)
    }

    func body(_ message: [String: Any], _ type: String) -> String { StoredMail.body(message, type) }

    @Test func aSponsorHearsOfAConfirmedReleaseInTheirLanguage() async throws {
        let vigil = try VigilProcess()
        let info = try VigilProcess.serverInfo("VIGIL_TEST_SMTP")
        let port = try #require(info["plain"] as? Int)
        let directory = try #require(info["dir"] as? String)
        let feed = "e2e-rules-\(UUID().uuidString)"
        let tag = UUID().uuidString.prefix(8).lowercased()
        let lyon = "lyon-\(tag)@example.org"
        let ngo = "ngo-\(tag)@example.org"
        try vigil.write(
            "config.json",
            """
            {"sources": [{"id": "list", "type": "json", "url": "\(vigil.server)/feed/\(feed)", "records": "$.prisoners[*]",
              "key": "id", "name": "name", "status": "status", "fields": {"place": "place"}}],
             "outputs": [{"id": "mail", "type": "smtp", "url": "smtp://127.0.0.1:\(port)", "insecurePlaintext": true,
                          "from": "alerts@vigil.example.org"},
                         {"id": "console", "type": "stdout"}],
             "recipients": [
               {"id": "lyon", "name": "Ville de Lyon", "language": "fr", "contacts": {"mail": "\(lyon)"},
                "sponsors": {"keys": ["P1"]}},
               {"id": "ngo", "name": "NGO", "contacts": {"mail": "\(ngo)"}, "sponsors": {"keys": ["P2", "P3"]},
                "preferences": {"digest": "run"}}],
             "rules": [
               {"id": "releases", "when": "has(change.status) && change.status.to == 'released'", "notify": "sponsors",
                "via": "mail", "confirm": {"runs": 2}},
               {"id": "team", "when": "true", "notify": "outputs", "via": "console"}]}
            """)
        func feedDocument(_ statuses: [String]) -> Data {
            let names = [#"Anna \"A&B\" <Petrosyan>"#, "Boris", "Carine"]
            let items = statuses.enumerated().map { index, status in
                #"{"id": "P\#(index + 1)", "name": "\#(names[index])", "status": "\#(status)", "place": "Colony East"}"#
            }
            return Data(("{\"prisoners\": [" + items.joined(separator: ",") + "]}").utf8)
        }
        try await vigil.putFeed(feed, feedDocument(["detained", "detained", "detained"]))
        #expect(try await vigil.run(["run", "--config", "config.json"]).status == 0)

        try await vigil.putFeed(feed, feedDocument(["released", "released", "released"]))
        let held = try await vigil.run(["run", "--config", "config.json"])
        #expect(held.status == 0, "\(held.stderr)")
        #expect(held.stdout.contains("── Boris: detained → released"), "the team hears at once: \(held.stdout)")
        #expect(try messages(to: lyon, in: directory).isEmpty, "sponsors wait for a second run")
        let status = try await vigil.run(["status", "--config", "config.json", "--json"])
        let document = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let heldRows = (document?["held"] as? [[String: Any]] ?? []).filter {
            $0["rule"] as? String == "releases" && $0["source"] as? String == "list"
        }
        #expect(heldRows.count == 3, "\(status.stdout)")
        let preview = try await vigil.run(["preview", "--config", "config.json"])
        #expect(preview.stdout.contains("→ mail to \(lyon): Anna"), "\(preview.stdout)")

        let confirmed = try await vigil.run(["run", "--config", "config.json"])
        #expect(confirmed.status == 0, "\(confirmed.stderr)")
        let french = try messages(to: lyon, in: directory)
        #expect(french.count == 1)
        let headers = french.first?["headers"] as? [String: String] ?? [:]
        #expect(headers["Subject"] == #"Anna "A&B" <Petrosyan> : détenu(e) → libéré(e)"#, "\(headers)")
        let text = french.first.map { body($0, "text/plain") } ?? ""
        let html = french.first.map { body($0, "text/html") } ?? ""
        #expect(text.contains(#"Anna "A&B" <Petrosyan> (list) :"#) && text.contains("status : détenu(e) → libéré(e)"))
        #expect(html.contains("Anna &quot;A&amp;B&quot; &lt;Petrosyan&gt; (list) :"), "\(html)")
        #expect(!html.contains("<Petrosyan>"))

        // The NGO sponsors two released people: one digest for the run, in English.
        let digest = try messages(to: ngo, in: directory)
        #expect(digest.count == 1)
        let digestHeaders = digest.first?["headers"] as? [String: String] ?? [:]
        #expect(digestHeaders["Subject"] == "2 updates from Vigil")
        let digestText = digest.first.map { body($0, "text/plain") } ?? ""
        #expect(
            digestText.contains("* Boris: detained → released") && digestText.contains("* Carine: detained → released"))

        let quiet = try await vigil.run(["run", "--config", "config.json"])
        #expect(quiet.stdout.isEmpty)
        #expect(try messages(to: lyon, in: directory).count == 1, "confirmed once, sent once")
        #expect(try messages(to: ngo, in: directory).count == 1)
    }
}
