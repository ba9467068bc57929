import ArgumentParser
import Foundation
import VigilCore

/// `vigil check`: validate a configuration without fetching or sending anything.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate a configuration and print every problem with its location.",
        discussion: """
            Prints each problem as FILE:LINE:COLUMN: JSON-PATH: message, and exits 78 if there is \
            any. On success prints one summary line. Secrets given as ${env:NAME}, \
            ${file:PATH} or ${credential:NAME} are resolved to check they exist; their values are never printed.

            Also warns about what is valid but likely wrong: rules that can never notify anyone \
            through one of their outputs, sponsored keys no source has ever reported (from the \
            state), recipients whose language has no templates. --strict makes warnings fail.

            Examples:
              vigil check --config config.json
              vigil check --config config.json --strict
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Exit 78 on warnings too.")
    var strict = false

    func run() throws {
        let configuration = try common.loadConfiguration()
        var problems: [String] = []
        for (index, source) in configuration.sources.enumerated() {
            var secrets: [(String, SecretString)] =
                source.endpoint?.headers.map { ("headers.\($0.name)", $0.value) } ?? []
            switch source.endpoint?.authentication {
            case .basic(let username, let password)?:
                secrets += [("auth.username", username), ("auth.password", password)]
            case .bearer(let token)?: secrets.append(("auth.bearer", token))
            case nil: break
            }
            secrets += source.reader.secretReferences.map { ($0.path, $0.secret) }
            for (path, secret) in secrets {
                do {
                    _ = try secret.resolve(directory: configuration.directory)
                } catch {
                    problems.append("\(configuration.file): $.sources[\(index)].\(path): \(error.description)")
                }
            }
        }
        let stateDirectory = common.stateDirectory(for: configuration)
        var reportedKeys: Set<String>?
        if FileManager.default.fileExists(atPath: stateDirectory + "/vigil.sqlite"),
            let store = try? SQLiteStateStore(directory: stateDirectory), let states = try? store.sourceStates()
        {
            reportedKeys = try? store.reportedKeys()
            for source in configuration.sources {
                if let words = states[source.id]?.unmappedStatuses, !words.isEmpty {
                    Console.out(
                        "note: \(source.id): unmapped status words seen in the last run: \(words.joined(separator: ", "))"
                    )
                }
            }
        }
        let warnings = ConfigurationAudit.findings(configuration, reportedKeys: reportedKeys)
        for warning in warnings {
            Console.error("warning: \(configuration.file): \(warning.description)")
        }
        guard problems.isEmpty, !strict || warnings.isEmpty else {
            problems.forEach(Console.error)
            throw ExitCode(ExitStatus.configError.rawValue)
        }
        let sources = configuration.sources.count
        let outputs = configuration.outputs.count
        let rules = configuration.rules.count
        let recipients = configuration.recipients.count
        Console.out(
            "ok: \(sources) source\(sources == 1 ? "" : "s"), \(outputs) output\(outputs == 1 ? "" : "s"), "
                + "\(rules) rule\(rules == 1 ? "" : "s"), \(recipients) recipient\(recipients == 1 ? "" : "s")")
    }
}
