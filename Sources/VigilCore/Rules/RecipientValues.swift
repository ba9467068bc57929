import Foundation
import VigilCEL

/// A recipient's preferences read from text, the same way for the configuration and for a
/// recipients file; a failure is the message to report.
enum RecipientValues {
    static func events(_ names: [String]) -> Result<Set<Event.Kind>, Problem> {
        var set: Set<Event.Kind> = []
        for name in names {
            guard let kind = Event.Kind(rawValue: name) else {
                return .failure(
                    Problem(
                        "unknown event kind \"\(name)\"; expected: "
                            + Event.Kind.allCases.map(\.rawValue).joined(separator: ", ")))
            }
            set.insert(kind)
        }
        return .success(set)
    }

    /// `immediate` (nil), `run`, or a duration.
    static func digest(_ text: String) -> Result<DigestWindow?, Problem> {
        if text == "immediate" { return .success(nil) }
        guard let window = DigestWindow.parse(text) else {
            return .failure(Problem("expected \"immediate\", \"run\" or a duration such as \"1d\""))
        }
        return .success(window)
    }

    static func mutedUntil(_ text: String) -> Result<Date, Problem> {
        guard let date = Timestamp.parseRFC3339(text) else {
            return .failure(Problem("expected an RFC 3339 time such as \"2026-12-31T00:00:00Z\""))
        }
        return .success(date)
    }

    /// Why a value is refused.
    struct Problem: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }
}
