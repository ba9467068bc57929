/// What an output declares about itself, so the core needs no list of output kinds:
/// which template parts to render and under which `KIND` name, whether it takes digests,
/// whether a notification needs an address.
public struct OutputCapabilities: Sendable, Equatable {
    /// The template parts rendered for it and the name of its `NAME.KIND.PART` overrides.
    public var templateKind: TemplateKind
    /// False for outputs whose messages are one event each (a webhook's structured
    /// payload): a rule may not gather notifications to it into a digest.
    public var acceptsDigests: Bool
    /// True when a notification needs an address (an email, a room): one without any, and
    /// without the output's default recipients, cannot be delivered.
    public var requiresRecipient: Bool
    /// True for subscribed mail: each message to a recipient belongs to a list
    /// (``Subscription``) and carries its own unsubscribe link, and a recipient who
    /// unsubscribed (or whose address bounced) is not sent to through it.
    public var honoursUnsubscribes: Bool

    public init(
        templateKind: TemplateKind = .text, acceptsDigests: Bool = true, requiresRecipient: Bool = false,
        honoursUnsubscribes: Bool = false
    ) {
        self.templateKind = templateKind
        self.acceptsDigests = acceptsDigests
        self.requiresRecipient = requiresRecipient
        self.honoursUnsubscribes = honoursUnsubscribes
    }
}

/// How notifications are rendered for a kind of output: the parts (`subject`, `text`,
/// `html`) and the `KIND` in template names such as `released.email.html.mustache`.
public struct TemplateKind: Sendable, Hashable {
    /// The `KIND` in template file names (`"email"`, `"matrix"`).
    public var name: String
    /// The parts rendered, in order; `subject` always comes first, then `text` (unless the
    /// output sends none) and `html`.
    public var parts: [String]

    public init(name: String, html: Bool) {
        self.name = name
        self.parts = html ? ["subject", "text", "html"] : ["subject", "text"]
    }

    /// An output that sends a subject line and no body of its own (a webhook: the event
    /// travels as structured data): only `subject` is rendered, `text` is empty.
    public static func subjectOnly(name: String) -> TemplateKind {
        var kind = TemplateKind(name: name, html: false)
        kind.parts = ["subject"]
        return kind
    }

    /// Plain text (a terminal, a log): subject and text.
    public static let text = TemplateKind(name: "text", html: false)
}
