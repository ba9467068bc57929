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

    /// A byte-level check that `text` has no surrounding, repeated or non-space whitespace.
    /// Non-ASCII bytes only matter in the sequences that encode Unicode spaces
    /// (U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000).
    private static func isClean(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var previousWasSpace = true  // a leading space is noise
            var index = 0
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case 0x20:
                    if previousWasSpace { return false }
                    previousWasSpace = true
                case 0x09...0x0D:
                    return false
                case 0xC2 where index + 1 < bytes.count && (bytes[index + 1] == 0x85 || bytes[index + 1] == 0xA0):
                    return false
                case 0xE1 where index + 2 < bytes.count && bytes[index + 1] == 0x9A && bytes[index + 2] == 0x80:
                    return false
                case 0xE2 where index + 2 < bytes.count:
                    let second = bytes[index + 1]
                    let third = bytes[index + 2]
                    if second == 0x80
                        && ((0x80...0x8A).contains(third) || third == 0xA8 || third == 0xA9 || third == 0xAF)
                    {
                        return false
                    }
                    if second == 0x81 && third == 0x9F { return false }
                    previousWasSpace = false
                case 0xE3 where index + 2 < bytes.count && bytes[index + 1] == 0x80 && bytes[index + 2] == 0x80:
                    return false
                default:
                    previousWasSpace = false
                }
                index += 1
            }
            return !previousWasSpace || bytes.isEmpty
        }
    }
}
