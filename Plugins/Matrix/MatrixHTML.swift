import VigilCore

/// The HTML a Matrix message may carry: `org.matrix.custom.html` with only the tags the
/// client-server spec lists; other tags are dropped (their text kept, `script`/`style` text
/// dropped too), and attributes are dropped except a safe `href` on links.
enum MatrixHTML {
    static let allowedTags: Set<String> = [
        "font", "del", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "p", "a", "ul", "ol", "sup", "sub", "li", "b",
        "i", "u", "strong", "em", "strike", "code", "hr", "br", "div", "table", "thead", "tbody", "tr", "th", "td",
        "caption", "pre", "span", "details", "summary", "s",
    ]

    static func escape(_ text: String) -> String { HTMLText.escape(text) }

    /// A plain-text notification as HTML: escaped, line breaks kept.
    static func fromText(_ text: String) -> String {
        escape(text.hasSuffix("\n") ? String(text.dropLast()) : text).replacingOccurrences(of: "\n", with: "<br>")
    }

    /// Keeps only allowed tags and safe link targets.
    static func sanitize(_ html: String) -> String {
        var output = ""
        var index = html.startIndex
        var skipping: String?
        while index < html.endIndex {
            let character = html[index]
            guard character == "<", let close = html[index...].firstIndex(of: ">") else {
                if skipping == nil { output.append(character == "<" ? "&lt;" : String(character)) }
                index = html.index(after: index)
                continue
            }
            let inner = html[html.index(after: index)..<close]
            index = html.index(after: close)
            let closing = inner.hasPrefix("/")
            let name = inner.drop(while: { $0 == "/" }).prefix(while: { $0.isLetter || $0.isNumber }).lowercased()
            if let skipped = skipping {
                if closing && name == skipped { skipping = nil }
                continue
            }
            if name == "script" || name == "style" {
                if !closing && !inner.hasSuffix("/") { skipping = name }
                continue
            }
            guard allowedTags.contains(name) else { continue }
            if closing {
                output += "</\(name)>"
            } else if name == "a", let href = attribute("href", in: String(inner)), isSafeLink(href) {
                output += "<a href=\"\(escape(href))\">"
            } else {
                output += "<\(name)>"
            }
        }
        return output
    }

    private static func attribute(_ name: String, in tag: String) -> String? {
        guard let range = tag.range(of: name + "=\"") else { return nil }
        let rest = tag[range.upperBound...]
        guard let end = rest.firstIndex(of: "\"") else { return nil }
        return String(rest[..<end])
    }

    private static func isSafeLink(_ href: String) -> Bool {
        let lower = href.lowercased()
        return lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:")
            || lower.hasPrefix("matrix:")
    }
}
