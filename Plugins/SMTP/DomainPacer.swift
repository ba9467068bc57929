import Synchronization

/// Paces mail per destination domain: at most `rate` messages a second to a domain, and a
/// pause after the domain defers (a `421` reply or a `4.7.x` status: "too many messages,
/// try later"), with the rate halved for the rest of the run. Mailbox providers judge a
/// sender by such bursts; answering a deferral by retrying at full speed makes it worse.
///
/// Shared by every batch of one output in a run (the engine's lanes cap how many
/// connections a domain gets at once).
public final class DomainPacer: Sendable {
    /// A domain's limits.
    public struct Limits: Sendable, Equatable {
        /// Connections (batches) to the domain at once.
        public var concurrency: Int
        /// Messages a second to the domain; 0 for no limit.
        public var rate: Double

        public init(concurrency: Int, rate: Double) {
            self.concurrency = concurrency
            self.rate = rate
        }
    }

    /// What a message to a domain may do now.
    public enum Admission: Sendable, Equatable {
        /// Send after waiting this long (zero: at once).
        case send(after: Duration)
        /// The domain deferred recently: try again after this long, without connecting.
        case paused(remaining: Duration)
    }

    struct Domain {
        var nextSlot: ContinuousClock.Instant
        /// Halved at each deferral; nil until the first (the configured rate applies).
        var rate: Double?
        var pausedUntil: ContinuousClock.Instant?
        var deferrals = 0
    }

    /// The first pause after a deferral; each further deferral doubles it, up to `maxPause`.
    public static let firstPause: Duration = .seconds(30)
    public static let maxPause: Duration = .seconds(900)

    private let domains = Mutex<[String: Domain]>([:])

    public init() {}

    /// Reserves the next slot for one message to `domain` at `now`.
    public func admit(_ domain: String, limits: Limits, now: ContinuousClock.Instant) -> Admission {
        domains.withLock { domains in
            var state = domains[domain] ?? Domain(nextSlot: now)
            if let until = state.pausedUntil, until > now { return .paused(remaining: until - now) }
            let rate = state.rate ?? limits.rate
            let slot = max(now, state.nextSlot)
            if rate > 0 { state.nextSlot = slot + .seconds(1 / rate) }
            domains[domain] = state
            return .send(after: slot - now)
        }
    }

    /// Records a deferral by `domain` at `now`; returns how long the domain is paused.
    @discardableResult
    public func deferred(_ domain: String, limits: Limits, now: ContinuousClock.Instant) -> Duration {
        domains.withLock { domains in
            var state = domains[domain] ?? Domain(nextSlot: now)
            state.deferrals += 1
            let current = state.rate ?? (limits.rate > 0 ? limits.rate : 10)
            state.rate = max(current / 2, 0.1)
            var pause = Self.firstPause
            for _ in 1..<min(state.deferrals, 8) { pause *= 2 }
            pause = min(pause, Self.maxPause)
            // Deferrals reported by batches already running do not stack on each other.
            let until = now + pause
            state.pausedUntil = max(state.pausedUntil ?? until, until)
            state.nextSlot = max(state.nextSlot, until)
            domains[domain] = state
            return (state.pausedUntil ?? until) - now
        }
    }

    /// True when a reply means "slow down": `421`, or an enhanced `4.7.x` status.
    public static func isDeferral(responseCode: Int, reply: String) -> Bool {
        if responseCode == 421 { return true }
        guard (400..<500).contains(responseCode) else { return false }
        return reply.split(separator: " ").contains { $0.hasPrefix("4.7.") }
    }
}
