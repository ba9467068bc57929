import Crypto
import Foundation
import Synchronization
import VigilCore

/// Signed-in team members, in memory: a session ends when it expires, when its account is
/// removed or changes role, and when `vigil serve` restarts. The cookie carries a random
/// token; only its SHA-256 is kept, so a memory dump reveals no usable cookie.
final class ConsoleSessions: Sendable {
    struct Session: Sendable {
        var user: String
        var role: ConsoleUser.Role
        /// The token every form posts back (CSRF).
        var csrf: String
        var expires: Date
        /// What the last action did, shown once on the next page.
        var flash: String?
    }

    let lifetime: TimeInterval
    private let sessions = Mutex<[String: Session]>([:])

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    /// Starts a session; returns the cookie's token.
    func start(user: ConsoleUser, at now: Date = Date()) -> String {
        let token = Self.randomToken()
        let session = Session(user: user.name, role: user.role, csrf: Self.randomToken(), expires: now + lifetime)
        sessions.withLock { table in
            table = table.filter { $0.value.expires > now }
            table[Self.digest(token)] = session
        }
        return token
    }

    /// The live session of a cookie's token, or nil.
    func session(token: String, at now: Date = Date()) -> Session? {
        guard !token.isEmpty else { return nil }
        let key = Self.digest(token)
        return sessions.withLock { table in
            guard let session = table[key] else { return nil }
            guard session.expires > now else {
                table[key] = nil
                return nil
            }
            return session
        }
    }

    func setFlash(_ message: String, token: String) {
        let key = Self.digest(token)
        sessions.withLock { $0[key]?.flash = message }
    }

    func takeFlash(token: String) -> String? {
        let key = Self.digest(token)
        return sessions.withLock { table in
            defer { table[key]?.flash = nil }
            return table[key]?.flash
        }
    }

    func end(token: String) {
        let key = Self.digest(token)
        _ = sessions.withLock { $0.removeValue(forKey: key) }
    }

    /// 32 random bytes, base64url without padding.
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    private static func digest(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Compares two secrets in time that does not depend on where they differ.
    static func same(_ first: String, _ second: String) -> Bool {
        let a = Array(first.utf8)
        let b = Array(second.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Failed logins per client address and per account name: after `limit` failures within
/// `window`, further attempts are refused until the window has passed (without checking the
/// password, so a guesser learns nothing and costs no bcrypt work).
final class LoginThrottle: Sendable {
    let limit: Int
    let window: TimeInterval
    private let failures = Mutex<[String: [Date]]>([:])

    init(limit: Int = 5, window: TimeInterval = 900) {
        self.limit = limit
        self.window = window
    }

    /// Seconds until `keys` may try again; nil when they may try now.
    func retryAfter(_ keys: [String], at now: Date = Date()) -> Int? {
        failures.withLock { table in
            var wait: TimeInterval = 0
            for key in keys {
                let recent = (table[key] ?? []).filter { now.timeIntervalSince($0) < window }
                table[key] = recent.isEmpty ? nil : recent
                if recent.count >= limit, let oldest = recent.first {
                    wait = max(wait, window - now.timeIntervalSince(oldest))
                }
            }
            return wait > 0 ? Int(wait.rounded(.up)) : nil
        }
    }

    func fail(_ keys: [String], at now: Date = Date()) {
        failures.withLock { table in
            // Guesses spread over many names or addresses cannot grow the table for ever.
            if table.count > 10_000 {
                table = table.filter { $0.value.contains { now.timeIntervalSince($0) < window } }
            }
            for key in keys { table[key, default: []].append(now) }
        }
    }

    func succeed(_ keys: [String]) {
        failures.withLock { table in
            for key in keys { table[key] = nil }
        }
    }
}
