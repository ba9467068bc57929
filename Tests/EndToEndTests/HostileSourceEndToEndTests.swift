import Curl
import Foundation
import Testing
import VigilCEL
import VigilCore

/// Sources that lie by construction: the built `vigil` must fail them closed, never report a
/// person's status from an ambiguous or mangled document (issue "Trust under hostile input").
@Suite struct HostileSourceEndToEndTests {
    /// A config with one local JSON file source and a stdout output.
    func configure(
        _ vigil: VigilProcess, outputs: String = #"[{"id": "console", "type": "stdout"}]"#, extra: String = ""
    ) throws {
        try vigil.write(
            "config.json",
            """
            {"state": "state",
             "sources": [{"id": "list", "type": "json", "path": "list.json", "records": "$[*]",
                          "key": "id", "name": "name", "status": "status", "fields": {"visit": "visit"}}],
             "outputs": \(outputs)\(extra)}
            """)
    }

    @Test func aRecordWithADuplicatedMemberFailsTheSourceClosed() async throws {
        let vigil = try VigilProcess()
        try configure(vigil)
        try vigil.write("list.json", #"[{"id": "A-1", "name": "Aram", "status": "detained"}]"#)
        let baseline = try await vigil.run(["run", "--config", "config.json"])
        #expect(baseline.status == 0, "\(baseline.stderr)")

        // Python's json, JSON.parse and jq read this as "detained"; a first-wins reader as "released".
        try vigil.write(
            "list.json", #"[{"id": "A-1", "status": "released", "name": "Aram", "status": "detained"}]"#)
        let hostile = try await vigil.run(["run", "--config", "config.json"])
        #expect(hostile.status == 2, "the source fails closed: \(hostile.stderr)")
        #expect(!hostile.stdout.contains("released"), "no person event from an ambiguous record")
        #expect(hostile.stdout.contains("record 1"), "the alert names the record: \(hostile.stdout)")
        #expect(hostile.stdout.contains(#""status" appears twice"#), "and the member: \(hostile.stdout)")

        let status = try await vigil.run(["status", "--config", "config.json", "--json"])
        #expect(status.stdout.contains(#""detained""#) && !status.stdout.contains(#""released""#))
    }

    @Test func aNULInAKeyOrAValueFailsTheSourceClosedAndKeepsTheStoredState() async throws {
        let vigil = try VigilProcess()
        try configure(vigil)
        try vigil.write("list.json", #"[{"id": "A-1", "name": "Aram", "status": "detained"}]"#)
        #expect(try await vigil.run(["run", "--config", "config.json"]).status == 0)

        for document in [
            #"[{"id": "A-1", "name": "Aram", "status": "detained"}, {"id": "B\u0000-2", "name": "Ani", "status": "detained"}]"#,
            #"[{"id": "A-1", "name": "Aram\u0000 Vardan", "status": "released"}]"#,
        ] {
            try vigil.write("list.json", document)
            for _ in 0..<2 {
                let run = try await vigil.run(["run", "--config", "config.json"])
                #expect(run.status == 2, "fails closed: \(run.stdout) \(run.stderr)")
                #expect(run.stdout.contains("NUL") || run.stdout.isEmpty, "\(run.stdout)")
                #expect(!run.stdout.contains("released") && !run.stdout.contains("listed"), "\(run.stdout)")
            }
        }
        let history = try await vigil.run(["history", "--config", "config.json", "--json"])
        let events = try #require(
            try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(events.map { $0["kind"] as? String } == ["failing"], "one alert per streak, no person event: \(events)")
    }

    @Test func anOverdueEventIsRoutedByItsDeadlineID() async throws {
        let vigil = try VigilProcess()
        try configure(
            vigil,
            extra: """
                , "deadlines": [{"id": "icrc-visit", "field": "visit", "overdue": "35d"}],
                "recipients": [{"id": "desk", "name": "Desk", "contacts": {"console": "desk@example.org"},
                                "sponsors": {"keys": ["A-1"]}}],
                "rules": [{"id": "visits", "when": "event.kind == 'overdue' && event.deadline == 'icrc-visit'",
                           "notify": "sponsors", "via": "console"},
                          {"id": "other", "when": "event.kind == 'overdue' && event.deadline == 'hearing'",
                           "notify": "outputs", "via": "console"}]
                """)
        let recent = Timestamp.iso8601(Date()).prefix(10)
        try vigil.write("list.json", #"[{"id": "A-1", "name": "Aram", "status": "detained", "visit": "\#(recent)"}]"#)
        let baseline = try await vigil.run(["run", "--config", "config.json"])
        #expect(baseline.status == 0, "\(baseline.stderr)")
        #expect(baseline.stdout.isEmpty)

        // The stored visit date moves back 60 days: the watch re-arms and is overdue at once.
        let old = Timestamp.iso8601(Date().addingTimeInterval(-60 * 86_400)).prefix(10)
        try vigil.write("list.json", #"[{"id": "A-1", "name": "Aram", "status": "detained", "visit": "\#(old)"}]"#)
        let run = try await vigil.run(["run", "--config", "config.json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("desk@example.org"), "the sponsor is told: \(run.stdout)")
        #expect(run.stdout.contains("overdue"), "\(run.stdout)")
        #expect(run.stdout.components(separatedBy: "overdue").count >= 2)

        try vigil.write(
            "event.json",
            #"{"kind": "overdue", "deadline": "icrc-visit", "source": "list", "record": {"key": "A-1", "name": "Aram", "status": "detained"}}"#
        )
        let preview = try await vigil.run(["preview", "--config", "config.json", "--event", "event.json"])
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(preview.stdout.contains("desk@example.org"), "\(preview.stdout)")
        #expect(preview.stdout.contains("1 notification"), "only the icrc-visit rule matches: \(preview.stdout)")
    }

    @Test func secretHeadersDoNotFollowARedirectToAnotherHost() async throws {
        let vigil = try VigilProcess()
        let port = try #require(URLComponents(string: vigil.server)?.port)
        let feed = "e2e-redirect-\(UUID().uuidString)"
        let sameFeed = feed + "-same"
        let body = Data(#"{"prisoners": [{"id": 1, "name": "Ani", "status": "détenu"}]}"#.utf8)
        try await vigil.putFeed(feed, body)
        try await vigil.putFeed(sameFeed, body)
        let elsewhere = "http://localhost:\(port)/feed/\(feed)"
        let sameHost = "http://127.0.0.1:\(port)/feed/\(sameFeed)"
        func redirect(_ target: String) -> String {
            "\(vigil.server)/redirect?to=" + (target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        }
        try vigil.writeConfig(
            sources: [("away", redirect(elsewhere)), ("home", redirect(sameHost))],
            extra: #", "headers": {"X-Api-Key": "k-secret-123"}, "auth": {"bearer": "t-secret-456"}"#)
        let run = try await vigil.run(["run", "--config", "config.json"])
        #expect(run.status == 0, "both sources are read through their redirects: \(run.stderr)")

        let away = try await vigil.requests(feed).headers
        #expect(!away.isEmpty, "the other host was reached")
        #expect(
            away.keys.allSatisfy { $0.lowercased() != "x-api-key" && $0.lowercased() != "authorization" }, "\(away)")
        #expect(!away.values.contains { $0.contains("secret") })
        let home = try await vigil.requests(sameFeed).headers
        #expect(home.first { $0.key.lowercased() == "x-api-key" }?.value == "k-secret-123", "\(home)")
        #expect(home.first { $0.key.lowercased() == "authorization" }?.value == "Bearer t-secret-456")
    }

    @Test func hostileNamesReachAPartnerAsStoredAndTheTerminalEscaped() async throws {
        let vigil = try VigilProcess()
        let info = try VigilProcess.serverInfo("VIGIL_TEST_WEBHOOK")
        let url = try #require(info["url"] as? String)
        let secret = try #require(info["secret"] as? String)
        let hook = "e2e-names-\(UUID().uuidString.prefix(8))"
        try configure(
            vigil,
            outputs: """
                [{"id": "console", "type": "stdout"},
                 {"id": "partner", "type": "webhook", "url": "\(url)/hook/\(hook)", "allowHTTP": true, "secret": "\(secret)"}]
                """)
        let names = [
            #"Ani\r\nVardan"#, #"A\u2028B\u2029C"#, #"\u001b[2J\u001b]0;pwned\u0007title"#, #"quote \" back \\"#,
            #"\u202eexe.txt"#, #"\u009b31mC1"#, #"😀\u200d👩"#,
        ]
        let document = { (status: String) in
            "["
                + names.enumerated().map {
                    #"{"id": "P\#($0.offset)", "name": "\#($0.element)", "status": "\#(status)"}"#
                }
                .joined(separator: ",") + "]"
        }
        try vigil.write("list.json", document("detained"))
        #expect(try await vigil.run(["run", "--config", "config.json"]).status == 0)
        try vigil.write("list.json", document("released"))
        let run = try await vigil.run(["run", "--config", "config.json"])
        #expect(run.status == 0, "\(run.stderr)")
        // The terminal sees controls escaped, never raw.
        for (label, output) in [("run", run.stdout)] {
            #expect(
                !output.unicodeScalars.contains {
                    $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\u{202E}" || $0 == "\u{07}"
                }, "\(label)")
        }
        #expect(run.stdout.contains(#"\u{1B}[2J"#), "\(run.stdout)")
        for command in [["status", "--config", "config.json"], ["history", "--config", "config.json"]] {
            let out = try await vigil.run(command).stdout
            #expect(
                !out.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\u{202E}" }, "\(command[0])")
        }

        let status = try await vigil.run(["status", "--config", "config.json", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let stored = Dictionary(
            uniqueKeysWithValues: (object["records"] as? [[String: Any]] ?? []).compactMap {
                entry -> (String, String)? in
                guard let record = entry["record"] as? [String: Any], let key = record["key"] as? String,
                    let name = record["name"] as? String
                else { return nil }
                return (key, name)
            })
        #expect(stored.count == names.count)
        let response = try await VigilProcess.curl.perform(
            CurlRequest(url: "\(url)/received/\(hook)", allowedProtocols: "http"))
        let received = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]])
        #expect(received.count == names.count)
        for entry in received {
            #expect(entry["json_valid"] as? Bool == true)
            #expect((entry["schema_errors"] as? [String]) == [], "\(entry["schema_errors"] ?? "")")
            let record = try #require(
                ((entry["body"] as? [String: Any])?["data"] as? [String: Any])?["record"] as? [String: Any])
            let key = try #require(record["key"] as? String)
            #expect(record["name"] as? String == stored[key], "the partner gets the stored value exactly")
        }
    }
}
