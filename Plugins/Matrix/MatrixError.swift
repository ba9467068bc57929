import Curl
import VigilCore

/// A failed client-server API call: the HTTP status and the server's `errcode`/`error`.
struct MatrixError: Error, Sendable, CustomStringConvertible {
    var status: Int
    var errcode: String?
    var message: String?
    /// From `retry_after_ms` or `Retry-After`, on 429 / `M_LIMIT_EXCEEDED`.
    var retryAfter: Duration?
    /// A transfer that never got an answer (connection refused, timeout).
    var transport: String?

    init(response: CurlResponse) {
        status = response.status
        let body = try? JSONParser.parse(response.body)
        errcode = body?["errcode"]?.scalarText
        message = body?["error"]?.scalarText
        // Either form, as seconds or an HTTP date; negative or absurd values are ignored.
        retryAfter =
            ServerWait.milliseconds(body?["retry_after_ms"]?.scalarText.flatMap { Int64($0) }, bound: ServerWait.absurd)
            ?? ServerWait.retryAfter(response.header("Retry-After"), bound: ServerWait.absurd)
    }

    init(transport: String) {
        status = 0
        self.transport = transport
    }

    var isRateLimited: Bool { status == 429 || errcode == "M_LIMIT_EXCEEDED" }
    var isUnknownToken: Bool { status == 401 && (errcode == "M_UNKNOWN_TOKEN" || errcode == "M_MISSING_TOKEN") }

    var description: String {
        if let transport { return "Matrix homeserver unreachable: \(transport)" }
        var text = "HTTP \(status)"
        if let errcode { text += " \(errcode)" }
        if let message { text += ": \(message)" }
        return text
    }

    /// Unreachable servers and `M_LIMIT_EXCEEDED` retry; otherwise the shared HTTP table
    /// (408, 429, 5xx retry; other 4xx such as 401, 403 `M_FORBIDDEN`, 404 are permanent).
    var outcome: DeliveryOutcome {
        if transport != nil || isRateLimited || HTTPStatusOutcome.isTransient(status) {
            return .retry(after: retryAfter, reason: description)
        }
        return .failed(reason: description)
    }
}
