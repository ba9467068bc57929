import Foundation

/// The mailing settings with their secret resolved: signs unsubscribe links when mail is
/// sent and checks them when `vigil serve` receives one. Made once per run or batch; the
/// key never leaves it.
public struct MailingLinks: Sendable {
    /// Why links cannot be made (the secret does not resolve or is too short).
    public enum Failure: Error, Sendable, CustomStringConvertible {
        case secret(String)

        public var description: String {
            switch self {
            case .secret(let why): why
            }
        }
    }

    public let baseURL: String
    let key: [UInt8]
    public let lifetime: Duration

    public init(baseURL: String, key: [UInt8], lifetime: Duration) {
        self.baseURL = baseURL
        self.key = key
        self.lifetime = lifetime
    }

    /// The token for a subscription, issued at `date`.
    public func token(subscription: Int64, at date: Date) -> String {
        UnsubscribeToken(subscription: subscription, issued: date).encoded(key: key)
    }

    /// `BASE/u/TOKEN`: the one-click link for `List-Unsubscribe`.
    public func unsubscribeURL(subscription: Int64, at date: Date) -> String {
        "\(baseURL)/u/\(token(subscription: subscription, at: date))"
    }

    /// The VERP envelope sender for outbox row `outboxID`: `local+TOKEN@domain`.
    public func bounceAddress(local: String, domain: String, outboxID: Int64) -> String {
        BounceAddress.make(local: local, domain: domain, outboxID: outboxID, key: key)
    }

    /// The outbox row a VERP address names, when its token is valid.
    public func outboxID(inBounceAddress address: String) -> Int64? {
        BounceAddress.outboxID(in: address, key: key)
    }

    /// The subscription a token stands for, or why it is refused.
    public func verify(_ token: String, at now: Date) throws(UnsubscribeToken.Refusal) -> UnsubscribeToken {
        try UnsubscribeToken.verify(token, key: key, lifetime: lifetime, at: now)
    }
}
