import Foundation
import VigilCEL
import VigilCore

/// What `--json` prints, as wire types: encoded once, keys sorted, never
/// concatenated. Dates are RFC 3339 UTC strings; absent values are `null`.
enum JSONOutput {
    /// One event of `vigil history --json`.
    struct HistoryItem: Encodable {
        var id: String
        var run: Int64
        var at: String
        var source: String
        var kind: String
        var record: WireJSON.RecordBody?
        var changes: [WireJSON.ChangeBody]
        var message: String?
        var deadline: String?

        init(_ stored: StoredEvent) {
            let event = stored.event
            (id, run, at, source, kind) = (
                event.id, stored.runID, Timestamp.iso8601(event.at), event.sourceID, event.kind.rawValue
            )
            record = event.record.map(WireJSON.RecordBody.init)
            changes = event.changes.map(WireJSON.ChangeBody.init)
            (message, deadline) = (event.message, event.deadline)
        }
    }

    /// One row of `vigil outbox --json`.
    struct OutboxItem: Encodable {
        var id: Int64
        var state: String
        var output: String
        @WireJSON.Nullable var recipient: String?
        var idempotencyKey: String
        var subject: String
        var attempts: Int
        var nextAttempt: String
        var created: String
        @WireJSON.Nullable var lastError: String?

        init(_ entry: OutboxEntry) {
            let notification = entry.notification
            (id, state, output, recipient) = (
                notification.id, entry.state.rawValue, notification.outputID, notification.recipient
            )
            (idempotencyKey, subject, attempts) = (notification.idempotencyKey, notification.subject, entry.attempts)
            (nextAttempt, created, lastError) = (
                Timestamp.iso8601(entry.nextAttemptAt), Timestamp.iso8601(entry.createdAt), entry.lastError
            )
        }
    }

    /// `vigil status --json`.
    struct Status: Encodable {
        var sources: [Source]
        var records: [StoredRecordJSON]
        var held: [Held]
        var digests: [Digest]

        struct Source: Encodable {
            var id: String
            var healthy: Bool
            var records: Int
            @WireJSON.Nullable var lastSuccess: String?
            @WireJSON.Nullable var failingSince: String?
            @WireJSON.Nullable var failure: String?
        }

        struct StoredRecordJSON: Encodable {
            var source: String
            var record: WireJSON.RecordBody
            var lastChanged: String
        }

        struct Held: Encodable {
            var rule: String
            var source: String
            var key: String
            var status: String
            var runsSeen: Int
            var since: String
        }

        struct Digest: Encodable {
            var recipient: String
            var output: String
            var waiting: Int
            @WireJSON.Nullable var since: String?
        }
    }

    /// A person of `vigil people --json`: every linked record with its status and its link.
    struct Person: Encodable {
        struct Listing: Encodable {
            var source: String
            var key: String
            var name: String
            /// "" when the source no longer lists the person.
            var status: String
            @WireJSON.Nullable var link: Link?
        }

        struct Link: Encodable {
            var origin: String
            var by: String
            var at: String
        }

        var id: String
        var name: String
        var records: [Listing]

        init(_ snapshot: PersonSnapshot, links: PeopleIndex) {
            (id, name) = (snapshot.id, snapshot.name)
            records = snapshot.listings.map { listing in
                let link = links.links[RecordRef(sourceID: listing.sourceID, key: listing.key)]
                return Listing(
                    source: listing.sourceID, key: listing.key, name: listing.name, status: listing.status,
                    link: link.map {
                        Link(origin: $0.origin.rawValue, by: $0.decidedBy, at: Timestamp.iso8601($0.decidedAt))
                    })
            }
        }
    }

    /// `vigil people show --json`.
    struct PersonDetail: Encodable {
        var person: Person
        var decisions: [Decision]
        /// Approvals, rejections and withdrawals of held transitions, newest first.
        var holdDecisions: [HoldDecisionItem]
        var proposals: [Proposal]
    }

    struct Decision: Encodable {
        var at: String
        var by: String
        var action: String
        var person: String
        var records: [String]
        var note: String

        init(_ decision: PersonDecision) {
            (at, by, action) = (Timestamp.iso8601(decision.at), decision.by, decision.action.rawValue)
            (person, records, note) = (decision.personID, decision.records.map(\.description), decision.note)
        }
    }

    /// A decision about a held transition (`vigil held --decided --json`, `vigil people show --json`).
    struct HoldDecisionItem: Encodable {
        var id: String
        var event: String
        var rule: String
        var record: String
        var status: String
        var verdict: String
        var by: String
        var at: String
        var reason: String

        init(_ decision: HoldDecision) {
            (id, event, rule) = (HoldDecision.shortID(decision.eventID), decision.eventID, decision.ruleID)
            (record, status, verdict) = (decision.record.description, decision.status, decision.verdict.rawValue)
            (by, at, reason) = (decision.by, Timestamp.iso8601(decision.at), decision.reason)
        }
    }

    /// What `vigil approve --json` and `vigil reject --json` did.
    struct HoldOutcome: Encodable {
        var decision: HoldDecisionItem
        var queued: Int
        var delivered: Int
    }

    /// One row of `vigil held --json`.
    struct HeldItem: Encodable {
        struct Told: Encodable {
            var output: String
            @WireJSON.Nullable var recipient: String?
            var subject: String
        }
        var id: String
        var event: String
        var rule: String
        var record: String
        var person: String
        var name: String
        var status: String
        var heldSince: String
        var runsSeen: Int
        var waitingFor: String
        var awaitsApproval: Bool
        @WireJSON.Nullable var approvedBy: String?
        var changes: [WireJSON.ChangeBody]
        var wouldNotify: [Told]

        init(_ item: HeldQueue.Item) {
            let transition = item.transition
            (id, event, rule) = (item.id, transition.eventID, transition.ruleID)
            (record, person, name) = (transition.record.description, item.person.id, item.person.name)
            (status, heldSince, runsSeen) = (
                transition.status, Timestamp.iso8601(transition.heldSince), transition.runsSeen
            )
            (waitingFor, awaitsApproval, approvedBy) = (item.waitingFor, item.awaitsApproval, transition.approval?.by)
            changes = item.event?.changes.map(WireJSON.ChangeBody.init) ?? []
            wouldNotify = item.wouldNotify.map {
                Told(output: $0.outputID, recipient: $0.recipient, subject: $0.subject)
            }
        }
    }

    /// A proposal of `vigil people review --json`.
    struct Proposal: Encodable {
        struct Side: Encodable {
            var source: String
            var key: String
            @WireJSON.Nullable var name: String?
        }

        var id: Int64
        var score: Double
        var reasons: [String]
        var first: Side
        var second: Side
        var proposed: String

        init(_ proposal: LinkProposal, names: [RecordRef: String]) {
            (id, score, reasons) = (proposal.id, proposal.score, proposal.reasons)
            let pair = proposal.pair
            first = Side(source: pair.first.sourceID, key: pair.first.key, name: names[pair.first])
            second = Side(source: pair.second.sourceID, key: pair.second.key, name: names[pair.second])
            proposed = Timestamp.iso8601(proposal.proposedAt)
        }
    }

    /// Prints `value` as one JSON document (terminal controls escaped as `\u`).
    static func print(_ value: some Encodable) throws {
        Console.json(String(decoding: try WireJSON.encode(value), as: UTF8.self))
    }
}
