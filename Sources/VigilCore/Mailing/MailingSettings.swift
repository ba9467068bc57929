import Foundation

/// Subscribed mail (`"mailing": {…}` in the configuration): where `vigil serve` answers
/// unsubscribe links, and the secret their tokens are signed with.
///
/// ```json
/// "mailing": {"baseURL": "https://alerts.example.org", "secret": "${env:VIGIL_MAILING_SECRET}",
///             "linkLifetime": "365d"}
/// ```
///
/// With it, every email to a recipient carries that recipient's own one-click unsubscribe
/// link (RFC 8058); without it, only an output's fixed `unsubscribe` targets.
public struct MailingSettings: Sendable {
    /// The public https address of `vigil serve` (its `/u/TOKEN` path is appended).
    public var baseURL: String
    /// Signs unsubscribe tokens; rotating it invalidates every link already sent.
    public var secret: SecretString
    /// How long an unsubscribe link keeps working after its message was sent.
    public var linkLifetime: Duration = .seconds(365 * 86_400)
    /// Hard bounces of an address before its recipient is no longer mailed there.
    public var hardBounces = 1
    /// The mailbox bounces and complaints arrive in, polled by `vigil run` and `vigil serve`.
    public var bounceMailbox: BounceMailbox?

    public init(baseURL: String, secret: SecretString, linkLifetime: Duration = .seconds(365 * 86_400)) {
        self.baseURL = baseURL
        self.secret = secret
        self.linkLifetime = linkLifetime
    }

    static func read(_ object: inout ObjectReader) -> MailingSettings? {
        let base = object.string("baseURL")
        if let base {
            let lower = base.lowercased()
            if !(lower.hasPrefix("https://") || lower.hasPrefix("http://")) || base.count > 200
                || base.contains(where: { $0 == ">" || $0 == "," || $0 == "?" || $0 == "#" || $0.isWhitespace })
            {
                object.report(
                    "expected the public http(s) address of `vigil serve`, such as \"https://alerts.example.org\" "
                        + "(at most 200 characters; no spaces, ',', '>', '?' or '#')", key: "baseURL")
            }
        }
        let secret = object.requiredSecret("secret")
        let lifetime = object.optionalDuration("linkLifetime", in: .seconds(86_400)...(.seconds(3650 * 86_400)))
        let hardBounces = object.optionalInteger("hardBounces", in: 1...100)
        var mailbox: BounceMailbox?
        if let found = object.value("bounceMailbox"),
            var settings = object.reader.object(found, path: object.path(of: "bounceMailbox"))
        {
            mailbox = BounceMailbox.read(&settings)
            settings.finish()
        }
        guard let base, let secret else { return nil }
        var settings = MailingSettings(baseURL: base.hasSuffix("/") ? String(base.dropLast()) : base, secret: secret)
        if let lifetime { settings.linkLifetime = lifetime }
        if let hardBounces { settings.hardBounces = hardBounces }
        settings.bounceMailbox = mailbox
        return settings
    }

    /// Resolves the secret: the links a run may sign and verify.
    public func links(directory: String) throws(MailingLinks.Failure) -> MailingLinks {
        let key: String
        do {
            key = try secret.resolve(directory: directory)
        } catch {
            throw .secret("mailing secret: \(error)")
        }
        guard key.utf8.count >= 16 else {
            throw .secret("the mailing secret is shorter than 16 bytes; use a long random value")
        }
        return MailingLinks(baseURL: baseURL, key: Array(key.utf8), lifetime: linkLifetime)
    }
}
