/// Removes the noise that must never read as a change: surrounding whitespace and runs
/// of spaces, tabs, line breaks and no-break spaces inside a value.
public enum TextNormalizer {
    public static func clean(_ text: String) -> String {
        if isClean(text) { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !output.isEmpty
            } else {
                if pendingSpace { output.append(" ") }
                pendingSpace = false
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// The form status words are compared in: cleaned and lowercased.
    public static func statusKey(_ text: String) -> String {
        clean(text).lowercased()
    }

    private static func isClean(_ text: String) -> Bool {
        var previousWasSpace = true  // a leading space is noise
        for byte in text.utf8 {
            switch byte {
            case 0x20:
                if previousWasSpace { return false }
                previousWasSpace = true
            case 0x09, 0x0A, 0x0B, 0x0C, 0x0D: return false
            case 0x80...: return allScalarsClean(text)
            default: previousWasSpace = false
            }
        }
        return !previousWasSpace || text.isEmpty
    }

    private static func allScalarsClean(_ text: String) -> Bool {
        var previousWasSpace = true
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                if previousWasSpace || scalar != " " { return false }
                previousWasSpace = true
            } else {
                previousWasSpace = false
            }
        }
        return !previousWasSpace || text.isEmpty
    }
}
