import Foundation

/// Header text as RFC 5322 and RFC 2047 want it, with nothing able to break out of its line.
enum HeaderEncoding {
    /// Control characters (CR and LF among them) become spaces: a value can never start a new header.
    static func sanitized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }

    /// An unstructured value (Subject): ASCII as it is, folded at spaces; otherwise UTF-8
    /// encoded words of at most 75 characters, one per folded line.
    static func unstructured(_ text: String, headerName: String) -> String {
        let clean = sanitized(text)
        if clean.utf8.allSatisfy({ $0 < 0x80 }) && !clean.contains("=?") && !hasUnfoldableWord(clean) {
            return fold(clean, firstLineUsed: headerName.count + 2)
        }
        return encodedWords(clean).joined(separator: "\r\n ")
    }

    /// A display name for From/To/Reply-To: an atom run, a quoted string, or encoded words.
    static func displayName(_ name: String) -> String {
        let clean = sanitized(name).trimmingCharacters(in: .whitespaces)
        if clean.utf8.allSatisfy({ $0 < 0x80 }) && !clean.contains("=?") && clean.utf8.count <= 200 {
            let atoms = clean.utf8.allSatisfy {
                (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0)
                    || " !#$%&'*+-/=?^_`{|}~".utf8.contains($0)
            }
            if atoms { return clean }
            let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                of: "\"", with: "\\\"")
            return "\"\(escaped)\""
        }
        // Folding whitespace may stand between encoded words: a long name spans lines.
        return encodedWords(clean).joined(separator: "\r\n ")
    }

    /// A run without spaces too long to fit a line: folding at spaces cannot keep it under
    /// RFC 5322's 998-byte limit, so the value is sent as encoded words instead.
    static func hasUnfoldableWord(_ text: String) -> Bool {
        var run = 0
        for byte in text.utf8 {
            run = byte == 0x20 ? 0 : run + 1
            if run > 900 { return true }
        }
        return false
    }

    /// `Name <address>`, or `<address>` without a name.
    static func mailbox(_ address: MailAddress, name: String?) -> String {
        guard let name, !name.isEmpty else { return "<\(address.address)>" }
        return "\(displayName(name)) <\(address.address)>"
    }

    /// `=?UTF-8?B?…?=` words, split between scalars so each word is valid UTF-8 on its own
    /// (not between characters: one character may hold any number of combining marks). At
    /// most 39 bytes each: 64 characters encoded, so even the first word fits a line beside
    /// its header name.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > 39, !chunk.isEmpty {
                words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk.removeAll()
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=") }
        return words
    }

    /// Folds ASCII text at spaces so lines stay within 78 characters where possible.
    /// Unfolding (removing each CRLF) gives the text back.
    static func fold(_ text: String, firstLineUsed: Int) -> String {
        var lines: [String] = []
        var current: String?
        var limit = 78 - firstLineUsed
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            guard let line = current else {
                current = String(word)
                continue
            }
            if !line.isEmpty, !word.isEmpty, line.count + 1 + word.count > limit {
                lines.append(line)
                current = String(word)
                limit = 77
            } else {
                current = line + " " + word
            }
        }
        lines.append(current ?? "")
        return lines.joined(separator: "\r\n ")
    }
}
