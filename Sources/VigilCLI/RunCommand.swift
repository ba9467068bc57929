import ArgumentParser
import Curl
import Foundation
import VigilCore

/// `vigil run`: one watch cycle.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one watch cycle: fetch, detect changes, notify, exit.",
        discussion: """
            Takes the state directory's lock first: if another run holds it, exits at once with \
            code 75 and sends nothing. The first successful fetch of a source is a baseline: it is \
            stored and produces no person events.

            Examples:
              vigil run --config /etc/vigil/config.json
              vigil run --config config.json -v
              vigil run --config config.json --accept-drop ministry-list
            """)

    @OptionGroup var common: CommonOptions

    @Flag(name: .short, help: "Print a summary per source on standard error (-vv: debug logging).")
    var verbose: Int

    @Option(
        name: .customLong("accept-drop"),
        help: "Apply this source's large drop in records this run (repeatable), after checking it is real.")
    var acceptDrop: [String] = []

    func run() async throws {
        let logger = Console.bootstrapLogging(verbosity: verbose)
        let configuration = try common.loadConfiguration()
        let report: RunReport
        do {
            report = try await RunLock.withLock(directory: common.stateDirectory(for: configuration)) {
                let store = try common.openStore(for: configuration)
                return try await CurlEngine.withEngine { curl in
                    let cycle = WatchCycle(configuration: configuration, store: store, curl: curl, logger: logger)
                    return try await cycle.run(options: WatchCycle.Options(acceptDrop: Set(acceptDrop)))
                }
            }
        } catch let error as RunLock.Failure {
            throw Console.exit(error)
        } catch let exit as ExitCode {
            throw exit  // already explained
        } catch {
            Console.error("vigil: \(error); nothing was applied")
            throw ExitCode(ExitStatus.internalError.rawValue)
        }
        if verbose > 0 { Self.printSummary(report) }
        let status = report.exitStatus
        if status != .ok { throw ExitCode(status.rawValue) }
    }

    static func printSummary(_ report: RunReport) {
        for source in report.sources {
            var line = "\(source.id): "
            switch source.outcome {
            case .baseline(let records): line += "baseline stored, \(records) records (no person events on a first run)"
            case .notModified: line += "not modified"
            case .compared(let records, let added, let changed, let removed):
                line += "\(records) records, \(added) added, \(changed) changed, \(removed) removed"
            case .failed(let failure): line += "FAILED CLOSED: \(failure.description)"
            }
            Console.error(line)
            if !source.unmappedStatuses.isEmpty {
                Console.error(
                    "  unmapped status words (add them to statusMap): \(source.unmappedStatuses.joined(separator: ", "))"
                )
            }
            if source.unparsedDates > 0 {
                Console.error("  \(source.unparsedDates) date values matched no format and were kept as text")
            }
        }
        Console.error(
            "\(report.events) events, \(report.queued) notifications queued, \(report.delivered) delivered, "
                + "\(report.retrying) to retry, \(report.failedDeliveries) failed")
    }
}
