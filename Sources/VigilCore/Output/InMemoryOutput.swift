import Synchronization

/// An output that keeps what it is given, for tests and for programs that embed Vigil.
///
/// Answers each notification with the outcome `decide` returns (delivered by default).
public final class InMemoryOutput: Output, Sendable {
    public let id: String
    public let capabilities: OutputCapabilities
    private let received = Mutex<[RenderedNotification]>([])
    private let decide: @Sendable (RenderedNotification) -> DeliveryOutcome

    public init(
        id: String, capabilities: OutputCapabilities = OutputCapabilities(),
        decide: @escaping @Sendable (RenderedNotification) -> DeliveryOutcome = { _ in .delivered }
    ) {
        self.id = id
        self.capabilities = capabilities
        self.decide = decide
    }

    /// Every notification delivered to this output so far, in order (whatever the outcome).
    public var notifications: [RenderedNotification] { received.withLock { $0 } }

    public func send(_ notification: RenderedNotification, session: Void) async -> DeliveryOutcome {
        received.withLock { $0.append(notification) }
        return decide(notification)
    }
}
