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
            let items = events.map { stored in
                let event = stored.event
                var item = "{\"id\":\(JSONWriter.string(event.id)),\"run\":\(stored.runID)"
                item += ",\"at\":\(DateText.json(event.at)),\"source\":\(JSONWriter.string(event.sourceID))"
                item += ",\"kind\":\(JSONWriter.string(event.kind.rawValue)),"
                item += event.contentMembersJSON
                return item + "}"
            }
            Console.json("[" + items.joined(separator: ",") + "]")
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
