import ArgumentParser
import Foundation
import VigilCEL
import VigilCore

/// `vigil status`: what Vigil currently knows, per source.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each source's health and current records, with their status and when it last changed.",
        discussion: """
            Examples:
              vigil status --config config.json
              vigil status --config config.json --source ministry-list --json
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "Only this source.")
    var source: String?

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func run() throws {
        let configuration = try common.loadConfiguration()
        let store = try common.openStore(for: configuration)
        let states = try store.sourceStates()
        let records = try store.records(source: source)
        let ids = configuration.sources.map(\.id).filter { source == nil || $0 == source }
        let held = try store.heldTransitions().filter { source == nil || $0.sourceID == source }
        let digests = Dictionary(grouping: try store.digestItems()) { "\($0.item.recipientID) via \($0.item.outputID)" }
        if json {
            var output = "{\"sources\":["
            for (index, id) in ids.enumerated() {
                if index > 0 { output += "," }
                let state = states[id] ?? SourceState(id: id)
                output += "{\"id\":\(JSONWriter.string(id)),\"healthy\":\(state.isFailing ? "false" : "true")"
                output += ",\"records\":\(state.recordCount)"
                output += ",\"lastSuccess\":\(DateText.json(state.lastSuccessAt))"
                output += ",\"failingSince\":\(DateText.json(state.failingSince))"
                output += ",\"failure\":\(state.failureMessage.map(JSONWriter.string) ?? "null")}"
            }
            output += "],\"records\":["
            for (index, stored) in records.enumerated() {
                if index > 0 { output += "," }
                output += "{\"source\":\(JSONWriter.string(stored.sourceID)),\"record\":\(stored.record.json)"
                output += ",\"lastChanged\":\(DateText.json(stored.lastChanged))}"
            }
            output += "],\"held\":["
            for (index, transition) in held.enumerated() {
                if index > 0 { output += "," }
                output +=
                    "{\"rule\":\(JSONWriter.string(transition.ruleID)),\"source\":\(JSONWriter.string(transition.sourceID))"
                output +=
                    ",\"key\":\(JSONWriter.string(transition.key)),\"status\":\(JSONWriter.string(transition.status))"
                output += ",\"runsSeen\":\(transition.runsSeen),\"since\":\(DateText.json(transition.heldSince))}"
            }
            output += "],\"digests\":["
            for (index, name) in digests.keys.sorted().enumerated() {
                let items = digests[name] ?? []
                if index > 0 { output += "," }
                output += "{\"recipient\":\(JSONWriter.string(items.first?.item.recipientID ?? ""))"
                output +=
                    ",\"output\":\(JSONWriter.string(items.first?.item.outputID ?? "")),\"waiting\":\(items.count)"
                output += ",\"since\":\(DateText.json(items.first?.createdAt))}"
            }
            Console.json(output + "]}")
            return
        }
        for id in ids {
            let state = states[id] ?? SourceState(id: id)
            var line = "\(id): "
            if state.baselineAt == nil {
                line += "never fetched successfully"
            } else {
                line += "\(state.recordCount) records, last success \(DateText.text(state.lastSuccessAt))"
            }
            if let since = state.failingSince {
                line +=
                    "; FAILING since \(DateText.text(since)) (\(state.consecutiveFailures) runs): \(state.failureMessage ?? "")"
            }
            Console.out(line)
            for stored in records where stored.sourceID == id {
                Console.out(
                    "  \(stored.record.key)\t\(stored.record.status)\t\(stored.record.name)\tchanged \(DateText.text(stored.lastChanged))"
                )
            }
        }
        for transition in held {
            Console.out(
                "held for confirmation by rule \(transition.ruleID): \(transition.key) in \(transition.sourceID) → "
                    + "\(transition.status.isEmpty ? "not listed" : transition.status), seen in \(transition.runsSeen) "
                    + "run\(transition.runsSeen == 1 ? "" : "s") since \(DateText.text(transition.heldSince))")
        }
        for name in digests.keys.sorted() {
            let items = digests[name] ?? []
            Console.out(
                "digest for \(name): \(items.count) waiting since \(DateText.text(items.first?.createdAt))")
        }
    }
}

/// Dates as people and scripts read them.
enum DateText {
    static func text(_ date: Date?) -> String {
        guard let date else { return "never" }
        return Timestamp.iso8601(date)
    }

    static func json(_ date: Date?) -> String {
        date.map { JSONWriter.string(Timestamp.iso8601($0)) } ?? "null"
    }
}
