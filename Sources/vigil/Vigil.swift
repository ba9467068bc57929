import ArgumentParser
import VigilCore

/// The `vigil` command.
@main
struct Vigil: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Watch public lists of detained people and notify those who care when a person's status changes.",
        discussion: """
            Run `vigil run` from cron every 10–15 minutes. A healthy run prints nothing unless a \
            notification goes to the `stdout` output; cron mails whatever a job prints.

            Exit codes: 0 ok, 1 internal error, 2 a source failed (nothing applied from it), \
            3 a delivery failed (retried later or dead-lettered), 4 both, 64 usage error, \
            75 another run holds the lock (this one did nothing), 78 invalid configuration.
            """,
        subcommands: [
            RunCommand.self, CheckCommand.self, StatusCommand.self, HistoryCommand.self, OutboxCommand.self,
            ServeCommand.self, PreviewCommand.self,
        ]
    )
}
