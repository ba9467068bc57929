/// Makes text safe to print on a terminal: control characters that a terminal would act on
/// (ESC sequences that move the cursor, retitle the window or hide text; C1 controls such as
/// CSI; DEL) and the bidirectional controls that reorder what a line appears to say are shown
/// as visible escapes. For terminal output only: emails, webhooks and Matrix carry data exactly.
package enum TerminalText {
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
    package static func escape(_ text: String, singleLine: Bool = false) -> String {
        replacingUnsafe(in: text, singleLine: singleLine) { scalar, output in
            output += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
        }
    }

    /// JSON text with the same scalars written as JSON `\u` escapes: still the same JSON
    /// (they can only occur inside strings), but harmless on a terminal.
    package static func escapeJSON(_ json: String) -> String {
        replacingUnsafe(in: json, singleLine: true) { scalar, output in
            JSONWriter.appendUnicodeEscape(scalar, to: &output)
        }
    }

    private static func replacingUnsafe(
        in text: String, singleLine: Bool, with replacement: (Unicode.Scalar, inout String) -> Void
    ) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0, singleLine: singleLine) }) else { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if isUnsafe(scalar, singleLine: singleLine) {
                replacement(scalar, &output)
            } else {
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }
}
