/// Quoted-printable (RFC 2045) for UTF-8 text bodies: CRLF line ends, lines of at most 76
/// characters, `=` soft breaks, trailing white space protected.
enum QuotedPrintable {
    static func encode(_ text: String) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        let lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(
            separator: "\n", omittingEmptySubsequences: false)
        for (lineIndex, line) in lines.enumerated() {
            if lineIndex > 0 { output += [0x0D, 0x0A] }
            let bytes = Array(line.utf8)
            var column = 0
            for (index, byte) in bytes.enumerated() {
                let isLast = index == bytes.count - 1
                var token: [UInt8]
                if (byte == 0x20 || byte == 0x09) && !isLast {
                    token = [byte]
                } else if byte >= 33 && byte <= 126 && byte != UInt8(ascii: "=") {
                    token = [byte]
                } else {
                    token = [UInt8(ascii: "="), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
                }
                // Keep room for a soft break "=" unless this token ends the line.
                let room = isLast ? 76 : 75
                if column + token.count > room {
                    output += [UInt8(ascii: "="), 0x0D, 0x0A]
                    column = 0
                }
                output += token
                column += token.count
            }
        }
        return output
    }
}
