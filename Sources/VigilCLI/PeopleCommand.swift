import ArgumentParser
import Foundation
import VigilCEL
import VigilCore

/// `vigil people`: one person across many lists — who is linked to whom, what Vigil
/// proposes, and the team's decisions.
struct PeopleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "people",
        abstract: "List people across sources; review, link, unlink or reject proposed links.",
        discussion: """
            A person is one human across sources: records (SOURCE:KEY) linked by the team's \
            crosswalk, by a team member, or automatically when configured (an exact birth-date \
            agreement, never a name alone). Vigil proposes links by comparing names across \
            scripts; every decision is stored with who made it and when.

            Examples:
              vigil people --config config.json
              vigil people show P-017 --config config.json
              vigil people review --config config.json --json
              vigil people link 12 --config config.json              (accept proposal 12)
              vigil people link ngo:17 ministry:A-9 --config config.json
              vigil people unlink ngo:17 --config config.json
              vigil people reject 13 --config config.json
            """,
        subcommands: [List.self, Show.self, Review.self, Link.self, Unlink.self, Reject.self],
        defaultSubcommand: List.self)

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "List people with linked records.")

        @OptionGroup var common: CommonOptions

        @Flag(help: "Print JSON (one array) for scripts.")
        var json = false

        func run() throws {
            var (_, view) = try PeopleCommand.open(common)
            let people = try PeopleCommand.state { () throws(StateError) in try view.linkedPeople() }
            if json {
                try JSONOutput.print(people.map { JSONOutput.Person($0, links: view.index) })
                return
            }
            if people.isEmpty {
                Console.out("no linked people yet (see `vigil people review` for proposals)")
                return
            }
            for person in people {
                let listings = person.listings.map { "\($0.sourceID):\($0.key)=\($0.status.isEmpty ? "-" : $0.status)" }
                Console.out("\(person.id)\t\(person.name)\t\(listings.joined(separator: "  "))")
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Show one person: every linked record with its status per source, and the decisions.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "A person id, or a record as SOURCE:KEY.")
        var person: String

        @Flag(help: "Print JSON for scripts.")
        var json = false

        func run() throws {
            var (store, view) = try PeopleCommand.open(common)
            guard let found = try PeopleCommand.state({ () throws(StateError) in try view.person(person) }) else {
                Console.error("vigil: no person or listed record \"\(person)\" (see `vigil people`)")
                throw ExitCode(ExitStatus.usage.rawValue)
            }
            let records = Set(found.listings.map { RecordRef(sourceID: $0.sourceID, key: $0.key) })
            let decisions = try PeopleCommand.state { () throws(StateError) in try store.personDecisions() }
                .filter { $0.personID == found.id || !records.isDisjoint(with: $0.records) }
            let proposals = try PeopleCommand.state { () throws(StateError) in
                try store.linkProposals(state: .pending)
            }.filter { records.contains($0.pair.first) || records.contains($0.pair.second) }
            let holds = try PeopleCommand.state { () throws(StateError) in try store.holdDecisions(records: records) }
            if json {
                try JSONOutput.print(
                    JSONOutput.PersonDetail(
                        person: JSONOutput.Person(found, links: view.index),
                        decisions: decisions.map(JSONOutput.Decision.init),
                        holdDecisions: holds.map(JSONOutput.HoldDecisionItem.init),
                        proposals: proposals.map { JSONOutput.Proposal($0, names: [:]) }))
                return
            }
            Console.out("\(found.id)\t\(found.name)")
            for listing in found.listings {
                let ref = RecordRef(sourceID: listing.sourceID, key: listing.key)
                let link = view.index.links[ref].map { " (\($0.origin.rawValue), \($0.decidedBy))" } ?? ""
                let status = listing.status.isEmpty ? "not listed now" : listing.status
                Console.out("  \(ref)\t\(listing.name)\t\(status)\(link)")
            }
            for decision in decisions {
                let note = decision.note.isEmpty ? "" : ": \(decision.note)"
                Console.out(
                    "  \(Timestamp.iso8601(decision.at)) \(decision.by) \(decision.action.rawValue) "
                        + decision.records.map(\.description).joined(separator: ", ") + note)
            }
            for decision in holds {
                Console.out("  " + HeldCommand.describe(decision))
            }
            for proposal in proposals {
                Console.out("  proposal \(proposal.id): \(proposal.pair) score \(Self.score(proposal.score))")
            }
        }

        static func score(_ value: Double) -> String { String(format: "%.2f", value) }
    }

    struct Review: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "review",
            abstract: "List pending link proposals, best first, with their score and reasons.")

        @OptionGroup var common: CommonOptions

        @Option(help: "At most this many proposals.")
        var limit = 50

        @Flag(help: "Print JSON (one array) for scripts.")
        var json = false

        func run() throws {
            var (store, view) = try PeopleCommand.open(common)
            let index = view.index
            // Pairs linked meanwhile (or joined through others) are not worth a look.
            let pending = try PeopleCommand.state { () throws(StateError) in
                try store.linkProposals(state: .pending)
            }.filter { index.personID(of: $0.pair.first) != index.personID(of: $0.pair.second) }
            let shown = Array(pending.prefix(max(0, limit)))
            var names: [RecordRef: String] = [:]
            for proposal in shown {
                for ref in [proposal.pair.first, proposal.pair.second] where names[ref] == nil {
                    names[ref] = try PeopleCommand.state { () throws(StateError) in try view.record(ref)?.name }
                }
            }
            if json {
                try JSONOutput.print(shown.map { JSONOutput.Proposal($0, names: names) })
                return
            }
            if shown.isEmpty {
                Console.out("no pending proposals")
                return
            }
            for proposal in shown {
                let first = proposal.pair.first
                let second = proposal.pair.second
                Console.out(
                    "\(proposal.id)\t\(Show.score(proposal.score))\t\(first) \(names[first] ?? "?")  ~  \(second) \(names[second] ?? "?")"
                )
                Console.out("\t" + proposal.reasons.joined(separator: "; "))
            }
            if pending.count > shown.count { Console.out("… and \(pending.count - shown.count) more (--limit)") }
        }
    }

    struct Link: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "link",
            abstract: "Link records into one person: a proposal id, or person ids and SOURCE:KEY records.")

        @OptionGroup var common: CommonOptions
        @OptionGroup var decider: Decider

        @Argument(help: "A proposal id, or two or more person ids / SOURCE:KEY records.")
        var targets: [String]

        @Option(name: .customLong("as"), help: "The person id to use (default: an existing one, else a new p-… id).")
        var personID: String?

        @Option(help: "A display name for the person.")
        var name: String?

        func run() async throws {
            try await decider.decide(common) { decisions in
                let person: String
                if targets.count == 1, let proposal = Int64(targets[0]) {
                    person = try decisions.link(proposal: proposal, name: name)
                } else {
                    person = try decisions.link(targets, as: personID, name: name)
                }
                Console.out("linked as \(person)")
            }
        }
    }

    struct Unlink: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unlink",
            abstract: "Take a record out of its person; it is never proposed with them again.")

        @OptionGroup var common: CommonOptions
        @OptionGroup var decider: Decider

        @Argument(help: "The record, as SOURCE:KEY.")
        var record: String

        func run() async throws {
            guard let ref = RecordRef(record) else { throw ValidationError("expected SOURCE:KEY, got \"\(record)\"") }
            try await decider.decide(common) { decisions in
                try decisions.unlink(ref)
                Console.out("\(ref) unlinked")
            }
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reject",
            abstract: "Say that two records are not one person: a proposal id, or two SOURCE:KEY records.")

        @OptionGroup var common: CommonOptions
        @OptionGroup var decider: Decider

        @Argument(help: "A proposal id, or two SOURCE:KEY records.")
        var targets: [String]

        func validate() throws {
            if !(targets.count == 1 && Int64(targets[0]) != nil)
                && !(targets.count == 2 && targets.allSatisfy { RecordRef($0) != nil })
            {
                throw ValidationError("give a proposal id or two records as SOURCE:KEY")
            }
        }

        func run() async throws {
            try await decider.decide(common) { decisions in
                if let proposal = Int64(targets[0]) {
                    try decisions.reject(proposal: proposal)
                } else if let first = RecordRef(targets[0]), let second = RecordRef(targets[1]) {
                    try decisions.reject(first, second)
                }
                Console.out("rejected: never proposed again")
            }
        }
    }

    /// Who decides, and running a decision under the run lock.
    struct Decider: ParsableArguments {
        @Option(help: "Who decides (stored with the decision; default: $USER).")
        var by: String?

        func decide(_ common: CommonOptions, _ body: (PeopleDecisions) throws -> Void) async throws {
            let configuration = try common.loadConfiguration()
            let who = by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
            do {
                try await RunLock.withLock(directory: common.stateDirectory(for: configuration)) {
                    let store = try common.openStore(for: configuration)
                    try body(PeopleDecisions(configuration: configuration, store: store, by: who))
                }
            } catch let error as PeopleDecisionError {
                Console.error("vigil: \(error.description); nothing was changed")
                throw ExitCode(ExitStatus.usage.rawValue)
            } catch let error as RunLock.Failure {
                throw Console.exit(error)
            }
        }
    }

    /// The configuration's state and people as they are now.
    static func open(_ common: CommonOptions) throws -> (any StateStore, PeopleView) {
        let configuration = try common.loadConfiguration()
        let store = try common.openStore(for: configuration)
        let view = try state { () throws(StateError) in try PeopleView(configuration: configuration, store: store) }
        return (store, view)
    }

    /// Runs a state read, turning a failure into a message and the internal-error exit code.
    static func state<T>(_ body: () throws(StateError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            Console.error("vigil: \(error.description)")
            throw ExitCode(ExitStatus.internalError.rawValue)
        }
    }
}
