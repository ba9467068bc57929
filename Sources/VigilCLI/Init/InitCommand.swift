import ArgumentParser
import Curl
import Foundation
import VigilCore

/// `vigil init`: a working starting point in a new directory.
struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a commented starting configuration, the shipped templates and NEXT-STEPS.txt.",
        discussion: """
            Writes DIR/config.json (one source, the stdout output, a rule for the team and two for \
            sponsors), DIR/templates/ (the shipped English and French templates, to edit) and \
            DIR/NEXT-STEPS.txt. Without --source the source is a small sample list, DIR/list.json, \
            so `vigil check` and `vigil run` work at once. With --source, the list at that URL \
            (or path) is read, JSON or CSV, and the mapping is filled in with the fields found. \
            Refuses to write into a directory that already has any of these files.

            Examples:
              vigil init /etc/vigil
              vigil init ./watch --source https://example.org/detainees.json
            """)

    @Argument(help: "Where to write (created when missing).")
    var directory: String = "."

    @Option(help: "A list to inspect (http(s) URL or file): its format and fields fill in the source.")
    var source: String?

    func run() async throws {
        let files = ["config.json", "NEXT-STEPS.txt", "templates", "list.json"].map { directory + "/" + $0 }
        if let existing = files.first(where: { FileManager.default.fileExists(atPath: $0) }) {
            Console.error("vigil: \(existing) exists; vigil init never overwrites. Choose an empty directory.")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let inspected: InspectedSource
        let location: (key: String, value: String)
        if let source {
            do {
                inspected = try await CurlEngine.withEngine { try await SourceInspector.inspect(source, curl: $0) }
            } catch {
                Console.error("vigil: \(error)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            let isURL = source.lowercased().hasPrefix("http://") || source.lowercased().hasPrefix("https://")
            let absolute = source.hasPrefix("/") ? source : FileManager.default.currentDirectoryPath + "/" + source
            location = isURL ? ("url", source) : ("path", absolute)
        } else {
            inspected = try SourceInspector.inspect(
                bytes: Array(Self.sampleList.utf8), contentType: "", name: "list.json")
            location = ("path", "list.json")
        }
        var starter = StarterConfiguration(location: location, source: inspected)
        // The package's layout: the configuration in /etc/vigil, the state where its units keep it.
        let resolved = URL(fileURLWithPath: directory).standardizedFileURL.path
        if resolved == "/etc/vigil" { starter.state = "/var/lib/vigil" }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if source == nil { try write(Self.sampleList, to: "list.json") }
            try write(starter.document.text, to: "config.json")
            for (name, text) in TemplateLibrary.shippedFiles.sorted(by: { $0.key < $1.key }) {
                let path = "templates/" + name
                try FileManager.default.createDirectory(
                    atPath: directory + "/" + path.split(separator: "/").dropLast().joined(separator: "/"),
                    withIntermediateDirectories: true)
                try write(text, to: path)
            }
            try write(NextSteps.text(source: inspected, location: location), to: "NEXT-STEPS.txt")
        } catch {
            Console.error("vigil: cannot write into \(directory): \(error.localizedDescription)")
            throw ExitCode(ExitStatus.internalError.rawValue)
        }
        Console.out("wrote \(directory)/config.json, \(directory)/templates/ and \(directory)/NEXT-STEPS.txt")
        if source != nil {
            Console.out(
                "read \(inspected.recordCount) records (\(inspected.format.rawValue)); key \"\(inspected.key ?? "?")\", "
                    + "name \"\(inspected.name ?? "?")\", status \(inspected.status.map { "\"\($0)\"" } ?? "not found")"
            )
        }
        Console.out("next: vigil check --config \(directory)/config.json  (then read NEXT-STEPS.txt)")
    }

    private func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: directory + "/" + name), options: .withoutOverwriting)
    }

    /// The sample list: invented people, so the first run works before a real list is set.
    static let sampleList = """
        {
          "updated": "2026-12-01",
          "people": [
            {"id": "A-1", "name": "Sample Person One", "status": "detained", "place": "Sample prison"},
            {"id": "A-2", "name": "Sample Person Two", "status": "sentenced", "place": "Sample prison"},
            {"id": "A-3", "name": "Sample Person Three", "status": "released", "place": ""}
          ]
        }

        """
}
