import Foundation

/// What a recipient receives a message as: one of their sponsorships, a group they belong
/// to, their digest, or the alerts addressed to them by name. Each message carries an
/// unsubscribe link for its own list; an unsubscribe stops that list (or, when the recipient
/// chooses, every list) for that recipient.
public struct Subscription: Sendable, Hashable {
    public var recipientID: String
    /// `sponsor:PERSON`, `group:NAME`, `digest` or `alerts`; ``Subscription/everything`` in a
    /// suppression stands for all of them.
    public var list: String
    /// For a sponsorship, the person it is about (as the message's source lists them).
    public var person: PersonReference?

    /// In a suppression: every list of the recipient.
    public static let everything = "*"
    /// Digests gather several lists into one message.
    public static let digest = "digest"
    /// Messages to a recipient named by a rule (`recipient:ID`, `all`).
    public static let alerts = "alerts"

    public init(recipientID: String, list: String, person: PersonReference? = nil) {
        self.recipientID = recipientID
        self.list = list
        self.person = person
    }

    public static func == (lhs: Subscription, rhs: Subscription) -> Bool {
        lhs.recipientID == rhs.recipientID && lhs.list == rhs.list
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(recipientID)
        hasher.combine(list)
    }

    /// The list of a sponsorship: by person id when people are joined, else by source and key.
    public static func sponsorList(person: String) -> String { "sponsor:" + person }
    public static func groupList(_ group: String) -> String { "group:" + group }
}

/// A subscription as stored: its number (what tokens carry) and when it was first used.
public struct StoredSubscription: Sendable, Equatable {
    public var id: Int64
    public var subscription: Subscription
    public var createdAt: Date

    public init(id: Int64, subscription: Subscription, createdAt: Date) {
        self.id = id
        self.subscription = subscription
        self.createdAt = createdAt
    }
}

/// A list (or every list) a recipient no longer receives, and why.
public struct Suppression: Sendable, Equatable {
    /// Why mail stopped.
    public enum Reason: String, Sendable, CaseIterable {
        /// The recipient used an unsubscribe link.
        case unsubscribed
        /// The address bounced (hard bounces reached the configured count).
        case bounced
        /// The recipient reported a message as spam.
        case complained
    }

    public var recipientID: String
    /// A list, or ``Subscription/everything``.
    public var list: String
    public var reason: Reason
    public var at: Date
    /// What the organiser may want to know (the bounce's status line); never a secret.
    public var detail: String?

    public init(recipientID: String, list: String, reason: Reason, at: Date, detail: String? = nil) {
        self.recipientID = recipientID
        self.list = list
        self.reason = reason
        self.at = at
        self.detail = detail
    }
}

/// Suppressions by recipient, for routing: asked once per candidate message.
public struct SuppressionSet: Sendable {
    private var lists: [String: Set<String>] = [:]

    public init(_ suppressions: [Suppression] = []) {
        for suppression in suppressions { lists[suppression.recipientID, default: []].insert(suppression.list) }
    }

    public var isEmpty: Bool { lists.isEmpty }

    /// True when the recipient stopped `list` or every list.
    public func contains(recipient: String, list: String) -> Bool {
        guard let stopped = lists[recipient] else { return false }
        return stopped.contains(list) || stopped.contains(Subscription.everything)
    }
}

/// Changes to subscriptions in a change set: new suppressions (whose pending mail is dropped
/// in the same transaction) and suppressions lifted by the organiser.
public struct MailingChanges: Sendable {
    public var suppressions: [Suppression] = []
    /// Recipient id → the list lifted, or nil for all of the recipient's suppressions.
    public var lifted: [(recipientID: String, list: String?)] = []

    public init() {}

    public var isEmpty: Bool { suppressions.isEmpty && lifted.isEmpty }
}

/// Subscriptions and suppressions, as `vigil serve` and `vigil recipients` read them.
public protocol SubscriptionReading: Sendable {
    /// Every suppression, by recipient then list.
    func suppressions() throws(StateError) -> [Suppression]
    /// A stored subscription by the number a token carries; nil when there is none.
    func subscription(id: Int64) throws(StateError) -> StoredSubscription?
}
