import Foundation
import Testing

/// The built `vigil` binary against the example snapshots served over real HTTP on loopback.
@Suite struct RunEndToEndTests {
    @Test func detectsTheReleaseSentenceAndTransferOverHTTP() async throws {
        let vigil = try VigilProcess()
        let feed = "e2e-\(UUID().uuidString)"
        try vigil.writeConfig(sources: [("example", "\(vigil.server)/feed/\(feed)")])
        try await vigil.putFeed(feed, try vigil.snapshot("detainees-before.json"))

        let baseline = try await vigil.run(["run", "--config", "config.json"])
        #expect(baseline.status == 0, "\(baseline.stderr)")
        #expect(baseline.stdout.isEmpty, "a baseline run sends nothing")
        #expect(baseline.stderr.isEmpty, "a healthy run prints nothing")

        let unchanged = try await vigil.run(["run", "--config", "config.json", "-v"])
        #expect(unchanged.status == 0)
        #expect(unchanged.stdout.isEmpty)
        #expect(unchanged.stderr.contains("example: not modified"))
        #expect(try await vigil.requests(feed).statuses == [200, 304])

        try await vigil.putFeed(feed, try vigil.snapshot("detainees-after.json"))
        let changed = try await vigil.run(["run", "--config", "config.json"])
        #expect(changed.status == 0, "\(changed.stderr)")
        let out = changed.stdout
        #expect(out.components(separatedBy: "status: detained → released").count - 1 == 32)
        #expect(out.components(separatedBy: "status: on_trial → sentenced").count - 1 == 1)
        #expect(out.contains("sentence: (none) → 20 years"))
        #expect(out.components(separatedBy: "status: detained → transferred").count - 1 == 1)
        #expect(out.components(separatedBy: "[example] changed:").count - 1 == 34)

        let status = try await vigil.run(["status", "--config", "config.json", "--json"])
        #expect(status.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        let records = try #require(object["records"] as? [[String: Any]])
        #expect(records.count == 55)
        let statuses = records.compactMap { ($0["record"] as? [String: Any])?["status"] as? String }
        #expect(statuses.filter { $0 == "released" }.count == 32)

        let history = try await vigil.run(["history", "--config", "config.json", "--json", "--limit", "100"])
        let events = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]])
        #expect(events.count == 34)
        #expect(events.allSatisfy { $0["kind"] as? String == "changed" })

        let again = try await vigil.run(["run", "--config", "config.json"])
        #expect(again.status == 0)
        #expect(again.stdout.isEmpty, "nothing changed, nothing is sent twice")
    }

    @Test func rulesDecideWhatIsSent() async throws {
        let vigil = try VigilProcess()
        let feed = "e2e-rules-\(UUID().uuidString)"
        try vigil.writeConfig(sources: [("example", "\(vigil.server)/feed/\(feed)")])
        let base = try String(contentsOfFile: vigil.directory + "/config.json", encoding: .utf8)
        try vigil.write(
            "config.json",
            String(base.dropLast(1))
                + #", "rules": [{"id": "releases", "when": "has(change.status) && change.status.to == 'released'", "notify": "outputs", "via": "console"}]}"#
        )
        #expect(
            try await vigil.run(["check", "--config", "config.json"]).stdout
                == "ok: 1 source, 1 output, 1 rule, 0 recipients\n")
        try await vigil.putFeed(feed, try vigil.snapshot("detainees-before.json"))
        #expect(try await vigil.run(["run", "--config", "config.json"]).status == 0)
        try await vigil.putFeed(feed, try vigil.snapshot("detainees-after.json"))
        let preview = try await vigil.run(["preview", "--config", "config.json"])
        #expect(preview.status == 0, "\(preview.stderr)")
        #expect(
            preview.stdout.hasPrefix("34 events, 32 notifications would be queued\n"), "\(preview.stdout.prefix(200))")
        #expect(preview.stdout.components(separatedBy: "→ console: ").count - 1 == 32)
        try vigil.write(
            "event.json",
            #"{"kind": "changed", "source": "example", "record": {"key": "VG-999", "name": "Test", "status": "released"}, "changes": [{"field": "status", "from": "detained", "to": "released"}]}"#
        )
        let single = try await vigil.run(["preview", "--config", "config.json", "--event", "event.json"])
        #expect(single.stdout.hasPrefix("1 event, 1 notification would be queued\n"), "\(single.stdout)")
        try vigil.write("event.json", #"{"kind": "transferred"}"#)
        let invalid = try await vigil.run(["preview", "--config", "config.json", "--event", "event.json"])
        #expect(invalid.status == 64)
        #expect(invalid.stderr.contains("\"kind\" must be one of"))

        let run = try await vigil.run(["run", "--config", "config.json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(
            run.stdout.components(separatedBy: "status: detained → released").count - 1 == 32, "preview changed nothing"
        )
        #expect(!run.stdout.contains("sentenced") && !run.stdout.contains("transferred"))
        let history = try await vigil.run(["history", "--config", "config.json", "--json", "--limit", "100"])
        #expect(
            history.stdout.components(separatedBy: "\"kind\":\"changed\"").count - 1 == 34,
            "every change is still recorded")
    }

    @Test func readsASemicolonCSVWithBOMOverHTTP() async throws {
        let vigil = try VigilProcess()
        let feed = "e2e-csv-\(UUID().uuidString)"
        try vigil.write(
            "config.json",
            """
            {"sources": [{"id": "memorial", "type": "csv", "url": "\(vigil.server)/feed/\(feed)", "delimiter": ";",
              "key": "ID", "name": "ФИО", "status": "Статус",
              "fields": {"born": {"from": "Дата рождения", "type": "date", "format": "dd.MM.yyyy"}, "place": "Место содержания", "sentence": "Приговор"},
              "statusMap": {"Заключен под стражу": "detained", "Идёт суд": "on_trial", "Осужден": "sentenced",
                            "Освобожден": "released", "Переведен": "transferred"}}],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """)
        try await vigil.putFeed(feed, try vigil.snapshot("detainees-before.csv"), contentType: "text/csv")
        let baseline = try await vigil.run(["run", "--config", "config.json", "-v"])
        #expect(baseline.status == 0, "\(baseline.stderr)")
        #expect(baseline.stderr.contains("memorial: baseline stored, 55 records"))
        #expect(!baseline.stderr.contains("unmapped"))

        try await vigil.putFeed(feed, try vigil.snapshot("detainees-after.csv"), contentType: "text/csv")
        let changed = try await vigil.run(["run", "--config", "config.json"])
        #expect(changed.status == 0, "\(changed.stderr)")
        // The Russian-language example list is one release behind the JSON one.
        #expect(changed.stdout.components(separatedBy: "status: detained → released").count - 1 == 31)
        #expect(changed.stdout.contains("sentence: (none) → 20 years"))
    }

    @Test(arguments: [
        ("/status/500", "server answered HTTP 500"),
        ("/status/404", "server answered HTTP 404"),
        ("/slow/5", "curl error 28"),
        ("/empty", "the document is empty"),
        ("/html", "text/html"),
        ("/html-as-json", "starting with '<'"),
    ])
    func unhealthyFetchesFailClosed(path: String, expected: String) async throws {
        let vigil = try VigilProcess()
        let feed = "e2e-\(UUID().uuidString)"
        try await vigil.putFeed(feed, try vigil.snapshot("detainees-before.json"))
        try vigil.writeConfig(sources: [("example", "\(vigil.server)/feed/\(feed)")])
        #expect(try await vigil.run(["run", "--config", "config.json"]).status == 0)
        let before = try await vigil.run(["status", "--config", "config.json", "--json"]).stdout

        try vigil.writeConfig(sources: [("example", "\(vigil.server)\(path)")])
        let first = try await vigil.run(["run", "--config", "config.json"])
        #expect(first.status == 2, "\(first.stderr)")
        #expect(first.stdout.contains("[example] source failing"))
        #expect(first.stdout.contains(expected), "\(first.stdout)")
        #expect(!first.stdout.contains("removed"), "no person events from a failing source")
        // The first run holds the lock for 15 s (a slow source): ample even while the whole
        // suite loads both cores (8 s once proved too short for the second run to start).
        let second = try await vigil.run(["run", "--config", "config.json"])
        #expect(second.status == 2)
        #expect(second.stdout.isEmpty, "a failure streak is reported once")
        #expect(second.stderr.isEmpty, "and cron is not mailed a warning every run: \(second.stderr)")

        let records = { (text: String) throws -> [[String: Any]] in
            let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
            return object?["records"] as? [[String: Any]] ?? []
        }
        let after = try await vigil.run(["status", "--config", "config.json", "--json"]).stdout
        #expect(try records(after).count == 55)
        let storedPart = { (text: String) throws -> Data in
            try JSONSerialization.data(withJSONObject: try records(text), options: [.sortedKeys])
        }
        #expect(try storedPart(after) == storedPart(before), "stored state is untouched")

        try vigil.writeConfig(sources: [("example", "\(vigil.server)/feed/\(feed)")])
        let recovered = try await vigil.run(["run", "--config", "config.json"])
        #expect(recovered.status == 0)
        #expect(recovered.stdout.contains("[example] source recovered: after 2 failed runs"))
    }

    @Test func aFailureStreakThatChangesCauseIsReportedOnceMore() async throws {
        let vigil = try VigilProcess()
        let feed = "e2e-\(UUID().uuidString)"
        try await vigil.putFeed(feed, try vigil.snapshot("detainees-before.json"))
        try vigil.writeConfig(sources: [("example", "\(vigil.server)/feed/\(feed)")])
        #expect(try await vigil.run(["run", "--config", "config.json"]).status == 0)

        try vigil.writeConfig(sources: [("example", "\(vigil.server)/status/500")])
        let down = try await vigil.run(["run", "--config", "config.json"])
        #expect(down.stdout.contains("[example] source failing"), "\(down.stdout)")
        #expect(try await vigil.run(["run", "--config", "config.json"]).stdout.isEmpty)

        try vigil.writeConfig(sources: [("example", "\(vigil.server)/html")])
        let changed = try await vigil.run(["run", "--config", "config.json"])
        #expect(changed.status == 2)
        #expect(
            changed.stdout.contains("still failing, for another reason (before: an HTTP error status)"),
            "\(changed.stdout)")
        #expect(changed.stdout.contains("text/html"))
        let again = try await vigil.run(["run", "--config", "config.json", "-v"])
        #expect(again.stdout.isEmpty, "the new cause is reported once too")
        #expect(again.stderr.contains("still fails closed"), "-v shows every failing run: \(again.stderr)")
    }

    @Test func everyCommandsHelpReadsCleanly() async throws {
        let vigil = try VigilProcess()
        for command in ["run", "check", "status", "history", "outbox", "serve", "preview"] {
            let help = try await vigil.run([command, "--help"])
            #expect(help.status == 0)
            #expect(!help.stdout.contains("\\"), "\(command) --help shows a stray backslash: \(help.stdout)")
        }
    }

    @Test func secretsReachTheServerButNeverTheOutputOrState() async throws {
        let vigil = try VigilProcess()
        let feed = "e2e-\(UUID().uuidString)"
        try await vigil.putFeed(feed, try vigil.snapshot("detainees-before.json"))
        try vigil.writeConfig(
            sources: [("example", "\(vigil.server)/feed/\(feed)")],
            extra: #", "headers": {"X-Api-Key": "${env:VIGIL_E2E_KEY}"}, "auth": {"bearer": "${file:token.txt}"}"#)
        try vigil.write("token.txt", "t0ken-from-file\n")
        let secret = "k3y-\(UUID().uuidString)"
        let missing = try await vigil.run(["run", "--config", "config.json"])
        #expect(missing.status == 2)
        #expect(missing.stdout.contains("environment variable VIGIL_E2E_KEY is not set"))

        let result = try await vigil.run(
            ["run", "--config", "config.json", "-vv"], environment: ["VIGIL_E2E_KEY": secret])
        #expect(result.status == 0, "\(result.stderr)")
        let headers = try await vigil.requests(feed).headers
        #expect(headers["X-Api-Key"] == secret)
        #expect(headers["Authorization"] == "Bearer t0ken-from-file")
        #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        #expect(!result.stderr.contains("t0ken-from-file"))
        let state = try Data(contentsOf: URL(fileURLWithPath: vigil.directory + "/state/vigil.sqlite"))
        #expect(state.range(of: Data(secret.utf8)) == nil)
        #expect(state.range(of: Data("t0ken-from-file".utf8)) == nil)
        let check = try await vigil.run(["check", "--config", "config.json"], environment: ["VIGIL_E2E_KEY": secret])
        #expect(check.status == 0)
        #expect(check.stdout == "ok: 1 source, 1 output, 0 rules, 0 recipients\n")
    }

    @Test func overlappingRunsStepAside() async throws {
        let vigil = try VigilProcess()
        try vigil.write(
            "config.json",
            """
            {"sources": [{"id": "slow", "type": "json", "url": "\(vigil.server)/slow/15", "records": "$.prisoners[*]",
              "key": "id", "name": "name", "timeout": "30s"}],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """)
        let first = try vigil.start(["run", "--config", "config.json"])
        // Wait until the first run holds the lock: it writes its pid into the lock file.
        let lockFile = vigil.directory + "/state/vigil.lock"
        let pid = "\(first.process.processIdentifier)"
        let deadline = ContinuousClock.now + .seconds(20)
        while (try? String(contentsOfFile: lockFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
            != pid,
            ContinuousClock.now < deadline
        {
            try await Task.sleep(for: .milliseconds(20))
        }
        // The first run holds the lock for 8 s (a slow source): ample even on a loaded machine.
        let second = try await vigil.run(["run", "--config", "config.json"])
        let firstResult = try await first.finish()
        #expect(second.status == 75)
        #expect(second.stderr.contains("holds the lock; not running"))
        #expect(second.stdout.isEmpty)
        #expect(firstResult.status != 75)
        #expect(firstResult.stdout.contains("[slow] source failing"), "only the first run did the work")
    }

    @Test func configurationErrorsAreAllReportedWithLocations() async throws {
        let vigil = try VigilProcess()
        try vigil.write(
            "bad.json",
            """
            {
              "sources": [
                {"id": "a", "type": "json", "url": "https://x/", "key": "id", "name": "n", "timeout": "later"},
                {"id": "a", "type": "csv", "path": "x.csv", "key": "id", "name": "n", "delimiter": ";;"}
              ],
              "outputs": [{"id": "console", "type": "stdout", "colour": "red"}]
            }
            """)
        let result = try await vigil.run(["check", "--config", "bad.json"])
        #expect(result.status == 78)
        #expect(
            result.stderr.contains("bad.json:3:") && result.stderr.contains("$.sources[0].timeout: expected a duration")
        )
        #expect(result.stderr.contains("$.sources[1].id: duplicate source id \"a\""))
        #expect(result.stderr.contains("$.sources[1].delimiter"))
        #expect(result.stderr.contains("bad.json:6:") && result.stderr.contains("$.outputs[0].colour: unknown key"))
        #expect(result.stderr.contains("4 problems in bad.json"))
        let run = try await vigil.run(["run", "--config", "bad.json"])
        #expect(run.status == 78)
        #expect(
            !FileManager.default.fileExists(atPath: vigil.directory + "/state"), "an invalid config touches no state")
    }
}
