import VigilCore
import VigilXML

/// `feed` sources: the items of an RSS 2.0, RSS 1.0 or Atom 1.0 feed as records — key `id`
/// (the guid, else the link), name `title`, and `link`, `published` (ISO 8601) and `summary`
/// fields unless the configuration maps its own.
///
/// A new item that names a person another source tracks raises a `mention` event (see
/// ``SourceReader/raisesMentions``): news for the team, never a change of anyone's status.
/// External entities are never loaded and entity references never expanded.
public struct FeedSourceReader: SourceReader {
    /// Whether new items are matched against the people other sources track.
    public var mentions: Bool

    public var documentName: String { "an RSS or Atom feed" }
    public var accept: String { "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.8" }
    public var raisesMentions: Bool { mentions }
    /// A feed shows its latest items; one that scrolls off is kept, not removed.
    public var keepsRemovedRecords: Bool { true }

    public init(mentions: Bool = true) {
        self.mentions = mentions
    }

    static let references: Set<String> = [
        "id", "title", "link", "published", "updated", "summary", "content", "author",
    ]

    public func problem(withReference reference: String) -> String? {
        guard !Self.references.contains(reference) else { return nil }
        return "a feed item has no \"\(reference)\"; it has \(Self.references.sorted().joined(separator: ", "))"
    }

    public func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource {
        let parsed: MarkupDocument
        do {
            parsed = try MarkupDocument.xml(document)
        } catch {
            if SourceDocument.looksLikeHTMLPage(document) {
                throw .wrongType("expected an RSS or Atom feed, got an HTML page (a login or captcha page?)")
            }
            throw .parse(error.description)
        }
        guard let root = parsed.root, let items = FeedItem.items(of: root) else {
            throw .wrongType("expected an RSS or Atom feed, the document's root is <\(parsed.root?.name ?? "nothing")>")
        }
        guard !items.isEmpty else { throw .empty("the feed has no items") }
        var effective = mapping
        if effective.fields.isEmpty {
            effective.fields = [
                ("link", .init(from: "link")), ("published", .init(from: "published")),
                ("summary", .init(from: "summary")),
            ]
        }
        // A feed may repeat an item (a re-post): the first one counts.
        var builder = RecordBuilder(mapping: effective, unit: "item", checkDuplicates: false)
        var records: [Record] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let record = try builder.build(number: index + 1) { reference throws(SourceFailure) in
                guard Self.references.contains(reference) else { return .missing }
                return item.values[reference].map { .value($0) } ?? .empty
            }
            if seen.insert(record.key).inserted { records.append(record) }
        }
        return builder.finish(records)
    }
}

/// Reads `"mentions": false` (default true) for `feed` sources; items need no mapping.
public struct FeedSourceReaderFactory: SourceReaderFactory {
    public let type = "feed"
    public var defaultMapping: (key: [String], name: [String])? { (["id"], ["title"]) }

    public init() {}

    public func makeReader(options: inout ObjectReader) -> (any SourceReader)? {
        FeedSourceReader(mentions: options.optionalBool("mentions") ?? true)
    }
}
