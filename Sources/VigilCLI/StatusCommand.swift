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
            try JSONOutput.print(
                JSONOutput.Status(
                    sources: ids.map { id in
                        let state = states[id] ?? SourceState(id: id)
                        return .init(
                            id: id, healthy: !state.isFailing, records: state.recordCount,
                            lastSuccess: state.lastSuccessAt.map(Timestamp.iso8601),
                            failingSince: state.failingSince.map(Timestamp.iso8601), failure: state.failureMessage)
                    },
                    records: records.map {
                        .init(
                            source: $0.sourceID, record: .init($0.record),
                            lastChanged: Timestamp.iso8601($0.lastChanged))
                    },
                    held: held.map {
                        .init(
                            rule: $0.ruleID, source: $0.sourceID, key: $0.key, status: $0.status, runsSeen: $0.runsSeen,
                            since: Timestamp.iso8601($0.heldSince))
                    },
                    digests: digests.keys.sorted().map { name in
                        let items = digests[name] ?? []
                        return .init(
                            recipient: items.first?.item.recipientID ?? "", output: items.first?.item.outputID ?? "",
                            waiting: items.count, since: items.first.map { Timestamp.iso8601($0.createdAt) })
                    }))
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
}
