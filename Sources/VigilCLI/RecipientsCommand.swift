import ArgumentParser
import Foundation
import VigilCEL
import VigilCore

/// `vigil recipients`: who may be notified, and who stopped which list.
struct RecipientsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recipients",
        abstract: "List recipients with what they stopped receiving; resubscribe one.",
        discussion: """
            A recipient who follows the unsubscribe link of an email stops that list (one \
            sponsorship, a group, the digest) or every list; mail through SMTP outputs is no \
            longer sent to them for it. `resubscribe` undoes that when the recipient asks.

            Examples:
              vigil recipients --config config.json
              vigil recipients list --config config.json --json
              vigil recipients resubscribe --config config.json paris
              vigil recipients resubscribe --config config.json paris --list digest
            """,
        subcommands: [List.self, Resubscribe.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List recipients and their suppressions.")

        @OptionGroup var common: CommonOptions

        @Flag(help: "Print JSON (one array) for scripts.")
        var json = false

        func run() throws {
            let configuration = try common.loadConfiguration()
            let store = try common.openStore(for: configuration)
            let byRecipient = Dictionary(grouping: try store.suppressions(), by: \.recipientID)
            // Suppressions of recipients no longer configured are listed too: they still apply.
            let configured = Set(configuration.recipients.map(\.id))
            let unconfigured = byRecipient.sorted { $0.key < $1.key }.filter { !configured.contains($0.key) }
            if json {
                var rows = configuration.recipients.map { Row($0, suppressions: byRecipient[$0.id] ?? []) }
                for (id, suppressions) in unconfigured {
                    rows.append(Row(Recipient(id: id, name: id), suppressions: suppressions, configured: false))
                }
                try JSONOutput.print(rows)
                return
            }
            if configuration.recipients.isEmpty && byRecipient.isEmpty {
                Console.out("no recipients are configured")
                return
            }
            for recipient in configuration.recipients {
                let suppressions = byRecipient[recipient.id] ?? []
                let contacts = recipient.contacts.keys.sorted().joined(separator: ",")
                var line = "\(recipient.id)\t\(recipient.language)\t\(contacts.isEmpty ? "-" : contacts)"
                line += suppressions.isEmpty ? "\treceiving" : "\tstopped \(suppressions.count)"
                Console.out(line)
                for suppression in suppressions { Console.out("\t" + Self.describe(suppression)) }
            }
            for (id, suppressions) in unconfigured {
                Console.out("\(id)\t(no longer configured)\tstopped \(suppressions.count)")
                for suppression in suppressions { Console.out("\t" + Self.describe(suppression)) }
            }
        }

        static func describe(_ suppression: Suppression) -> String {
            let list = suppression.list == Subscription.everything ? "every list" : suppression.list
            var text = "\(list): \(suppression.reason.rawValue) \(DateText.text(suppression.at))"
            if let detail = suppression.detail { text += " (\(detail))" }
            return text
        }

        /// One row of `vigil recipients --json`.
        struct Row: Encodable {
            var id: String
            var name: String
            var language: String
            var configured: Bool
            var outputs: [String]
            var groups: [String]
            var suppressions: [Stopped]

            struct Stopped: Encodable {
                var list: String
                var reason: String
                var at: String
                @WireJSON.Nullable var detail: String?
            }

            init(_ recipient: Recipient, suppressions: [Suppression], configured: Bool = true) {
                (id, name, language, self.configured) = (recipient.id, recipient.name, recipient.language, configured)
                outputs = recipient.contacts.keys.sorted()
                groups = recipient.groups.sorted()
                self.suppressions = suppressions.map {
                    Stopped(list: $0.list, reason: $0.reason.rawValue, at: Timestamp.iso8601($0.at), detail: $0.detail)
                }
            }
        }
    }

    struct Resubscribe: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resubscribe",
            abstract: "Lift a recipient's suppressions (every list, or one with --list).")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The recipient's id.")
        var id: String

        @Option(help: "Only this list (as `vigil recipients` shows it: sponsor:…, group:…, digest, alerts, *).")
        var list: String?

        func run() throws {
            let configuration = try common.loadConfiguration()
            let store = try common.openStore(for: configuration)
            let lifted = try store.suppressions().filter { $0.recipientID == id && (list == nil || $0.list == list) }
            guard !lifted.isEmpty else {
                Console.error(
                    "recipient \"\(id)\" has no suppression\(list.map { " for list \"\($0)\"" } ?? "") "
                        + "(see `vigil recipients`)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            var changes = ChangeSet(startedAt: Date())
            changes.exitCode = 0
            changes.mailing.lifted = [(id, list)]
            try store.commit(changes)
            for suppression in lifted {
                Console.out("resubscribed \(id): \(List.describe(suppression))")
            }
        }
    }
}
