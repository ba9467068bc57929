import ArgumentParser
import Foundation
import VigilCore

/// `vigil history`: recent events.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show recent events, newest first.",
        discussion: """
            Examples:
              vigil history --config config.json
              vigil history --config config.json --source ministry-list --limit 100 --json
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Only this source.")
    var source: String?

    @Option(help: "How many events.")
    var limit: Int = 20

    @Flag(help: "Print JSON (one array) for scripts.")
    var json = false

    func run() throws {
        let configuration = try common.loadConfiguration()
        let store = try common.openStore(for: configuration)
        let events = try store.events(limit: max(1, limit), source: source)
        if json {
            try JSONOutput.print(events.map(JSONOutput.HistoryItem.init))
            return
        }
        for stored in events {
            let event = stored.event
            var line = "\(DateText.text(event.at))  \(event.sourceID)  \(event.kind.rawValue)"
            if let record = event.record { line += "  \(record.key)  \(record.name)" }
            if !event.changes.isEmpty {
                line +=
                    "  "
                    + event.changes.map { "\($0.field): \($0.from ?? "-") → \($0.to ?? "-")" }.joined(separator: "; ")
            }
            if let message = event.message { line += "  \(message)" }
            Console.out(line)
        }
    }
}
