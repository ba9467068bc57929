import Foundation

/// Waits a server asks for (`Retry-After`, Matrix's `retry_after_ms`), read once for every
/// output. A server is not trusted to hold a run: negative, unreadable or absurd values
/// (beyond ``ServerWait/absurd``) are ignored, so the output's own default applies, and
/// every accepted value is clamped to the caller's bound.
public enum ServerWait {
    /// Longer than any sane back-off: a value beyond this is treated as garbage.
    public static let absurd: Duration = .seconds(30 * 86_400)

    /// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
    public static func retryAfter(_ value: String?, now: Date = Date(), bound: Duration) -> Duration? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int64(value) { return clamp(seconds: seconds, bound: bound) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        let seconds = date.timeIntervalSince(now).rounded(.up)
        guard seconds.magnitude < 1e12 else { return nil }
        return clamp(seconds: max(0, Int64(seconds)), bound: bound)
    }

    /// A wait given in milliseconds (Matrix's `retry_after_ms`).
    public static func milliseconds(_ value: Int64?, bound: Duration) -> Duration? {
        guard let value, value >= 0, value <= Int64(absurd.components.seconds) * 1000 else { return nil }
        return min(.milliseconds(value), bound)
    }

    private static func clamp(seconds: Int64, bound: Duration) -> Duration? {
        guard seconds >= 0, seconds <= absurd.components.seconds else { return nil }
        return min(.seconds(seconds), bound)
    }
}
