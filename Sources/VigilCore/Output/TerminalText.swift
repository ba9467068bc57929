/// Makes text safe to print on a terminal: control characters that a terminal would act on
/// (ESC sequences that move the cursor, retitle the window or hide text; C1 controls such as
/// CSI; DEL) and the bidirectional controls that reorder what a line appears to say are shown
/// as visible escapes. For terminal output only: emails, webhooks and Matrix carry data exactly.
public enum TerminalText {
    /// Whether `scalar` is shown escaped. Line feeds and tabs are kept unless `singleLine`.
    @inline(__always)
    static func isUnsafe(_ scalar: Unicode.Scalar, singleLine: Bool) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return singleLine
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }

    /// `text` with unsafe scalars written as `\u{1B}`.
    public static func escape(_ text: String, singleLine: Bool = false) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, singleLine: singleLine) }) else { return text }
        var output = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, singleLine: singleLine) {
                output.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// JSON text with the same scalars written as JSON `\u` escapes: still the same JSON
    /// (they can only occur inside strings), but harmless on a terminal.
    public static func escapeJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: { isUnsafe($0, singleLine: true) }) else { return json }
        var output = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if isUnsafe(scalar, singleLine: true) {
                let hex = String(scalar.value, radix: 16)
                output.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).unicodeScalars)
            } else {
                output.append(scalar)
            }
        }
        return String(output)
    }
}
