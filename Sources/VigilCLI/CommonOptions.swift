import ArgumentParser
import Foundation
import Logging
import VigilCore

/// Options every command shares: which configuration and which state.
struct CommonOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "The configuration file (JSON).")
    var config: String = "config.json"

    @Option(help: "The state directory (default: the config's \"state\", or state/ beside the config).")
    var state: String?

    /// Loads the configuration or prints every problem and exits with the config-error code.
    func loadConfiguration() throws -> Configuration {
        do {
            let plugins = VigilPlugins.current
            return try Configuration.load(path: config, outputs: plugins.outputs, sources: plugins.sources)
        } catch {
            for issue in error.issues { Console.error(issue.description) }
            Console.error("\(error.issues.count) problem\(error.issues.count == 1 ? "" : "s") in \(config)")
            throw ExitCode(ExitStatus.configError.rawValue)
        }
    }

    func stateDirectory(for configuration: Configuration) -> String {
        state ?? configuration.stateDirectory
    }

    func openStore(for configuration: Configuration) throws -> any StateStore {
        do {
            return try SQLiteStateStore(directory: stateDirectory(for: configuration))
        } catch {
            Console.error("vigil: \(error.description)")
            throw ExitCode(ExitStatus.internalError.rawValue)
        }
    }
}

/// Standard output and error for people: text that may quote source data has its terminal
/// control characters shown escaped (``TerminalText``); JSON keeps its data exact.
enum Console {
    static func error(_ line: String) {
        FileHandle.standardError.write(Data((TerminalText.escape(line) + "\n").utf8))
    }

    static func out(_ line: String) {
        FileHandle.standardOutput.write(Data((TerminalText.escape(line) + "\n").utf8))
    }

    /// A JSON document: the same data, with terminal controls as JSON `\u` escapes.
    static func json(_ document: String) {
        FileHandle.standardOutput.write(Data((TerminalText.escapeJSON(document) + "\n").utf8))
    }

    /// Says why the run lock could not be taken and gives the exit code for it: 75 when another
    /// run holds it (this one did nothing), 1 when it cannot be opened.
    static func exit(_ failure: RunLock.Failure) -> ExitCode {
        error("vigil: \(failure.description)")
        if case .held = failure { return ExitCode(ExitStatus.locked.rawValue) }
        return ExitCode(ExitStatus.internalError.rawValue)
    }

    /// Sets up logging to standard error: warnings by default, info with -v, debug with -vv.
    static func bootstrapLogging(verbosity: Int) -> Logger {
        let level: Logger.Level = verbosity >= 2 ? .debug : verbosity == 1 ? .info : .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "vigil")
        logger.logLevel = level
        return logger
    }
}
