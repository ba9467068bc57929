import ArgumentParser
import VigilCore

/// `vigil state`: operations on the state database itself.
struct StateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state",
        abstract: "Operate on the state database (back it up).",
        subcommands: [Backup.self]
    )

    /// `vigil state backup FILE`: SQLite's online backup, safe while Vigil runs.
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Copy the state into a new SQLite file, consistently, while runs and `vigil serve` go on.",
            discussion: """
                The copy is one file, readable by its owner only, checked with SQLite's integrity \
                check; an existing file is never overwritten. To restore: stop Vigil, move the copy \
                to vigil.sqlite in the state directory (removing vigil.sqlite-wal and -shm), start it.

                Examples:
                  vigil state backup --config /etc/vigil/config.json --state /var/lib/vigil /var/backups/vigil-$(date +%F).sqlite
                """)

        @OptionGroup var common: CommonOptions

        @Argument(help: "The new file to write.")
        var file: String

        func run() throws {
            let configuration = try common.loadConfiguration()
            guard let store = try common.openStore(for: configuration) as? SQLiteStateStore else {
                throw ValidationError("this state store has no backup")
            }
            do {
                let report = try store.backup(to: file)
                Console.out("backed up \(store.path) to \(report.path) (\(report.bytes) bytes, integrity ok)")
            } catch {
                Console.error("vigil: \(error.description)")
                throw ExitCode(ExitStatus.internalError.rawValue)
            }
        }
    }
}
