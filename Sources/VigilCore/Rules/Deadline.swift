import Foundation
import VigilCEL

/// A condition over time on a person's stored dates, evaluated every run: `overdue` when a
/// date lies further back than `within` (no ICRC visit for 35 days), `upcoming` when it lies
/// less than `within` ahead (a hearing in 7 days). Each fires once per occurrence and re-arms
/// when the field's value changes.
public struct Deadline: Sendable, Equatable {
    /// Whether the date is looked at after it passed (`overdue`) or before it comes (`upcoming`).
    public enum Direction: String, Sendable {
        case overdue
        case upcoming
    }

    public var id: String
    /// The record field holding a date (`YYYY-MM-DD` or RFC 3339).
    public var field: String
    public var direction: Direction
    public var within: Duration
    /// The sources it applies to; nil for all.
    public var sources: Set<String>?

    public init(id: String, field: String, direction: Direction, within: Duration, sources: Set<String>? = nil) {
        self.id = id
        self.field = field
        self.direction = direction
        self.within = within
        self.sources = sources
    }

    /// What the stored index was built for; a change rebuilds it.
    var specification: String {
        "\(field)|\(direction.rawValue)|\(within.timeInterval)|\((sources ?? []).sorted().joined(separator: ","))"
    }

    func applies(to sourceID: String) -> Bool { sources?.contains(sourceID) ?? true }

    /// When the deadline becomes due for a record, and when it stops being worth telling
    /// (a hearing date that has passed); nil when the field is absent or not a date.
    public func window(for record: Record) -> Watch? {
        guard let value = record.field(field), let date = Self.date(value) else { return nil }
        let seconds = within.timeInterval
        switch direction {
        case .overdue:
            return Watch(value: value, dueAt: date.addingTimeInterval(seconds), expiresAt: nil)
        case .upcoming:
            return Watch(value: value, dueAt: date.addingTimeInterval(-seconds), expiresAt: date)
        }
    }

    /// One record's deadline: due from `dueAt`, until `expiresAt`.
    public struct Watch: Sendable, Equatable {
        public var value: String
        public var dueAt: Date
        public var expiresAt: Date?
    }

    /// The message of a fired deadline (no personal data beyond the date itself).
    func message(value: String) -> String {
        let amount = DurationParser.describe(within)
        switch direction {
        case .overdue: return "\(field) \(value) is more than \(amount) ago"
        case .upcoming: return "\(field) \(value) is less than \(amount) away"
        }
    }

    /// `2026-11-30` (midnight UTC) or an RFC 3339 time.
    static func date(_ text: String) -> Date? {
        if text.utf8.count == 10 { return Timestamp.parseRFC3339(text + "T00:00:00Z") }
        return Timestamp.parseRFC3339(text)
    }
}

/// One stored deadline watch row (see ``Deadline/window(for:)``).
public struct DeadlineWatchRow: Sendable, Equatable {
    public var deadlineID: String
    public var sourceID: String
    public var key: String
    /// nil: the record has no date for it any more; the row is removed.
    public var watch: Deadline.Watch?
    /// Stored as already fired (a source's baseline is silent, deadlines included).
    public var fired = false
}
