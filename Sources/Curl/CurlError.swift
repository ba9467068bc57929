import CCurl

/// Why a transfer did not produce a response.
public enum CurlError: Error, Sendable, CustomStringConvertible {
    /// curl reported a failure; `message` is curl's error buffer text, or its generic text.
    case transfer(code: Int, message: String)
    /// The server refused the transfer with a protocol reply (an SMTP 4xx/5xx): its code and
    /// its last reply line.
    case rejected(code: Int, message: String, responseCode: Int, reply: String)
    /// The response body exceeded the request's `maxResponseBytes`.
    case responseTooLarge(limit: Int)
    /// A request could not be turned into curl options (a bad URL, a NUL byte in a header).
    case invalidRequest(String)
    /// The engine was shut down before the transfer finished.
    case engineStopped
    /// The calling task was cancelled.
    case cancelled

    /// True when the transfer ran out of time (connect or total timeout).
    public var isTimeout: Bool {
        if case .transfer(let code, _) = self { return code == Int(CURLE_OPERATION_TIMEDOUT.rawValue) }
        return false
    }

    public var description: String {
        switch self {
        case .transfer(let code, let message): "\(message) (curl error \(code))"
        case .rejected(_, _, let responseCode, let reply): reply.isEmpty ? "server replied \(responseCode)" : reply
        case .responseTooLarge(let limit): "response larger than \(limit) bytes"
        case .invalidRequest(let why): "invalid request: \(why)"
        case .engineStopped: "transfer engine stopped"
        case .cancelled: "transfer cancelled"
        }
    }
}
