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

    /// The list of a sponsorship: by person id (`SOURCE:KEY` for a record linked to no other).
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
    /// For a bounce: the address that bounced. The suppression holds only while the
    /// recipient's address is still this one (a corrected address is mailed again).
    public var address: String?

    public init(
        recipientID: String, list: String, reason: Reason, at: Date, detail: String? = nil, address: String? = nil
    ) {
        self.recipientID = recipientID
        self.list = list
        self.reason = reason
        self.at = at
        self.detail = detail
        self.address = address
    }
}

/// Suppressions by recipient, for routing: asked once per candidate message.
public struct SuppressionSet: Sendable {
    /// Recipient → list → the bounced address it is limited to (nil: any address).
    private var lists: [String: [String: String?]] = [:]

    public init(_ suppressions: [Suppression] = []) {
        for suppression in suppressions {
            lists[suppression.recipientID, default: [:]][suppression.list] = .some(suppression.address?.lowercased())
        }
    }

    public var isEmpty: Bool { lists.isEmpty }

    /// True when the recipient stopped `list` or every list (a bounce only while `address`
    /// is the address that bounced; nil `address` matches any).
    public func contains(recipient: String, list: String, address: String? = nil) -> Bool {
        guard let stopped = lists[recipient] else { return false }
        for candidate in [list, Subscription.everything] {
            guard let limited = stopped[candidate] else { continue }
            guard let bounced = limited, let address else { return true }
            if bounced == address.lowercased() { return true }
        }
        return false
    }
}

/// A message Vigil sent, as a bounce finds it: its outbox row, output, address and list.
public struct SentMessage: Sendable, Equatable {
    public var outboxID: Int64
    public var outputID: String
    public var eventID: String
    public var address: String?
    public var subscription: Subscription?

    public init(outboxID: Int64, outputID: String, eventID: String, address: String?, subscription: Subscription?) {
        self.outboxID = outboxID
        self.outputID = outputID
        self.eventID = eventID
        self.address = address
        self.subscription = subscription
    }
}

/// Bounces counted for one address.
public struct BounceCounts: Sendable, Equatable {
    public var hard = 0
    public var soft = 0

    public init(hard: Int = 0, soft: Int = 0) {
        self.hard = hard
        self.soft = soft
    }
}

/// One bounce to count.
public struct BounceMark: Sendable, Equatable {
    public var address: String
    /// ``MailReport/Verdict/hard`` or ``MailReport/Verdict/soft``.
    public var hard: Bool
    public var status: String
    public var at: Date

    public init(address: String, hard: Bool, status: String, at: Date) {
        self.address = address
        self.hard = hard
        self.status = status
        self.at = at
    }
}

/// Changes to subscriptions in a change set: new suppressions (whose pending mail is dropped
/// in the same transaction) and suppressions lifted by the organiser.
public struct MailingChanges: Sendable {
    public var suppressions: [Suppression] = []
    /// Recipient id → the list lifted, or nil for all of the recipient's suppressions.
    public var lifted: [(recipientID: String, list: String?)] = []
    /// Bounces to count, by address.
    public var bounces: [BounceMark] = []
    /// Outputs whose mail a receiving server's policy refused, and when.
    public var policyRejections: [(outputID: String, at: Date)] = []

    public init() {}

    public var isEmpty: Bool {
        suppressions.isEmpty && lifted.isEmpty && bounces.isEmpty && policyRejections.isEmpty
    }
}

/// What routing needs to leave out stopped lists.
public protocol SuppressionReading: Sendable {
    /// Every suppression, by recipient then list.
    func suppressions() throws(StateError) -> [Suppression]
}

/// Subscriptions, suppressions and bounces, as `vigil serve`, `vigil bounce` and
/// `vigil recipients` read them.
public protocol SubscriptionReading: SuppressionReading {
    /// A stored subscription by the number a token carries; nil when there is none.
    func subscription(id: Int64) throws(StateError) -> StoredSubscription?
    /// The message stored as outbox row `outboxID` (a VERP token names it); nil when none.
    func sentMessage(outboxID: Int64) throws(StateError) -> SentMessage?
    /// The message with this idempotency key (its Message-ID's local part); nil when none.
    func sentMessage(idempotencyKey: String) throws(StateError) -> SentMessage?
    /// Bounces counted for `address` (compared ignoring case).
    func bounceCounts(address: String) throws(StateError) -> BounceCounts
    /// When a receiving server's policy last refused mail of `outputID`; nil when never.
    func lastPolicyRejection(outputID: String) throws(StateError) -> Date?
}
