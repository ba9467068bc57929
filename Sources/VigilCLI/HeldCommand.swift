import ArgumentParser
import Curl
import Foundation
import VigilCEL
import VigilCore

/// `vigil held`: the transitions rules hold, with what each waits for and who it would tell.
struct HeldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "held",
        abstract: "List the transitions rules hold (for runs, sources or a team member's approval).",
        discussion: """
            A rule with "confirm" holds a transition (a release, a death) until it is confirmed: \
            seen in enough consecutive runs, reported by enough linked sources, and — with \
            "approval": true — approved by a team member. Each line shows the id to type, what \
            changed, what it waits for and who a release would tell.

            Examples:
              vigil held --config config.json
              vigil held --config config.json --json
              vigil held --decided --config config.json     (the decisions, newest first)
            """)

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print JSON (one array) for scripts.")
    var json = false

    @Flag(help: "List the decisions taken (approved, rejected, withdrawn) instead, newest first.")
    var decided = false

    func run() throws {
        let configuration = try common.loadConfiguration()
        let store = try common.openStore(for: configuration)
        let queue = HeldQueue(configuration: configuration, store: store)
        if decided {
            let decisions = try PeopleCommand.state { () throws(StateError) in try store.holdDecisions(records: nil) }
            if json {
                try JSONOutput.print(decisions.map(JSONOutput.HoldDecisionItem.init))
            } else if decisions.isEmpty {
                Console.out("no decisions yet")
            } else {
                for decision in decisions { Console.out(Self.describe(decision)) }
            }
            return
        }
        let items = try PeopleCommand.state { () throws(StateError) in try queue.items() }
        if json {
            try JSONOutput.print(items.map(JSONOutput.HeldItem.init))
            return
        }
        if items.isEmpty {
            Console.out("nothing is held")
            return
        }
        for item in items {
            let transition = item.transition
            let what = transition.status.isEmpty ? "no longer listed" : transition.status
            let name = item.person.name.isEmpty ? transition.key : item.person.name
            Console.out(
                "\(item.id)\t\(Timestamp.iso8601(transition.heldSince))\t\(transition.record)\t\(name)\t\(what)"
                    + "\trule \(transition.ruleID)\twaiting for \(item.waitingFor)")
            let byOutput = Dictionary(grouping: item.wouldNotify, by: \.outputID)
            for (output, notifications) in byOutput.sorted(by: { $0.key < $1.key }) {
                let recipients = notifications.map { $0.recipient ?? "(the output's own destination)" }
                Console.out("  would tell through \(output): \(recipients.joined(separator: ", "))")
            }
        }
    }

    static func describe(_ decision: HoldDecision) -> String {
        let reason = decision.reason.isEmpty ? "" : ": \(decision.reason)"
        let what = decision.status.isEmpty ? "no longer listed" : decision.status
        return "\(HoldDecision.shortID(decision.eventID))\t\(Timestamp.iso8601(decision.at))\t\(decision.by) "
            + "\(decision.verdict.rawValue) \(decision.record) \(what) (rule \(decision.ruleID))\(reason)"
    }
}

/// `vigil approve ID`: a team member's yes to a transition held for approval.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve a transition held for approval: it is sent now (or once runs/sources confirm it).",
        discussion: """
            Checks the record still says what was held (if it changed again, the hold is dropped \
            and nothing is sent), stores the approval with who and when, then runs the \
            confirmation and delivery steps of a run at once (no source is fetched), under the \
            run lock. The same transition held from other sources of the same person is \
            approved with it and told once.

            Examples:
              vigil approve 3f2a9c1b --config config.json
              vigil approve 3f2a --by alice --config config.json --json
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "The id `vigil held` shows (at least 4 characters of it).")
    var id: String

    @OptionGroup var decider: HeldDecider

    func run() async throws {
        try await decider.decide(common) { queue, who throws(HeldQueueError) in try queue.approve(id, by: who) }
    }
}

/// `vigil reject ID --reason …`: a team member's no; the transition is never sent.
struct RejectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject",
        abstract: "Reject a transition held for approval: it is dropped and never sent, with the reason stored.",
        discussion: """
            Examples:
              vigil reject 3f2a9c1b --reason "the family says he is still held" --config config.json
            """)

    @OptionGroup var common: CommonOptions

    @Argument(help: "The id `vigil held` shows (at least 4 characters of it).")
    var id: String

    @Option(help: "Why (required; stored with the decision and shown in the person's timeline).")
    var reason: String

    @OptionGroup var decider: HeldDecider

    func run() async throws {
        try await decider.decide(common) { queue, who throws(HeldQueueError) in
            try queue.reject(id, by: who, reason: reason)
        }
    }
}

/// Who decides, and running a decision (then the release it allows) under the run lock.
struct HeldDecider: ParsableArguments {
    @Option(help: "Who decides (stored with the decision; default: $USER).")
    var by: String?

    @Flag(help: "Print JSON for scripts.")
    var json = false

    func decide(
        _ common: CommonOptions, _ body: (HeldQueue, String) throws(HeldQueueError) -> HeldQueue.Outcome
    ) async throws {
        let logger = Console.bootstrapLogging(verbosity: 0)
        let configuration = try common.loadConfiguration()
        let who = by ?? ProcessInfo.processInfo.environment["USER"] ?? "cli"
        let (outcome, report): (HeldQueue.Outcome, RunReport?)
        do {
            (outcome, report) = try await RunLock.withLock(directory: common.stateDirectory(for: configuration)) {
                let store = try common.openStore(for: configuration)
                let outcome = try body(HeldQueue(configuration: configuration, store: store), who)
                guard case .approved = outcome else { return (outcome, nil) }
                // The release: the confirmation stage of a run that fetches nothing, then delivery.
                let report = try await CurlEngine.withEngine { curl in
                    try await WatchCycle(
                        configuration: configuration, store: store, curl: curl, logger: logger
                    ).run(options: WatchCycle.Options(sources: []))
                }
                return (outcome, report)
            }
        } catch let error as HeldQueueError {
            Console.error("vigil: \(error.description); nothing was changed")
            throw ExitCode(ExitStatus.usage.rawValue)
        } catch let error as RunLock.Failure {
            throw Console.exit(error)
        }
        let decision: HoldDecision
        switch outcome {
        case .approved(let approved), .rejected(let approved): decision = approved
        case .withdrawn(let withdrawn): decision = withdrawn
        }
        if json {
            try JSONOutput.print(
                JSONOutput.HoldOutcome(
                    decision: JSONOutput.HoldDecisionItem(decision), queued: report?.queued ?? 0,
                    delivered: report?.delivered ?? 0))
        } else {
            switch outcome {
            case .approved:
                let queued = report?.queued ?? 0
                Console.out(
                    queued == 0
                        ? "approved \(decision.record): it is sent once its rule's runs or sources confirm it"
                        : "approved \(decision.record): \(queued) notification\(queued == 1 ? "" : "s") queued, "
                            + "\(report?.delivered ?? 0) delivered")
            case .rejected: Console.out("rejected \(decision.record): dropped, nothing is sent")
            case .withdrawn:
                Console.error(
                    "vigil: \(decision.record) changed again since it was held; the hold was dropped and nothing is sent"
                )
            }
        }
        if case .withdrawn = outcome { throw ExitCode(ExitStatus.usage.rawValue) }
        if let report, report.exitStatus == .deliveryFailed { throw ExitCode(ExitStatus.deliveryFailed.rawValue) }
    }
}
