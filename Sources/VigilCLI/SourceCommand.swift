import ArgumentParser
import Curl
import Foundation
import VigilCore

/// `vigil source …`: work on one source's configuration.
struct SourceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "source",
        abstract: "Try out a source's configuration.",
        subcommands: [SourceTestCommand.self]
    )
}

/// `vigil source test SOURCE`: fetch and map one source, store and send nothing.
struct SourceTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Fetch and map one source without storing or sending anything, and say what would go wrong.",
        discussion: """
            Prints the records exactly as Vigil will see them (the first --limit of them), then \
            what would be a problem: records without a key or a name, duplicate keys, status \
            words no statusMap covers, dates no format reads, configured fields that never or \
            only sometimes match, and how many rows the selectors found. The first thing to run \
            while writing a selector. Nothing is stored, so it may run beside `vigil run`.

            Exits 0 when a run would read the source, 2 when it would fail closed.

            Examples:
              vigil source test ministry-list
              vigil source test court-page --limit 50
              vigil source test news-feed --json
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "The id of the source to test.")
    var source: String

    @Option(help: "How many records to print.")
    var limit: Int = 10

    @Flag(help: "Print one JSON document instead of text.")
    var json = false

    func validate() throws {
        guard limit >= 0 else { throw ValidationError("--limit must be 0 or more") }
    }

    func run() async throws {
        _ = Console.bootstrapLogging(verbosity: 0)
        let configuration = try common.loadConfiguration()
        guard let chosen = configuration.sources.first(where: { $0.id == source }) else {
            let ids = configuration.sources.map(\.id).joined(separator: ", ")
            Console.error("vigil: no source \"\(source)\" in \(common.config) (sources: \(ids))")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        if case .push = chosen.location {
            Console.error("vigil: \(source) is a push source: its documents arrive at POST /hooks/\(source)")
            throw ExitCode(ExitStatus.usage.rawValue)
        }
        let diagnosis = await CurlEngine.withEngine { curl in
            await SourceDiagnosis.test(
                chosen, fetcher: SourceFetcher(curl: curl, configDirectory: configuration.directory))
        }
        if json {
            try JSONOutput.print(JSONOutput.SourceTest(diagnosis, limit: limit))
        } else {
            for line in Self.text(diagnosis, limit: limit) { Console.out(line) }
        }
        if diagnosis.wouldFailRun { throw ExitCode(ExitStatus.sourceFailed.rawValue) }
    }

    static func text(_ diagnosis: SourceDiagnosis, limit: Int) -> [String] {
        var lines: [String] = []
        if let failure = diagnosis.failure {
            return ["\(diagnosis.sourceID) (\(diagnosis.type)): fails closed: \(failure.description)"]
        }
        let count = diagnosis.records.count
        lines.append("\(diagnosis.sourceID) (\(diagnosis.type)): \(count) record\(count == 1 ? "" : "s")")
        for record in diagnosis.records.prefix(limit) {
            var line = "  \(record.key) | \(record.name) | \(record.status)"
            for field in record.sortedFields { line += " | \(field.name)=\(field.value)" }
            lines.append(line)
        }
        if count > limit { lines.append("  … \(count - limit) more (--limit)") }
        var findings: [String] = []
        for problem in diagnosis.problems.prefix(20) { findings.append("fails a run: \(problem)") }
        if diagnosis.problems.count > 20 { findings.append("fails a run: … \(diagnosis.problems.count - 20) more") }
        for (word, records) in diagnosis.unmappedStatuses.sorted(by: { ($1.value, $0.key) < ($0.value, $1.key) }) {
            findings.append("status word \"\(word)\" (\(records) record\(records == 1 ? "" : "s")) is in no statusMap")
        }
        if diagnosis.mapsNoStatus { findings.append("no \"status\" is mapped: every record reads as unknown") }
        if diagnosis.unparsedDates > 0 {
            findings.append(
                "\(diagnosis.unparsedDates) date value\(diagnosis.unparsedDates == 1 ? "" : "s") matched no format and stay text"
            )
        }
        for (field, present) in diagnosis.fieldCoverage where present < count {
            findings.append(
                present == 0
                    ? "field \"\(field)\" never matches"
                    : "field \"\(field)\" matches \(present) of \(count) records")
        }
        lines.append(findings.isEmpty ? "no problems found" : "problems:")
        lines += findings.map { "  - " + $0 }
        return lines
    }
}

extension JSONOutput {
    /// `vigil source test --json`.
    struct SourceTest: Encodable {
        var source: String
        var type: String
        var wouldFailRun: Bool
        @WireJSON.Nullable var failure: String?
        var records: Int
        var sample: [WireJSON.RecordBody]
        var problems: [String]
        var unmappedStatuses: [String: Int]
        var unparsedDates: Int
        var mapsNoStatus: Bool
        var fieldCoverage: [String: Int]

        init(_ diagnosis: SourceDiagnosis, limit: Int) {
            (source, type, wouldFailRun) = (diagnosis.sourceID, diagnosis.type, diagnosis.wouldFailRun)
            failure = diagnosis.failure?.description
            records = diagnosis.records.count
            sample = diagnosis.records.prefix(limit).map(WireJSON.RecordBody.init)
            (problems, unmappedStatuses, unparsedDates) = (
                diagnosis.problems, diagnosis.unmappedStatuses, diagnosis.unparsedDates
            )
            mapsNoStatus = diagnosis.mapsNoStatus
            fieldCoverage = Dictionary(uniqueKeysWithValues: diagnosis.fieldCoverage.map { ($0.field, $0.present) })
        }
    }
}
