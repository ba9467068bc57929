import ArgumentParser
import Foundation
import VigilCore
import VigilServer

/// `vigil serve`: the long-running alternative to cron, with a webhook receiver.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run sources on their schedules, deliver continuously, and receive pushed updates over HTTP.",
        discussion: """
            Each fetched source runs every `every` (default 15m), under the same lock as \
            `vigil run`, so cron and serve never overlap. The outbox is delivered continuously. \
            HTTP (the `serve` settings, default 127.0.0.1:8080):
              POST /hooks/{source}  a push source's update, signed per Standard Webhooks
              GET  /healthz         the state store answers; each source's last run
              GET  /metrics         Prometheus text
            SIGTERM or SIGINT stops it gracefully.

            Examples:
              vigil serve --config /etc/vigil/config.json
            """)

    @OptionGroup var common: CommonOptions

    @Flag(name: .short, help: "Log at info level (-vv: debug).")
    var verbose: Int

    func run() async throws {
        let logger = Console.bootstrapLogging(verbosity: verbose)
        let configuration = try common.loadConfiguration()
        let store = try common.openStore(for: configuration)
        try await VigilServer.run(
            configuration: configuration, store: store, stateDirectory: common.stateDirectory(for: configuration),
            logger: logger)
    }
}
