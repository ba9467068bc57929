import Curl
import Foundation
import Testing

/// What a new operator does first: `vigil --version`, `vigil init`, `vigil test-output`,
/// `vigil state backup`, and the configuration's JSON Schema kept true to `vigil check`.
@Suite struct OperateEndToEndTests {
    @Test func versionNamesTheRelease() async throws {
        let vigil = try VigilProcess()
        let result = try await vigil.run(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("0.1.0 ("), "\(result.stdout)")
    }

    @Test func initWritesAStartThatChecksRunsAndHoldsAReleaseForASecondRun() async throws {
        let vigil = try VigilProcess()
        let created = try await vigil.run(["init", "start"])
        #expect(created.status == 0, "\(created.stderr)")
        let config = "start/config.json"
        let check = try await vigil.run(["check", "--config", config, "--strict"])
        #expect(check.status == 0, "\(check.stderr)")
        #expect(check.stdout.contains("ok: 1 source, 1 output, 3 rules, 1 recipient"), "\(check.stdout)")
        let templates = try FileManager.default.subpathsOfDirectory(atPath: vigil.directory + "/start/templates")
        #expect(templates.contains("default/en/changed.subject.mustache"))
        #expect(templates.contains("default/fr/changed.html.mustache"))
        #expect(
            try String(contentsOfFile: vigil.directory + "/start/NEXT-STEPS.txt", encoding: .utf8)
                .contains("vigil test-output"))

        #expect(try await vigil.run(["run", "--config", config]).status == 0)
        let list = vigil.directory + "/start/list.json"
        let before = try String(contentsOfFile: list, encoding: .utf8)
        try before.replacingOccurrences(
            of: #""id": "A-1", "name": "Sample Person One", "status": "detained""#,
            with: #""id": "A-1", "name": "Sample Person One", "status": "released""#
        ).write(toFile: list, atomically: true, encoding: .utf8)
        let first = try await vigil.run(["run", "--config", config])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Sample Person One"), "the team hears at once: \(first.stdout)")
        #expect(!first.stdout.contains("sponsor@example.org"), "the sponsor waits for a second run: \(first.stdout)")
        let second = try await vigil.run(["run", "--config", config])
        #expect(second.stdout.contains("sponsor@example.org"), "\(second.stdout)")

        let again = try await vigil.run(["init", "start"])
        #expect(again.status == 64)
        #expect(again.stderr.contains("never overwrites"))
        #expect(try String(contentsOfFile: list, encoding: .utf8).contains(#""status": "released""#))
    }

    @Test func initReadsAListAndFillsInTheMapping() async throws {
        let vigil = try VigilProcess()
        let feed = "e2e-init-\(UUID().uuidString.prefix(8))"
        let csv = """
            ID;ФИО;Статус;Дата рождения
            RU-1;Вардоянц Арам;Заключен под стражу;01.02.1990
            RU-2;Келоунян Давид;Освобожден;03.04.1985
            RU-3;Тамраеврян Левон;Голодовка;05.06.1979

            """
        try await vigil.putFeed(feed, Data(csv.utf8), contentType: "text/csv; charset=utf-8")
        let created = try await vigil.run(["init", "watch", "--source", "\(vigil.server)/feed/\(feed)"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.contains(#"key "ID", name "ФИО", status "Статус""#), "\(created.stdout)")
        let config = try String(contentsOfFile: vigil.directory + "/watch/config.json", encoding: .utf8)
        #expect(config.contains(#""delimiter": ";""#))
        #expect(config.contains(#""Заключен под стражу": "detained""#))
        #expect(config.contains(#""Освобожден": "released""#))
        #expect(
            config.contains(#"Not yet mapped (add them): \"Голодовка\""#), "an unknown word is named, not guessed")
        let test = try await vigil.run(["source", "test", "my-list", "--config", "watch/config.json", "--json"])
        #expect(test.status == 0, "\(test.stderr)")
        #expect(test.stdout.contains("RU-3"))

        // JSON: the records are found where they are nested, canonical words need no map.
        let nested =
            #"{"meta": {"updated": "2026-12-01"}, "data": {"items": ["#
            + #"{"uid": "X-1", "full_name": "Aram Vardoyantz", "state": "detained", "born": "1990-02-01"},"#
            + #"{"uid": "X-2", "full_name": "Davit Kelounian", "state": "released", "born": "1985-04-03"}]}}"#
        try await vigil.putFeed(feed + "-json", Data(nested.utf8))
        let json = try await vigil.run(["init", "json", "--source", "\(vigil.server)/feed/\(feed)-json"])
        #expect(json.status == 0, "\(json.stderr)")
        let jsonConfig = try String(contentsOfFile: vigil.directory + "/json/config.json", encoding: .utf8)
        #expect(jsonConfig.contains(#""records": "$.data.items[*]""#), "\(jsonConfig)")
        #expect(jsonConfig.contains(#""key": "uid""#) && jsonConfig.contains(#""name": "full_name""#))
        #expect(jsonConfig.contains(#""status": "state""#) && !jsonConfig.contains("statusMap"))
        #expect(jsonConfig.contains(#""born": "born""#))
        let jsonTest = try await vigil.run(["source", "test", "my-list", "--config", "json/config.json"])
        #expect(jsonTest.status == 0 && jsonTest.stdout.contains("Davit Kelounian"), "\(jsonTest.stdout)")

        let missing = try await vigil.run(["init", "other", "--source", "\(vigil.server)/feed/none-\(feed)"])
        #expect(missing.status == 64, "a missing list is an error: \(missing.stdout)")
        #expect(!FileManager.default.fileExists(atPath: vigil.directory + "/other/config.json"))
    }

    @Test func testOutputSendsOneMarkedMessageAndPrintsTheServersAnswer() async throws {
        let vigil = try VigilProcess()
        let smtp = try VigilProcess.serverInfo("VIGIL_TEST_SMTP")
        let port = try #require(smtp["plain"] as? Int)
        let mailDirectory = try #require(smtp["dir"] as? String)
        let webhook = try VigilProcess.serverInfo("VIGIL_TEST_WEBHOOK")
        let hookURL = try #require(webhook["url"] as? String)
        let secret = try #require(webhook["secret"] as? String)
        let hook = "e2e-test-output-\(UUID().uuidString.prefix(8))"
        let address = "test-output-\(UUID().uuidString.prefix(8).lowercased())@example.org"
        try vigil.write(
            "config.json",
            """
            {"sources": [{"id": "list", "type": "json", "path": "list.json", "key": "id", "name": "name"}],
             "outputs": [
               {"id": "mail", "type": "smtp", "url": "smtp://127.0.0.1:\(port)", "insecurePlaintext": true,
                "from": "alerts@vigil.example.org", "password": "${env:VIGIL_E2E_SMTP_PASSWORD}", "username": "vigil"},
               {"id": "partner", "type": "webhook", "url": "\(hookURL)/hook/\(hook)", "allowHTTP": true,
                "secret": "${env:VIGIL_E2E_WEBHOOK_SECRET}"}]}
            """)
        let environment = ["VIGIL_E2E_WEBHOOK_SECRET": secret, "VIGIL_E2E_SMTP_PASSWORD": "not-used-on-plain"]

        let noAddress = try await vigil.run(
            ["test-output", "mail", "--config", "config.json"], environment: environment)
        #expect(noAddress.status == 64, "an email output with no default recipient needs --to")

        let mail = try await vigil.run(
            ["test-output", "mail", "--to", address, "--config", "config.json"], environment: environment)
        #expect(mail.status == 0, "\(mail.stderr)")
        #expect(mail.stdout.contains("server answered: 250"), "\(mail.stdout)")
        #expect(!mail.stdout.contains("not-used-on-plain") && !mail.stderr.contains("not-used-on-plain"))
        let stored = try FileManager.default.contentsOfDirectory(atPath: mailDirectory).filter { $0.hasSuffix(".json") }
            .filter { name in
                (try? String(contentsOfFile: mailDirectory + "/" + name, encoding: .utf8))?.contains(address) == true
            }
        #expect(stored.count == 1)
        if let name = stored.first {
            let message = try String(
                contentsOfFile: mailDirectory + "/" + name.dropLast(5) + ".eml", encoding: .utf8)
            #expect(message.contains("Subject: [TEST] Vigil test message"))
        }

        let rejected = try await vigil.run(
            ["test-output", "mail", "--to", "reject-\(address)", "--config", "config.json"], environment: environment)
        #expect(rejected.status == 3)
        #expect(rejected.stderr.contains("550"), "\(rejected.stderr)")

        let partner = try await vigil.run(
            ["test-output", "partner", "--config", "config.json"], environment: environment)
        #expect(partner.status == 0, "\(partner.stderr)")
        #expect(partner.stdout.contains("server answered: HTTP 204"), "\(partner.stdout)")
        let received = try await VigilProcess.curl.perform(
            CurlRequest(url: "\(hookURL)/received/\(hook)", allowedProtocols: "http"))
        let requests = try #require(try JSONSerialization.jsonObject(with: Data(received.body)) as? [[String: Any]])
        #expect(requests.count == 1)
        #expect(requests.first?["verified"] as? Bool == true)
        let payload = try #require(requests.first?["body"] as? [String: Any])
        #expect(payload["type"] as? String == "vigil.notification")
        #expect((requests.first?["schema_errors"] as? [Any])?.isEmpty == true, "the published payload schema holds")

        let unknown = try await vigil.run(["test-output", "sms", "--config", "config.json"], environment: environment)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("configured: mail, partner"), "\(unknown.stderr)")
        #expect(!FileManager.default.fileExists(atPath: vigil.directory + "/state/vigil.sqlite"), "nothing stored")
    }

    @Test func testOutputReachesAMatrixUserAndNamesTheEvent() async throws {
        let vigil = try VigilProcess()
        let matrix = try VigilProcess.serverInfo("VIGIL_TEST_MATRIX")
        let url = try #require(matrix["url"] as? String)
        let password = try #require(matrix["password"] as? String)
        try vigil.write(
            "config.json",
            """
            {"sources": [{"id": "list", "type": "json", "path": "list.json", "key": "id", "name": "name"}],
             "outputs": [{"id": "room", "type": "matrix", "homeserver": "\(url)", "allowHTTP": true, "user": "bot",
                          "password": "${env:VIGIL_E2E_MATRIX_PASSWORD}", "to": "@reader:localhost"}]}
            """)
        let result = try await vigil.run(
            ["test-output", "room", "--config", "config.json"], environment: ["VIGIL_E2E_MATRIX_PASSWORD": password])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(", event $"), "\(result.stdout)")
        #expect(!result.stdout.contains(password))
    }

    @Test func stateBackupCopiesAConsistentPrivateFileAndNeverOverwrites() async throws {
        let vigil = try VigilProcess()
        #expect(try await vigil.run(["init", "start"]).status == 0)
        #expect(try await vigil.run(["run", "--config", "start/config.json"]).status == 0)
        let backup = try await vigil.run(["state", "backup", "--config", "start/config.json", "copy.sqlite"])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("integrity ok"))
        let path = vigil.directory + "/copy.sqlite"
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        #expect(!FileManager.default.fileExists(atPath: path + "-wal"), "one self-contained file")

        // The copy is a whole state: another directory opened on it shows the same records.
        try FileManager.default.createDirectory(
            atPath: vigil.directory + "/restored", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: path, toPath: vigil.directory + "/restored/vigil.sqlite")
        let status = try await vigil.run(["status", "--config", "start/config.json", "--state", "restored", "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("Sample Person Three"))

        let again = try await vigil.run(["state", "backup", "--config", "start/config.json", "copy.sqlite"])
        #expect(again.status == 1)
        #expect(again.stderr.contains("never overwrites"), "\(again.stderr)")
    }
}
