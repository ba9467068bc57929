import Curl
import Foundation
import Logging
import Testing
import VigilCore

@testable import VigilSMTP

/// The aiosmtpd server that `scripts/test.sh` starts, and helpers to read what it stored.
struct SMTPServer: Sendable {
    let starttls: Int
    let plain: Int
    let silent: Int
    let directory: String
    let ca: String
    let user: String
    let password: String

    init() throws {
        let path = try #require(
            ProcessInfo.processInfo.environment["VIGIL_TEST_SMTP"],
            "VIGIL_TEST_SMTP is not set: run the tests with scripts/test.sh, which starts the test servers")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        starttls = try #require(object["starttls"] as? Int)
        plain = try #require(object["plain"] as? Int)
        silent = try #require(object["silent"] as? Int)
        directory = try #require(object["dir"] as? String)
        ca = try #require(object["ca"] as? String)
        user = try #require(object["user"] as? String)
        password = try #require(object["password"] as? String)
    }

    /// Settings for an output on the STARTTLS port, authenticated.
    func settings(port: Int? = nil, plaintext: Bool = false, password: String? = nil) -> SMTPOutput.Settings {
        SMTPOutput.Settings(
            url: "smtp://localhost:\(port ?? starttls)", plaintext: plaintext,
            from: MailAddress("alerts@vigil.example.org")!, fromName: "Vigil — Գործ",
            replyTo: MailAddress("team@example.org"),
            to: [], username: try? SecretString(user), password: try? SecretString(password ?? self.password),
            unsubscribeMailto: MailAddress("unsubscribe@example.org"),
            unsubscribeURL: "https://example.org/u?list=vigil",
            headers: [("X-Vigil-Test", "yes")], timeout: .seconds(5), connectTimeout: .seconds(2), verifyTLS: true,
            caFile: ca, concurrency: 2)
    }

    func plainSettings() -> SMTPOutput.Settings {
        var settings = settings(port: plain, plaintext: true)
        settings.username = nil
        settings.password = nil
        return settings
    }

    /// Parsed messages stored for `recipient`, oldest first.
    func messages(to recipient: String) async throws -> [[String: Any]] {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasSuffix(".json") && $0 != "connections.json" }
            .compactMap { name -> (Int, String)? in
                let path = directory + "/" + name
                guard let data = FileManager.default.contents(atPath: path),
                    let envelope = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                    (envelope["rcpt_tos"] as? [String])?.contains(recipient) == true,
                    let number = Int(name.dropLast(5))
                else { return nil }
                return (number, directory + "/\(number).eml")
            }
            .sorted { $0.0 < $1.0 }
        guard !files.isEmpty else { return [] }
        let output = try await run(["python3", Self.parser] + files.map(\.1))
        return try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]])
    }

    static let parser = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../Servers/parse_mail.py").standardizedFileURL.path

    private func run(_ arguments: [String]) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("parse-\(UUID()).json")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: output)
        let exited = AsyncStream<Void>.makeStream()
        process.terminationHandler = { _ in exited.continuation.finish() }
        try process.run()
        for await _ in exited.stream {}
        defer { try? FileManager.default.removeItem(at: output) }
        return try String(contentsOf: output, encoding: .utf8)
    }
}

/// A notification as the delivery engine would hand it over.
func notification(
    to recipient: String?, subject: String = "Test", text: String = "Hello", html: String? = nil,
    key: String = "evt-\(UUID().uuidString.lowercased()).mail"
) -> RenderedNotification {
    RenderedNotification(
        id: 1, idempotencyKey: key, eventID: "evt", outputID: "mail", recipient: recipient, subject: subject,
        text: text,
        html: html)
}

func deliveryContext(_ curl: CurlEngine) -> DeliveryContext {
    DeliveryContext(
        curl: curl, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }), configDirectory: "/")
}

func unique(_ prefix: String) -> String { "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())@example.org" }
