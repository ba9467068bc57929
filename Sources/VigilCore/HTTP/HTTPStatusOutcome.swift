import Foundation

/// The one table of what an HTTP answer means for a delivery, shared by every HTTP output:
///
/// | status | outcome |
/// |---|---|
/// | 2xx | delivered |
/// | 408, 429, 5xx | retry, no sooner than `Retry-After` (seconds or an HTTP date) |
/// | 410 | failed: the endpoint is gone |
/// | 3xx | failed: redirects are not followed |
/// | other 4xx | failed: refused |
///
/// A plugin adds its protocol's own cases before falling back to it (Matrix's expired
/// token, say).
public enum HTTPStatusOutcome {
    /// The outcome of `status` from `service` ("webhook endpoint", "Matrix homeserver");
    /// `body` is quoted (200 bytes at most, control characters blanked) in the reason.
    public static func outcome(
        status: Int, retryAfter: Duration?, body: [UInt8] = [], service: String
    ) -> DeliveryOutcome {
        let snippet = String(decoding: body.prefix(200), as: UTF8.self)
            .unicodeScalars.map { $0.value < 0x20 ? " " : String($0) }.joined()
        let detail = snippet.isEmpty ? "" : ": \(snippet)"
        switch status {
        case 200..<300:
            return .delivered
        case 408, 429, 500..<600:
            return .retry(after: retryAfter, reason: "\(service) answered HTTP \(status)\(detail)")
        case 410:
            return .failed(reason: "\(service) is gone (HTTP 410)\(detail); remove or replace it in the configuration")
        case 300..<400:
            return .failed(reason: "\(service) answered a redirect (HTTP \(status)); redirects are not followed")
        default:
            return .failed(reason: "\(service) refused the notification (HTTP \(status))\(detail)")
        }
    }

    /// True for the statuses the table retries.
    public static func isTransient(_ status: Int) -> Bool {
        status == 408 || status == 429 || (500..<600).contains(status)
    }
}
