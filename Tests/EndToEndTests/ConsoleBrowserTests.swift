import Foundation
import Testing
import VigilCore

/// The console in a real browser: headless Chromium driven by Selenium
/// (`Tests/Browser/console_browser.py`) against `vigil serve`, with sponsor mail going to
/// the test SMTP server. Screenshots of every page are kept in `.build/test-artifacts/console`
/// (or `$VIGIL_ARTIFACTS/console`).
@Suite struct ConsoleBrowserTests {
    static let password = "a long console password"

    @Test func aTeamMemberApprovesOneReleaseAndRejectsAnotherInABrowser() async throws {
        let vigil = try VigilProcess()
        let info = try VigilProcess.serverInfo("VIGIL_TEST_SMTP")
        let smtpPort = try #require(info["plain"] as? Int)
        let mailDirectory = try #require(info["dir"] as? String)
        let port = ServeEndToEndTests().freePort()
        let tag = UUID().uuidString.prefix(8).lowercased()
        let sponsors = [
            "P1": "paris-\(tag)@example.org", "P2": "lyon-\(tag)@example.org", "P3": "nice-\(tag)@example.org",
        ]
        let recipients = sponsors.sorted { $0.key < $1.key }.map { key, address in
            #"{"id": "\#(key.lowercased())", "name": "Sponsor of \#(key)", "contacts": {"mail": "\#(address)"}, "sponsors": {"keys": ["\#(key)"]}}"#
        }
        try vigil.write(
            "config.json",
            """
            {"serve": {"listen": "127.0.0.1:\(port)", "deliveryInterval": "1s"},
             "sources": [{"id": "ministry", "type": "json", "path": "list.json", "key": "id", "name": "name",
                          "status": "status", "every": "1h"},
                         {"id": "court", "type": "json", "path": "court-missing.json", "key": "id", "name": "name",
                          "every": "1h"}],
             "outputs": [{"id": "mail", "type": "smtp", "url": "smtp://127.0.0.1:\(smtpPort)", "insecurePlaintext": true,
                          "from": "alerts@example.org"},
                         {"id": "team", "type": "stdout"}],
             "recipients": [\(recipients.joined(separator: ",\n"))],
             "rules": [
               {"id": "release", "when": "has(change.status) && change.status.to == 'released'", "notify": "sponsors",
                "via": "mail", "confirm": {"approval": true}},
               {"id": "team", "when": "event.kind == 'approval_requested'", "notify": "outputs", "via": "team"}]}
            """)
        func list(_ status: String) throws {
            try vigil.write(
                "list.json",
                #"[{"id": "P1", "name": "Ani Petrosyan", "status": "\#(status)"}, "#
                    + #"{"id": "P2", "name": "Davit Grigoryan", "status": "\#(status)"}, "#
                    + #"{"id": "P3", "name": "Hasmik Karapetyan", "status": "\#(status)"}]"#)
        }
        try list("detained")
        _ = try await vigil.run(["run", "--config", "config.json"])
        try list("released")
        let held = try await vigil.run(["run", "--config", "config.json"])
        #expect(held.stdout.components(separatedBy: "Held for approval:").count == 4, "\(held.stdout)")
        #expect(try StoredMail.messages(to: sponsors["P1"] ?? "", in: mailDirectory).isEmpty, "held: nothing mailed")
        let environment = ["CONSOLE_PASSWORD": Self.password]
        for (user, role) in [("olga", "operator"), ("victor", "viewer")] {
            let added = try await vigil.run(
                [
                    "users", "add", user, "--role", role, "--password", "${env:CONSOLE_PASSWORD}", "--config",
                    "config.json",
                ],
                environment: environment)
            #expect(added.status == 0, "\(added.stderr)")
        }
        let listed = try await vigil.run(["held", "--json", "--config", "config.json"])
        let items = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let kept = try #require(items.first { $0["name"] as? String == "Hasmik Karapetyan" }?["id"] as? String)

        let server = try vigil.start(["serve", "--config", "config.json"])
        defer { server.process.interrupt() }
        let base = "http://127.0.0.1:\(port)"
        try #require(await VigilProcess.waitForHealth(base), "vigil serve did not answer /healthz")
        let artifacts =
            (ProcessInfo.processInfo.environment["VIGIL_ARTIFACTS"]
                ?? FileManager.default.currentDirectoryPath + "/.build/test-artifacts") + "/console"
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Browser/console_browser.py").standardizedFileURL.path
        let browser = try await Self.python(
            [
                script, "--base", base, "--operator", "olga", "--viewer", "victor", "--password", Self.password,
                "--failing", "court", "--cyrillic", "Петросян", "--approve", "Ani Petrosyan",
                "--reject", "Davit Grigoryan", "--reason", "the family says he is still held",
                "--keep", "Hasmik Karapetyan", "--viewer-item", kept, "--screenshots", artifacts,
            ])
        #expect(browser.status == 0, "\(browser.stderr)\n\(browser.stdout)")

        // The approved release reaches its sponsor's mailbox; the rejected one never does.
        var approvedMail: [[String: Any]] = []
        for _ in 0..<100 {
            approvedMail = try StoredMail.messages(to: sponsors["P1"] ?? "", in: mailDirectory)
            if !approvedMail.isEmpty { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(approvedMail.count == 1)
        let headers = approvedMail.first?["headers"] as? [String: String]
        #expect(headers?["Subject"]?.contains("Ani Petrosyan") == true, "\(headers ?? [:])")
        #expect(try StoredMail.messages(to: sponsors["P2"] ?? "", in: mailDirectory).isEmpty, "rejected: not sent")
        #expect(try StoredMail.messages(to: sponsors["P3"] ?? "", in: mailDirectory).isEmpty, "still held")
        let decided = try await vigil.run(["held", "--decided", "--json", "--config", "config.json"])
        let decisions = try #require(
            try JSONSerialization.jsonObject(with: Data(decided.stdout.utf8)) as? [[String: Any]])
        #expect(
            Set(decisions.map { "\($0["verdict"] ?? "") \($0["by"] ?? "") \($0["reason"] ?? "")" })
                == ["approved olga ", "rejected olga the family says he is still held"], "\(decisions)")
        for page in ["01-login", "02-overview", "04-person", "05-held", "11-held-as-viewer", "12-held-on-a-phone"] {
            #expect(FileManager.default.fileExists(atPath: "\(artifacts)/\(page).png"), "screenshot \(page)")
        }
    }

    static func python(_ arguments: [String]) async throws -> VigilProcess.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return VigilProcess.Result(
            status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
            stderr: String(decoding: errors, as: UTF8.self))
    }
}
