import ArgumentParser
import VigilCore

/// The `vigil` command and its subcommands, as a library: a program that ships its own
/// plugins calls ``VigilCommand/main(plugins:)`` with them (see "Writing a plugin").
public struct VigilCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "vigil",
        abstract: "Watch public lists of detained people and notify those who care when a person's status changes.",
        discussion: """
            Run `vigil run` from cron every 10–15 minutes. A healthy run prints nothing unless a \
            notification goes to the `stdout` output; cron mails whatever a job prints.

            Exit codes: 0 ok, 1 internal error, 2 a source failed (nothing applied from it), \
            3 a delivery failed (retried later or dead-lettered), 4 both, 64 usage error, \
            75 another run holds the lock (this one did nothing), 78 invalid configuration.
            """,
        version: VigilVersion.description,
        subcommands: [
            RunCommand.self, CheckCommand.self, StatusCommand.self, HistoryCommand.self, OutboxCommand.self,
            ServeCommand.self, PreviewCommand.self, SourceCommand.self, PeopleCommand.self, TestOutputCommand.self,
            InitCommand.self, StateCommand.self, RecipientsCommand.self, BounceCommand.self, HeldCommand.self,
            ApproveCommand.self, RejectCommand.self, UsersCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line with `plugins` registered (instead of ``VigilPlugins/core``).
    public static func main(plugins: VigilPlugins) async {
        await VigilPlugins.$current.withValue(plugins) { await Self.main() }
    }
}

/// The output and source types a `vigil` program knows. Set for the duration of
/// ``VigilCommand/main(plugins:)``: a task-local, not a global.
public struct VigilPlugins: Sendable {
    public var outputs: OutputRegistry
    public var sources: SourceRegistry

    public init(outputs: OutputRegistry = OutputRegistry(), sources: SourceRegistry = SourceRegistry()) {
        self.outputs = outputs
        self.sources = sources
    }

    /// Only what the core ships: the `stdout` output and the `json`, `csv` and `push` sources.
    public static let core = VigilPlugins()

    @TaskLocal public static var current = VigilPlugins.core
}
