import ArgumentParser
import Foundation
import VigilCore

/// `vigil outbox`: notifications not yet delivered, and what to do with them.
struct OutboxCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "outbox",
        abstract: "List pending and failed notifications; retry or drop them.",
        discussion: """
            Every notification is stored in the outbox before it is sent. Transient failures are \
            retried by later runs with growing delays; a notification given up on is "failed" \
            (dead-lettered) and stays here until retried or dropped.

            Examples:
              vigil outbox --config config.json
              vigil outbox list --config config.json --json
              vigil outbox retry --config config.json 42 43
              vigil outbox retry --config config.json --all-failed
              vigil outbox drop --config config.json 42
            """,
        subcommands: [List.self, Retry.self, Drop.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List pending and failed notifications.")

        @OptionGroup var common: CommonOptions

        @Flag(help: "Print JSON (one array) for scripts.")
        var json = false

        func run() throws {
            let configuration = try common.loadConfiguration()
            let store = try common.openStore(for: configuration)
            let entries = try store.undeliveredNotifications()
            if json {
                try JSONOutput.print(entries.map(JSONOutput.OutboxItem.init))
                return
            }
            if entries.isEmpty {
                Console.out("the outbox is empty: every notification was delivered")
                return
            }
            for entry in entries {
                let notification = entry.notification
                var line = "\(notification.id)\t\(entry.state.rawValue)\t\(notification.outputID)"
                line += "\t\(notification.recipient ?? "-")\tattempts \(entry.attempts)"
                line += entry.state == .pending ? "\tnext \(DateText.text(entry.nextAttemptAt))" : ""
                line += "\t\(notification.subject)"
                if let error = entry.lastError { line += "\n\tlast error: \(error)" }
                Console.out(line)
            }
        }
    }

    struct Retry: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "retry",
            abstract: "Make failed notifications pending again; the next run sends them.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "Outbox row ids.")
        var ids: [Int64] = []

        @Flag(help: "Every failed notification.")
        var allFailed = false

        func validate() throws {
            if ids.isEmpty == !allFailed {
                throw ValidationError("give outbox row ids or --all-failed (not both)")
            }
        }

        func run() throws {
            let configuration = try common.loadConfiguration()
            let store = try common.openStore(for: configuration)
            let count = try store.retry(ids: allFailed ? nil : ids)
            Console.out("\(count) notification\(count == 1 ? "" : "s") queued again")
            if !allFailed && count < ids.count {
                Console.error("\(ids.count - count) of the given ids are not failed notifications")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        }
    }

    struct Drop: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "drop", abstract: "Give up an undelivered notification for good.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The outbox row id.")
        var id: Int64

        func run() throws {
            let configuration = try common.loadConfiguration()
            let store = try common.openStore(for: configuration)
            guard try store.drop(id: id) else {
                Console.error("outbox row \(id) is not a pending or failed notification")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            Console.out("outbox row \(id) dropped")
        }
    }
}
