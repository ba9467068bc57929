import Foundation

/// What an unsubscribe link does, apart from HTTP: checks the token, finds who and which
/// list it stands for, and records the suppression with its `unsubscribed` event and that
/// event's notifications in one transaction (pending mail to the list is dropped in it too).
public struct Unsubscribing: Sendable {
    public let configuration: Configuration
    public let store: any StateStore

    public init(configuration: Configuration, store: any StateStore) {
        self.configuration = configuration
        self.store = store
    }

    /// Why a link is not acted on; safe to show to whoever followed it.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        /// No `mailing` section: this server makes no unsubscribe links.
        case notConfigured
        case token(UnsubscribeToken.Refusal)
        /// A valid token whose subscription is not in this state (another installation's).
        case unknown
        /// The mailing secret does not resolve here (an operator's problem, not the reader's).
        case unavailable(String)

        public var description: String {
            switch self {
            case .notConfigured, .unknown: "this unsubscribe link is not known here"
            case .token(let refusal): refusal.description
            case .unavailable: "unsubscribing is unavailable right now; please try again later"
            }
        }
    }

    /// A followed link: the subscription, its recipient (nil when no longer configured) and
    /// whether that list (or every list) is already stopped.
    public struct Lookup: Sendable {
        public var subscription: StoredSubscription
        public var recipient: Recipient?
        public var stopped: Bool
        public var stoppedEverything: Bool
    }

    /// Checks `token` at `now` and finds what it stands for; changes nothing.
    public func look(token: String, at now: Date) throws(Refusal) -> Lookup {
        guard let mailing = configuration.mailing else { throw .notConfigured }
        let links: MailingLinks
        do {
            links = try mailing.links(directory: configuration.directory)
        } catch {
            throw .unavailable(error.description)
        }
        let verified: UnsubscribeToken
        do {
            verified = try links.verify(token, at: now)
        } catch {
            throw .token(error)
        }
        let stored: StoredSubscription?
        let suppressions: SuppressionSet
        do {
            stored = try store.subscription(id: verified.subscription)
            suppressions = SuppressionSet(try store.suppressions())
        } catch {
            throw .unavailable(error.description)
        }
        guard let stored else { throw .unknown }
        let subscription = stored.subscription
        return Lookup(
            subscription: stored,
            recipient: configuration.recipients.first { $0.id == subscription.recipientID },
            stopped: suppressions.contains(recipient: subscription.recipientID, list: subscription.list),
            stoppedEverything: suppressions.contains(
                recipient: subscription.recipientID, list: Subscription.everything))
    }

    /// Stops the link's list (or, with `everything`, every list of the recipient) at `now`.
    /// Returns the `unsubscribed` event, or nil when that was already stopped (nothing stored).
    @discardableResult
    public func unsubscribe(_ lookup: Lookup, everything: Bool, at now: Date) throws(StateError) -> Event? {
        if lookup.stoppedEverything || (lookup.stopped && !everything) { return nil }
        let subscription = lookup.subscription.subscription
        let list = everything ? Subscription.everything : subscription.list
        var changes = ChangeSet(startedAt: now)
        changes.exitCode = 0
        changes.mailing.suppressions = [
            Suppression(recipientID: subscription.recipientID, list: list, reason: .unsubscribed, at: now)
        ]
        let who = lookup.recipient.map { "\($0.name) (\($0.id))" } ?? subscription.recipientID
        let what = everything ? "every list" : Self.describe(subscription)
        let event = Event(
            kind: .unsubscribed, sourceID: subscription.person?.sourceID ?? "mailing", at: now,
            message: "\(who) unsubscribed from \(what)", person: subscription.person)
        changes.events = [event]
        changes.notifications = try configuration.withRouter(store: store) { router in
            router.notifications(for: [event], at: now)
        }
        try store.commit(changes)
        return event
    }

    /// A list in words, for the organiser: "news about NAME", "the group G", "digests".
    public static func describe(_ subscription: Subscription) -> String {
        if let person = subscription.person { return "news about \(person.name)" }
        if subscription.list.hasPrefix("group:") { return "the group \(subscription.list.dropFirst(6))" }
        if subscription.list == Subscription.digest { return "digests" }
        return "alerts addressed to them"
    }
}
