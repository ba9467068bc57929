import ArgumentParser
import Foundation
import VigilCEL
import VigilCore
import VigilServer

/// `vigil users`: the team's accounts for the console of `vigil serve`.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage the team's console accounts (viewer or operator).",
        discussion: """
            Accounts live in the state, with a bcrypt hash of the password (never the password). \
            A viewer reads every console page; an operator also approves and rejects held \
            transitions and retries or drops notifications.

            Examples:
              vigil users add alice --role operator --config config.json      (password prompted)
              vigil users add bot --role viewer --password '${env:BOT_PASSWORD}' --config config.json
              vigil users --config config.json
              vigil users remove alice --config config.json
            """,
        subcommands: [List.self, Add.self, Remove.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the accounts.")

        @OptionGroup var common: CommonOptions

        func run() throws {
            let configuration = try common.loadConfiguration()
            let store = try common.openStore(for: configuration)
            let users = try PeopleCommand.state { () throws(StateError) in try store.consoleUsers() }
            if users.isEmpty { Console.out("no accounts yet (vigil users add NAME --role operator)") }
            for user in users {
                Console.out("\(user.name)\t\(user.role.rawValue)\tsince \(Timestamp.iso8601(user.createdAt))")
            }
        }
    }

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add", abstract: "Add an account, or set an existing one's role and password.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The name to log in with (letters, digits, . _ - @).")
        var name: String

        @Option(help: "viewer (reads) or operator (also decides).")
        var role: ConsoleUser.Role

        @Option(
            help:
                "A secret reference (${env:NAME}, ${file:PATH}); default: asked on the terminal, or one line of stdin.")
        var password: String?

        func run() throws {
            guard !name.isEmpty, name.count <= 64,
                name.unicodeScalars.allSatisfy({
                    CharacterSet.alphanumerics.contains($0) || "._-@".unicodeScalars.contains($0)
                })
            else {
                Console.error("vigil: a user name is 1 to 64 letters, digits or . _ - @")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            let configuration = try common.loadConfiguration()
            let typed: String
            if let password {
                do {
                    typed = try SecretString(password).resolve(directory: configuration.directory)
                } catch {
                    Console.error("vigil: --password: \(error.description)")
                    throw ExitCode(ExitStatus.usage.rawValue)
                }
            } else {
                typed = try PasswordPrompt.read()
            }
            let hash: String
            do {
                hash = try ConsolePasswords.hash(typed)
            } catch {
                Console.error("vigil: \(error.description); nothing was stored")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            let store = try common.openStore(for: configuration)
            let existed = try PeopleCommand.state { () throws(StateError) in
                try store.consoleUsers().contains { $0.name == name }
            }
            try PeopleCommand.state { () throws(StateError) in
                try store.saveConsoleUser(
                    ConsoleUser(name: name, role: role, passwordHash: hash, createdAt: Date()))
            }
            Console.out("\(existed ? "updated" : "added") \(name) (\(role.rawValue))")
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "remove", abstract: "Remove an account.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The account's name.")
        var name: String

        func run() throws {
            let configuration = try common.loadConfiguration()
            let store = try common.openStore(for: configuration)
            guard try PeopleCommand.state({ () throws(StateError) in try store.removeConsoleUser(name: name) }) else {
                Console.error("vigil: no account \"\(name)\" (see `vigil users`)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            Console.out("removed \(name); their console sessions end at their next request")
        }
    }
}

extension ConsoleUser.Role: ExpressibleByArgument {}

/// Reads a password: twice on a terminal without echo, else one line of standard input.
enum PasswordPrompt {
    static func read() throws -> String {
        guard isatty(STDIN_FILENO) == 1 else {
            guard let line = Swift.readLine(strippingNewline: true) else {
                Console.error("vigil: no password on standard input")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            return line
        }
        let first = try silently("Password: ")
        let second = try silently("Again: ")
        guard first == second else {
            Console.error("vigil: the two passwords differ; nothing was stored")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        return first
    }

    private static func silently(_ prompt: String) throws -> String {
        FileHandle.standardError.write(Data(prompt.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var quiet = saved
        quiet.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = Swift.readLine(strippingNewline: true) else {
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        return line
    }
}
