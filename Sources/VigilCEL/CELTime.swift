import Foundation

/// CEL's ranges for time values. A result outside them is an evaluation error (the rule does
/// not match), never a wrapped value or a trap: durations are at most ±2^63−1 nanoseconds
/// (about 292 years), timestamps lie within 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z.
enum CELTime {
    static let maxDuration = Duration.milliseconds(DurationParser.maxMilliseconds)
    /// 0001-01-01T00:00:00Z.
    static let minTimestamp = Date(timeIntervalSince1970: -62_135_596_800)
    /// 9999-12-31T23:59:59.999Z.
    static let maxTimestamp = Date(timeIntervalSince1970: 253_402_300_799.999)

    static func duration(_ value: Duration) throws(CELError) -> CELValue {
        guard value <= maxDuration, value >= .zero - maxDuration else { throw CELError("duration out of range") }
        return .duration(value)
    }

    static func timestamp(_ value: Date) throws(CELError) -> CELValue {
        .timestamp(try checked(value))
    }

    static func checked(_ value: Date) throws(CELError) -> Date {
        guard value >= minTimestamp, value <= maxTimestamp else { throw CELError("timestamp out of range") }
        return value
    }

    /// `a - b` for two timestamps, in whole milliseconds (both are in range, so this cannot overflow).
    static func difference(_ a: Date, _ b: Date) throws(CELError) -> CELValue {
        let milliseconds = (a.timeIntervalSince(b) * 1000).rounded()
        guard milliseconds.magnitude < 9.2e18 else { throw CELError("duration out of range") }
        return try duration(.milliseconds(Int64(milliseconds)))
    }
}
