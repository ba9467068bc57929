import Foundation
import VigilXML

/// One RSS 2.0, RSS 1.0 or Atom 1.0 item, with the values a feed source's mapping refers to:
/// `id`, `title`, `link`, `published`, `updated`, `summary`, `content`, `author`.
struct FeedItem {
    var values: [String: String] = [:]

    /// The items of a feed document, in document order; nil when the root is not a feed.
    static func items(of root: MarkupNode) -> [FeedItem]? {
        switch root.name {
        case "rss":
            return (root.element("channel")?.elements ?? []).filter { $0.name == "item" }.map(rss)
        case "RDF":
            return root.elements.filter { $0.name == "item" }.map(rss)
        case "feed":
            return root.elements.filter { $0.name == "entry" }.map(atom)
        default:
            return nil
        }
    }

    static func rss(_ item: MarkupNode) -> FeedItem {
        var feed = FeedItem()
        feed.values["title"] = item.element("title").map(markupText)
        feed.values["link"] = item.element("link")?.rawText
        feed.values["summary"] = item.element("description").map(markupText)
        feed.values["content"] = item.element("encoded").map(markupText)
        feed.values["author"] = (item.element("creator") ?? item.element("author"))?.rawText
        if let date = (item.element("pubDate") ?? item.element("date"))?.rawText {
            feed.values["published"] = FeedDate.iso8601(date) ?? date
        }
        feed.values["id"] = item.element("guid")?.rawText ?? item.attribute("about") ?? feed.values["link"]
        return feed.cleaned()
    }

    static func atom(_ entry: MarkupNode) -> FeedItem {
        var feed = FeedItem()
        feed.values["id"] = entry.element("id")?.rawText
        feed.values["title"] = entry.element("title").map(markupText)
        let links = entry.elements.filter { $0.name == "link" }
        let alternate = links.first { ($0.attribute("rel") ?? "alternate") == "alternate" } ?? links.first
        feed.values["link"] = alternate?.attribute("href")
        feed.values["summary"] = entry.element("summary").map(markupText)
        feed.values["content"] = entry.element("content").map(markupText)
        feed.values["author"] = entry.element("author")?.element("name")?.rawText
        if let date = entry.element("published")?.rawText {
            feed.values["published"] = FeedDate.iso8601(date) ?? date
        }
        if let date = entry.element("updated")?.rawText {
            feed.values["updated"] = FeedDate.iso8601(date) ?? date
            if feed.values["published"] == nil { feed.values["published"] = feed.values["updated"] }
        }
        if feed.values["id"] == nil { feed.values["id"] = feed.values["link"] }
        return feed.cleaned()
    }

    /// An element's text; escaped HTML (RSS descriptions, `type="html"` Atom text) read as
    /// HTML, so "&lt;b&gt;Name&lt;/b&gt;" is "Name".
    static func markupText(_ node: MarkupNode) -> String {
        let text = node.rawText
        guard text.contains("<"),
            let html = try? MarkupDocument.html(Array("<div>\(text)</div>".utf8), encoding: "UTF-8"),
            let root = html.root
        else { return node.text }
        return root.text
    }

    private func cleaned() -> FeedItem {
        var copy = self
        copy.values = values.filter { !$0.value.isEmpty }
        return copy
    }
}

/// Feed dates to ISO 8601: RFC 822 (RSS `pubDate`) and RFC 3339 (Atom), kept as UTC.
enum FeedDate {
    static func iso8601(_ text: String) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let output = ISO8601DateFormatter()
        output.formatOptions = [.withInternetDateTime]
        let rfc3339 = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [
            [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds],
        ] {
            rfc3339.formatOptions = options
            if let date = rfc3339.date(from: trimmed) { return output.string(from: date) }
        }
        let rfc822 = DateFormatter()
        rfc822.locale = Locale(identifier: "en_US_POSIX")
        rfc822.timeZone = TimeZone(identifier: "UTC")
        for format in [
            "EEE, d MMM yyyy HH:mm:ss Z", "d MMM yyyy HH:mm:ss Z", "EEE, d MMM yyyy HH:mm Z",
            "EEE, d MMM yyyy HH:mm:ss zzz",
        ] {
            rfc822.dateFormat = format
            if let date = rfc822.date(from: trimmed) { return output.string(from: date) }
        }
        return nil
    }
}
