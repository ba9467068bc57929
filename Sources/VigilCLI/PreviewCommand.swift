import ArgumentParser
import Curl
import Foundation
import VigilCore

/// `vigil preview`: who would receive what, without storing or sending anything.
struct PreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Show who would receive what, via which output, without changing state or sending anything.",
        discussion: """
            Fetches the sources, detects changes against the stored state and applies the rules, \
            then prints each notification a run would queue. With --event, applies the rules to a \
            hand-written event instead (JSON: kind, source, record, changes; a deadline event \
            names its deadline, as in {"kind": "overdue", "deadline": "icrc-visit", …}).

            Examples:
              vigil preview --config config.json
              vigil preview --config config.json --event released.json
            """)

    @OptionGroup var common: CommonOptions

    @Option(help: "A JSON file with one event to route instead of fetching.")
    var event: String?

    func run() async throws {
        let logger = Console.bootstrapLogging(verbosity: 0)
        let configuration = try common.loadConfiguration()
        let notifications: [QueuedNotification]
        var held: [(event: Event, rule: Rule)] = []
        var events = 0
        if let event {
            guard let data = FileManager.default.contents(atPath: event) else {
                Console.error("vigil: cannot read \(event)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            do {
                let parsed = try Event(json: try JSONParser.parse(Array(data)), at: Date())
                // With a state, routing leaves out what recipients stopped (unsubscribes,
                // bounces) and honours re-alert windows, as a run would; without one, it cannot.
                let statePath = common.stateDirectory(for: configuration) + "/vigil.sqlite"
                let routing =
                    FileManager.default.fileExists(atPath: statePath)
                    ? try configuration.withRouter(store: try common.openStore(for: configuration)) {
                        $0.routing(for: [parsed], at: Date())
                    }
                    : configuration.router.routing(for: [parsed], at: Date())
                notifications = routing.notifications
                held = routing.held
                events = 1
            } catch let error as JSONParser.Failure {
                Console.error("\(event): not valid JSON: \(error.description)")
                throw ExitCode(ExitStatus.usage.rawValue)
            } catch {
                Console.error("\(event): \(error)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
        } else {
            let store = try common.openStore(for: configuration)
            let curl = CurlEngine()
            defer { curl.shutdown() }
            let cycle = WatchCycle(configuration: configuration, store: store, curl: curl, logger: logger)
            let (batch, report) = try await cycle.preview()
            for source in report.sources {
                if case .failed(let failure) = source.outcome {
                    Console.out("\(source.id): would fail closed: \(failure.description)")
                }
            }
            notifications = batch.notifications
            events = batch.events.count
            for transition in batch.holds.held {
                Console.out(
                    "⏸ held by rule \(transition.ruleID): \(transition.key) in \(transition.sourceID) "
                        + "(\(transition.runsSeen) run\(transition.runsSeen == 1 ? "" : "s") so far)")
            }
        }
        Console.out(
            "\(events) event\(events == 1 ? "" : "s"), \(notifications.count) notification\(notifications.count == 1 ? "" : "s") would be queued"
        )
        for (event, rule) in held {
            Console.out("")
            Console.out(
                "⏸ held by rule \(rule.id) until confirmed (\(rule.confirm?.description ?? "")): "
                    + "\(event.kind.rawValue) of \(event.record?.key ?? "?") in \(event.sourceID)")
        }
        for notification in notifications {
            Console.out("")
            let digest =
                notification.digest.map { $0.window == 0 ? " [into this run's digest]" : " [into a digest]" } ?? ""
            Console.out(
                "→ \(notification.outputID)\(notification.recipient.map { " to \($0)" } ?? "")\(digest): \(notification.subject)"
            )
            for line in notification.text.split(separator: "\n", omittingEmptySubsequences: false) where !line.isEmpty {
                Console.out("  " + line)
            }
        }
    }
}
