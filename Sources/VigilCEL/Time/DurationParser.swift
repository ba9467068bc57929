/// Parses durations written as strings: `"500ms"`, `"30s"`, `"15m"`, `"6h"`, `"35d"`, `"2w"`,
/// and combinations such as `"1h30m"`.
public enum DurationParser {
    /// A duration as a person reads it: `35 days`, `7 hours`, `90 minutes`, `30 seconds`.
    public static func describe(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        for (size, unit) in [(Int64(86_400), "day"), (3600, "hour"), (60, "minute")]
        where seconds % size == 0 && seconds >= size {
            let count = seconds / size
            return "\(count) \(unit)\(count == 1 ? "" : "s")"
        }
        return "\(seconds) second\(seconds == 1 ? "" : "s")"
    }

    /// The longest duration Vigil (like CEL) represents: ±2^63−1 nanoseconds, about 292 years.
    /// Longer texts are refused rather than wrapped or trapped on.
    public static let maxMilliseconds: Int64 = Int64.max / 1_000_000

    /// Parses `"90m"`, `"1h30m"`, `"35d"`; nil for anything else, and for a duration beyond
    /// ``maxMilliseconds`` (every step is overflow-checked: a hostile value never traps).
    public static func parse(_ text: String) -> Duration? {
        var total: Int64 = 0
        var digits: Int64? = nil
        var unit = ""
        var sawComponent = false
        func flush() -> Bool {
            guard let value = digits, !unit.isEmpty else { return false }
            let multiplier: Int64
            switch unit {
            case "ms": multiplier = 1
            case "s": multiplier = 1000
            case "m": multiplier = 60_000
            case "h": multiplier = 3_600_000
            case "d": multiplier = 86_400_000
            case "w": multiplier = 604_800_000
            default: return false
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
            let (sum, sumOverflow) = total.addingReportingOverflow(product)
            guard !overflow, !sumOverflow, sum <= maxMilliseconds else { return false }
            total = sum
            digits = nil
            unit = ""
            sawComponent = true
            return true
        }
        for scalar in text.unicodeScalars {
            if ("0"..."9").contains(scalar) {
                if !unit.isEmpty, !flush() { return nil }
                let (shifted, overflow) = (digits ?? 0).multipliedReportingOverflow(by: 10)
                let (next, addOverflow) = shifted.addingReportingOverflow(Int64(scalar.value - 48))
                guard !overflow, !addOverflow else { return nil }
                digits = next
            } else if ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) {
                guard digits != nil else { return nil }
                unit.unicodeScalars.append(scalar)
            } else {
                return nil
            }
        }
        guard flush(), sawComponent else { return nil }
        return .milliseconds(total)
    }

    /// The shortest form that ``parse(_:)`` reads back ("1h30m", "35d", "250ms").
    public static func format(_ duration: Duration) -> String {
        if duration < .zero { return "-" + format(.zero - duration) }
        // Durations Vigil makes are within ±292 years; clamp anything else instead of overflowing.
        let whole = min(duration.components.seconds, maxMilliseconds / 1000)
        let milliseconds = whole * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        if milliseconds % 1000 != 0 { return "\(milliseconds)ms" }
        var seconds = milliseconds / 1000
        if seconds == 0 { return "0s" }
        var text = ""
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where seconds >= size {
            text += "\(seconds / size)\(unit)"
            seconds %= size
        }
        return text
    }
}

/// The ranges configured bounds must fall in.
public enum Bounds {
    /// Network timeouts: long enough for a slow server, short enough that a run ends.
    public static let timeout: ClosedRange<Duration> = .milliseconds(100)...(.seconds(3600))
}
