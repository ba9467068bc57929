/// Quoted-printable (RFC 2045) for UTF-8 text bodies: CRLF line ends, lines of at most 76
/// characters, `=` soft breaks, trailing white space protected.
enum QuotedPrintable {
    private static let hex = Array("0123456789ABCDEF".utf8)

    /// Works on the UTF-8 bytes: a line ends at LF (a CR before it belongs to the break);
    /// every other byte is a literal or an `=XX` escape, without a copy per line or byte.
    static func encode(_ text: String) -> [UInt8] {
        let utf8 = text.utf8
        var output: [UInt8] = []
        output.reserveCapacity(utf8.count + utf8.count / 8 + 16)
        var line: [UInt8] = []
        line.reserveCapacity(128)
        for byte in utf8 {
            if byte == 0x0A {
                if line.last == 0x0D { line.removeLast() }
                append(line, to: &output)
                output.append(0x0D)
                output.append(0x0A)
                line.removeAll(keepingCapacity: true)
            } else {
                line.append(byte)
            }
        }
        append(line, to: &output)
        return output
    }

    /// One line's bytes, soft-broken before 76 columns.
    private static func append(_ line: [UInt8], to output: inout [UInt8]) {
        var column = 0
        let last = line.count - 1
        for (index, byte) in line.enumerated() {
            let isLast = index == last
            let literal =
                ((byte == 0x20 || byte == 0x09) && !isLast) || (byte >= 33 && byte <= 126 && byte != UInt8(ascii: "="))
            let width = literal ? 1 : 3
            // Keep room for a soft break "=" unless this token ends the line.
            if column + width > (isLast ? 76 : 75) {
                output.append(UInt8(ascii: "="))
                output.append(0x0D)
                output.append(0x0A)
                column = 0
            }
            if literal {
                output.append(byte)
            } else {
                output.append(UInt8(ascii: "="))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 0x0F)])
            }
            column += width
        }
    }
}
