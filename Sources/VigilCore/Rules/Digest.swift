import Foundation
import VigilCEL

/// How notifications are gathered into one message for a recipient.
public enum DigestWindow: Sendable, Equatable {
    /// Everything of one run in one message.
    case run
    /// Everything within this time after the first item, in one message.
    case every(Duration)

    /// The window in seconds (0 for a run).
    public var seconds: Double {
        switch self {
        case .run: 0
        case .every(let duration): duration.timeInterval
        }
    }

    /// Reads `"run"` or a duration such as `"1d"`.
    static func parse(_ text: String) -> DigestWindow? {
        if text == "run" { return .run }
        return DurationParser.parse(text).map(DigestWindow.every)
    }
}

/// A notification waiting to be gathered into a digest (stored, rendered, until its window ends).
public struct DigestItem: Sendable {
    public var recipientID: String
    public var outputID: String
    public var address: String?
    public var window: Double
    /// The template set the digest is rendered with.
    public var template: String
}
