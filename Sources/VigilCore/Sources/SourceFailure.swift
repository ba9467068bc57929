/// Why a source's fetch cannot be trusted this run. The run then fails closed: no person
/// events, stored state untouched, one source-health event per failure streak.
///
/// Messages name the source's problem and where it is, never a person's data.
public enum SourceFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The transfer failed (connection, timeout, TLS) or a secret could not be resolved.
    case fetch(String)
    /// The server answered with an error status.
    case httpStatus(Int)
    /// The document is not of the expected type (an HTML login page instead of JSON).
    case wrongType(String)
    /// The document could not be read into records; the message says where.
    case parse(String)
    /// The document held no records.
    case empty(String)
    /// Too large a share of the stored records disappeared at once.
    case suspiciousDrop(removed: Int, of: Int, limit: Double)

    /// A short machine-readable kind, stored with the failure streak.
    public var kind: String {
        switch self {
        case .fetch: "fetch"
        case .httpStatus: "http"
        case .wrongType: "type"
        case .parse: "parse"
        case .empty: "empty"
        case .suspiciousDrop: "drop"
        }
    }

    /// A ``kind`` in words ("an HTTP error status"), for the alert when a streak's cause changes.
    public static func describe(kind: String) -> String {
        switch kind {
        case "fetch": "the fetch failed"
        case "http": "an HTTP error status"
        case "type": "the wrong kind of document"
        case "parse": "a document that could not be read"
        case "empty": "an empty document"
        case "drop": "a suspicious drop in records"
        default: kind
        }
    }

    public var description: String {
        switch self {
        case .fetch(let message): "fetch failed: \(message)"
        case .httpStatus(let status): "server answered HTTP \(status)"
        case .wrongType(let message): "wrong document type: \(message)"
        case .parse(let message): "cannot read records: \(message)"
        case .empty(let message): "no records: \(message)"
        case .suspiciousDrop(let removed, let total, let limit):
            "\(removed) of \(total) stored records disappeared at once (more than \(Int((limit * 100).rounded()))%); "
                + "nothing applied; if this is real, run once with --accept-drop"
        }
    }
}
