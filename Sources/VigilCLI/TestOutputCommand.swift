import ArgumentParser
import Curl
import Foundation
import VigilCEL
import VigilCore

/// `vigil test-output`: one clearly marked test message through one output, now.
struct TestOutputCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-output",
        abstract: "Send one test message through one output now, and print what its server answered.",
        discussion: """
            Bypasses rules, templates and the outbox: nothing is stored (not even a Matrix \
            session: a password login makes a new device), and no lock is taken, so it is safe \
            beside `vigil serve`. The message says it is a test and names no person. \
            Exits 0 when the server accepted it, 3 when it did not.

            Examples:
              vigil test-output sponsors-mail --to me@example.org --config /etc/vigil/config.json
              vigil test-output team-room --config config.json
              vigil test-output partner-hook --config config.json
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "The output's id in the configuration.")
    var output: String

    @Option(help: "Where to: an email address, a Matrix room or user, a webhook URL (default: the output's own).")
    var to: String?

    func run() async throws {
        let logger = Console.bootstrapLogging(verbosity: 0)
        let configuration = try common.loadConfiguration()
        guard let target = configuration.outputs.first(where: { $0.id == output }) else {
            let known = configuration.outputs.map(\.id).joined(separator: ", ")
            throw ValidationError("no output \"\(output)\" in \(common.config); configured: \(known)")
        }
        let recipient = to ?? target.defaultRecipients.first
        if recipient == nil, target.capabilities.requiresRecipient {
            throw ValidationError("output \"\(output)\" has no default recipient; say where with --to")
        }
        let notification = Self.testNotification(output: target, recipient: recipient, at: Date())
        let result = await CurlEngine.withEngine { curl in
            let context = DeliveryContext(
                curl: curl, logger: logger, configDirectory: configuration.directory,
                stateDirectory: nil,
                deadline: .now + min(configuration.deliveryTimeout, .seconds(120)))
            return await target.sendTest(notification, context: context)
        }
        let destination = recipient.map { " to \($0)" } ?? ""
        switch result.outcome {
        case .delivered:
            Console.out("sent a test message through \(output)\(destination)")
            if let answer = result.answer { Console.out("server answered: \(answer)") }
        case .retry(_, let reason), .failed(let reason), .abandoned(let reason):
            Console.error("vigil: the test message through \(output)\(destination) was not accepted: \(reason)")
            if let answer = result.answer { Console.error("server answered: \(answer)") }
            throw ExitCode(ExitStatus.deliveryFailed.rawValue)
        }
    }

    /// The message itself: marked as a test in its subject and first line, about no one.
    static func testNotification(output: any Output, recipient: String?, at date: Date) -> RenderedNotification {
        let id = UUID().uuidString.lowercased()
        let when = Timestamp.iso8601(date)
        let text = """
            This is a test message from Vigil (vigil test-output), sent at \(when) through the output \
            "\(output.id)". It is not about any person, and no one's status has changed.

            If you received it, this output works.
            """
        let html =
            output.capabilities.templateKind.parts.contains("html")
            ? "<p>" + HTMLText.escape(text).replacingOccurrences(of: "\n\n", with: "</p><p>") + "</p>" : nil
        return RenderedNotification(
            id: 0, idempotencyKey: "vigil-test-\(id)", eventID: "test-\(id)", outputID: output.id,
            recipient: recipient, subject: "[TEST] Vigil test message", text: text, html: html)
    }
}
