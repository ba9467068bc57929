/// Which character encoding an HTML document is in: the HTTP `charset` first, then a byte
/// order mark, then `<meta charset>` or `<meta http-equiv content="…charset=…">` within the
/// first 1,024 bytes (as browsers look), else nil (libxml2 then assumes its default).
public enum Charset {
    public static func detect(_ bytes: [UInt8], contentType: String?) -> String? {
        if let contentType, let declared = parameter(in: contentType.lowercased()) { return declared }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return "UTF-8" }
        if bytes.starts(with: [0xFF, 0xFE]) { return "UTF-16LE" }
        if bytes.starts(with: [0xFE, 0xFF]) { return "UTF-16BE" }
        let head = String(decoding: bytes.prefix(1024), as: Unicode.ASCII.self).lowercased()
        var searchStart = head.startIndex
        while let meta = head.range(of: "<meta", range: searchStart..<head.endIndex) {
            let end = head[meta.upperBound...].firstIndex(of: ">") ?? head.endIndex
            if let declared = parameter(in: String(head[meta.upperBound..<end])) { return declared }
            searchStart = end
        }
        return nil
    }

    /// The value after `charset=` (quoted or not) in a header or tag, if it names an encoding.
    static func parameter(in text: String) -> String? {
        guard let range = text.range(of: "charset") else { return nil }
        var rest = text[range.upperBound...].drop { $0 == " " }
        guard rest.first == "=" else { return nil }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\"" || $0 == "'" }
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" || $0 == "." }
        guard !name.isEmpty, name.count <= 40 else { return nil }
        return String(name)
    }
}
