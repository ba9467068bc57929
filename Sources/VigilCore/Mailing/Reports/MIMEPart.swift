import Foundation

/// Just enough MIME to read bounce and complaint reports: headers (unfolded, names
/// lowercased), a content type with parameters, multipart bodies split at their boundary,
/// and base64 or quoted-printable bodies decoded. Malformed input never throws: what cannot
/// be read is simply absent.
struct MIMEPart {
    var headers: [(name: String, value: String)]
    var body: ArraySlice<UInt8>
    /// `type/subtype`, lowercased (`text/plain` when absent).
    let contentType: String

    /// Nesting deeper than this is not followed (a report nests two or three levels).
    static let maxDepth = 8

    init(_ bytes: ArraySlice<UInt8>) {
        let (headerBytes, body) = Self.split(bytes)
        self.headers = Self.parseHeaders(headerBytes)
        self.body = body
        let value = headers.first { $0.name == "content-type" }?.value
        self.contentType =
            value.flatMap {
                $0.split(separator: ";", maxSplits: 1).first.map {
                    $0.trimmingCharacters(in: .whitespaces).lowercased()
                }
            } ?? "text/plain"
    }

    /// The first value of header `name` (lowercase).
    func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// Every value of header `name` (lowercase).
    func headers(_ name: String) -> [String] { headers.filter { $0.name == name }.map(\.value) }

    /// A parameter of the content type (`boundary`, `report-type`), unquoted.
    func parameter(_ name: String) -> String? {
        guard let value = header("content-type") else { return nil }
        for piece in value.split(separator: ";").dropFirst() {
            let parts = piece.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces).lowercased() == name else {
                continue
            }
            var text = parts[1].trimmingCharacters(in: .whitespaces)
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
                text = String(text.dropFirst().dropLast())
            }
            return text
        }
        return nil
    }

    /// The body with its transfer encoding undone.
    var decodedBody: [UInt8] {
        switch header("content-transfer-encoding")?.trimmingCharacters(in: .whitespaces).lowercased() {
        case "base64":
            let text = body.filter { !($0 == 0x0D || $0 == 0x0A || $0 == 0x20 || $0 == 0x09) }
            return Data(base64Encoded: Data(text), options: .ignoreUnknownCharacters).map(Array.init) ?? []
        case "quoted-printable": return Self.quotedPrintable(body)
        default: return Array(body)
        }
    }

    /// The parts of a multipart body; empty when this is not multipart.
    var parts: [MIMEPart] {
        guard contentType.hasPrefix("multipart/"), let boundary = parameter("boundary"), !boundary.isEmpty else {
            return []
        }
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [MIMEPart] = []
        var start: Int?
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            let lineEnd = body[lineStart...].firstIndex(of: 0x0A) ?? body.endIndex
            let line = body[lineStart..<lineEnd]
            if line.starts(with: delimiter) {
                if let begin = start {
                    // The line break before the delimiter belongs to it.
                    var end = lineStart
                    if end > begin, body[end - 1] == 0x0A { end -= 1 }
                    if end > begin, body[end - 1] == 0x0D { end -= 1 }
                    parts.append(MIMEPart(body[begin..<end]))
                }
                if line.dropFirst(delimiter.count).starts(with: [0x2D, 0x2D]) { return parts }
                start = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
            }
            lineStart = lineEnd < body.endIndex ? lineEnd + 1 : body.endIndex
        }
        return parts
    }

    /// Every part of the tree, depth first, this one included.
    func flattened(depth: Int = 0) -> [MIMEPart] {
        guard depth < Self.maxDepth else { return [self] }
        var result = [self]
        for part in parts { result += part.flattened(depth: depth + 1) }
        if contentType == "message/rfc822" { result += MIMEPart(decodedBody[...]).flattened(depth: depth + 1) }
        return result
    }

    /// Header blocks separated by blank lines (a delivery-status body: the per-message
    /// fields, then one block per recipient).
    static func fieldGroups(_ bytes: [UInt8]) -> [[(name: String, value: String)]] {
        var groups: [[(name: String, value: String)]] = []
        var rest = bytes[...]
        while !rest.isEmpty {
            while rest.first == 0x0D || rest.first == 0x0A { rest = rest.dropFirst() }
            guard !rest.isEmpty else { break }
            let (block, after) = split(rest)
            let fields = parseHeaders(block.isEmpty ? rest : block)
            if !fields.isEmpty { groups.append(fields) }
            if block.isEmpty { break }
            rest = after
        }
        return groups
    }

    /// Headers and body, split at the first empty line; all headers when there is none.
    static func split(_ bytes: ArraySlice<UInt8>) -> (headers: ArraySlice<UInt8>, body: ArraySlice<UInt8>) {
        var index = bytes.startIndex
        var atLineStart = true
        while index < bytes.endIndex {
            if atLineStart {
                if bytes[index] == 0x0A { return (bytes[bytes.startIndex..<index], bytes[(index + 1)...]) }
                if bytes[index] == 0x0D, index + 1 < bytes.endIndex, bytes[index + 1] == 0x0A {
                    return (bytes[bytes.startIndex..<index], bytes[(index + 2)...])
                }
            }
            atLineStart = bytes[index] == 0x0A
            index += 1
        }
        return (bytes, bytes[bytes.endIndex...])
    }

    /// Header lines split at LF on bytes (no grapheme breaking), CR and spaces trimmed,
    /// continuation lines joined with one space.
    static func parseHeaders(_ bytes: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        func trimmed(_ slice: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
            var line = slice
            while let last = line.last, last == 0x0D || last == 0x20 || last == 0x09 { line = line.dropLast() }
            while let first = line.first, first == 0x20 || first == 0x09 { line = line.dropFirst() }
            return line
        }
        var start = bytes.startIndex
        while start < bytes.endIndex {
            let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.endIndex
            let line = bytes[start..<end]
            start = end < bytes.endIndex ? end + 1 : end
            guard let first = line.first, !(line.count == 1 && first == 0x0D) else { continue }
            if first == 0x20 || first == 0x09 {
                if !headers.isEmpty {
                    headers[headers.count - 1].value += " " + String(decoding: trimmed(line), as: UTF8.self)
                }
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            let name = trimmed(line[..<colon])
            guard !name.isEmpty else { continue }
            headers.append(
                (
                    String(decoding: name, as: UTF8.self).lowercased(),
                    String(decoding: trimmed(line[(colon + 1)...]), as: UTF8.self)
                ))
        }
        return headers
    }

    static func quotedPrintable(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 0x30...0x39: byte - 0x30
            case 0x41...0x46: byte - 0x41 + 10
            case 0x61...0x66: byte - 0x61 + 10
            default: nil
            }
        }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "="), index + 1 < bytes.endIndex {
                let next = bytes[index + 1]
                if next == 0x0A {
                    index += 2
                    continue
                }
                if next == 0x0D, index + 2 < bytes.endIndex, bytes[index + 2] == 0x0A {
                    index += 3
                    continue
                }
                if index + 2 < bytes.endIndex, let high = hex(next), let low = hex(bytes[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
            }
            output.append(byte)
            index += 1
        }
        return output
    }
}
