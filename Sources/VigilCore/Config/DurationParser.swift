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

    public static func parse(_ text: String) -> Duration? {
        var total: Duration = .zero
        var digits = ""
        var unit = ""
        var sawComponent = false
        func flush() -> Bool {
            guard let value = Int64(digits), !unit.isEmpty else { return false }
            let multiplier: Duration
            switch unit {
            case "ms": multiplier = .milliseconds(1)
            case "s": multiplier = .seconds(1)
            case "m": multiplier = .seconds(60)
            case "h": multiplier = .seconds(3600)
            case "d": multiplier = .seconds(86_400)
            case "w": multiplier = .seconds(604_800)
            default: return false
            }
            total += multiplier * value
            digits = ""
            unit = ""
            sawComponent = true
            return true
        }
        for character in text {
            if character.isASCII, character.isNumber {
                if !unit.isEmpty, !flush() { return nil }
                digits.append(character)
            } else if character.isASCII, character.isLetter {
                guard !digits.isEmpty else { return nil }
                unit.append(character)
            } else {
                return nil
            }
        }
        guard flush(), sawComponent else { return nil }
        return total
    }

    /// The shortest form that ``parse(_:)`` reads back ("1h30m", "35d", "250ms").
    public static func format(_ duration: Duration) -> String {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
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
