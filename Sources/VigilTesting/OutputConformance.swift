import Foundation
import VigilCore

/// The checks every output runs against a real server, whatever its protocol:
///
/// - one outcome per notification, in the order given (positional outcomes);
/// - a retry carries the same idempotency key to the destination (Message-ID, webhook-id,
///   txnId): the keys a server saw are the notifications' keys, each one twice when
///   everything was sent twice;
/// - no outcome reason contains a resolved secret (a password, a token, a signing key);
/// - HTTP outputs read statuses from the one shared table (``HTTPStatusOutcome``).
///
/// Each check returns the problems it found, as sentences; an empty list passes.
public enum OutputConformance {
    /// What an outcome is, without its reason.
    public enum Kind: String, Sendable, Equatable {
        case delivered, retry, failed, abandoned

        public init(_ outcome: DeliveryOutcome) {
            switch outcome {
            case .delivered: self = .delivered
            case .retry: self = .retry
            case .failed: self = .failed
            case .abandoned: self = .abandoned
            }
        }
    }

    /// Delivers `notifications` twice through `output` (the second pass as a retry would:
    /// same notifications, same keys) and checks the outcomes against `expected`, the
    /// reasons against `secrets`, and — when `observedKeys` is given — the keys the
    /// destination recorded (in any order) against the notifications' keys: each delivered
    /// key twice, or once when the destination deduplicates on it (Matrix's txnId), since
    /// a retry under another key would then show twice.
    public static func check(
        _ output: some Output, notifications: [RenderedNotification], expected: [Kind],
        context: DeliveryContext, secrets: [String],
        observedKeys: (@Sendable () async throws -> [String])? = nil, destinationDeduplicates: Bool = false
    ) async -> [String] {
        var problems: [String] = []
        var delivered: [String] = []
        for pass in ["first", "retried"] {
            let outcomes = await output.deliver(notifications, context: context)
            guard outcomes.count == notifications.count else {
                problems.append("\(pass) pass: \(outcomes.count) outcomes for \(notifications.count) notifications")
                continue
            }
            let kinds = outcomes.map(Kind.init)
            if kinds != expected {
                problems.append(
                    "\(pass) pass: outcomes \(kinds.map(\.rawValue)) for expected \(expected.map(\.rawValue))")
            }
            for (notification, outcome) in zip(notifications, outcomes) {
                if case .delivered = outcome { delivered.append(notification.idempotencyKey) }
                problems += leaks(in: outcome, secrets: secrets, notification: notification)
            }
        }
        if let observedKeys {
            do {
                let seen = try await observedKeys()
                let sent = Set(notifications.map(\.idempotencyKey))
                for key in Set(seen) where !sent.contains(key) {
                    problems.append("the destination saw key \"\(key)\", which no notification has")
                }
                for key in Set(delivered) {
                    let times = seen.filter { $0 == key }.count
                    if times != (destinationDeduplicates ? 1 : 2) {
                        problems.append("key \"\(key)\" was delivered twice and recorded \(times) time(s)")
                    }
                }
            } catch {
                problems.append("the destination's keys cannot be read: \(error)")
            }
        }
        return problems
    }

    /// Checks that `deliver(status)` — one notification to an endpoint that answers
    /// `status` — gives what the shared HTTP table says.
    public static func checkStatusTable(
        _ statuses: [Int] = [200, 204, 301, 400, 404, 408, 410, 429, 500, 503],
        deliver: (Int) async -> DeliveryOutcome
    ) async -> [String] {
        var problems: [String] = []
        for status in statuses {
            let outcome = await deliver(status)
            let expected = Kind(HTTPStatusOutcome.outcome(status: status, retryAfter: nil, service: "endpoint"))
            if Kind(outcome) != expected {
                problems.append("HTTP \(status): \(Kind(outcome).rawValue), the shared table says \(expected.rawValue)")
            }
        }
        return problems
    }

    private static func leaks(in outcome: DeliveryOutcome, secrets: [String], notification: RenderedNotification)
        -> [String]
    {
        let reason: String
        switch outcome {
        case .delivered: return []
        case .retry(_, let text), .failed(let text), .abandoned(let text): reason = text
        }
        return secrets.filter { !$0.isEmpty && reason.contains($0) }.map { _ in
            "the outcome reason of \(notification.idempotencyKey) contains a resolved secret"
        }
    }
}
