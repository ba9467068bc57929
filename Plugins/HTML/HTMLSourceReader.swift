import Foundation
import VigilCore
import VigilXML

/// `html` sources: records are the rows of an HTML table (columns by header text) or the
/// elements a `rows` selector picks (fields by selectors relative to each row), across
/// pages linked by a `next` selector; or the document an export `link` on the page points to.
///
/// A page whose rows vanish — a redesign, a login wall, a captcha — has zero records and
/// fails closed, as every source does.
public struct HTMLSourceReader: SourceReader {
    /// Where the records are on a page.
    public enum Layout: Sendable {
        /// A table, columns referred to by header text; `selector` picks the candidate tables
        /// (the first whose header has every referenced column is read).
        case table(selector: String)
        /// Elements picked by `selector`; each mapping reference is a selector relative to one.
        case rows(selector: String)
    }

    public var layout: Layout
    public var syntax: SelectorSyntax
    /// The selector of the next page's link, and the most pages one reading follows.
    public var next: String?
    public var maxPages: Int
    /// The selector of a link to the real document (an export whose address changes), and
    /// the reader of that document.
    public var link: (selector: String, reader: any SourceReader)?

    public var documentName: String { link.map { "HTML page linking to \($0.reader.documentName)" } ?? "HTML" }
    public var accept: String { "text/html, application/xhtml+xml;q=0.9, */*;q=0.5" }
    public var readsHTML: Bool { true }
    public var followsLinks: Bool { next != nil || link != nil }

    public init(
        layout: Layout, syntax: SelectorSyntax = .css, next: String? = nil, maxPages: Int = 50,
        link: (selector: String, reader: any SourceReader)? = nil
    ) {
        self.layout = layout
        self.syntax = syntax
        self.next = next
        self.maxPages = maxPages
        self.link = link
    }

    public func problem(withReference reference: String) -> String? {
        guard link == nil, case .rows = layout else { return link?.reader.problem(withReference: reference) }
        do {
            _ = try syntax.compile(reference, relative: true)
            return nil
        } catch {
            return error.message
        }
    }

    public func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource {
        try await read(SourceDocument(bytes: document), context: SourceReadContext(sourceID: "", mapping: mapping))
    }

    public func read(_ document: SourceDocument, context: SourceReadContext) async throws(SourceFailure)
        -> ParsedSource
    {
        if let link {
            let target = try linkTarget(in: document, selector: link.selector)
            let linked = try await context.fetch(target)
            guard !linked.isBlank else {
                throw .empty("the linked document \(SourceFetcher.redacted(target)) is empty")
            }
            return try await link.reader.read(linked, context: context)
        }
        let selectors = try PageSelectors(self, mapping: context.mapping)
        var builder = RecordBuilder(mapping: context.mapping, unit: "row")
        var records: [Record] = []
        var page = document
        var visited: Set<String> = [document.url ?? ""]
        for pageNumber in 1... {
            let nextURL = try readPage(
                page, number: pageNumber, selectors: selectors, builder: &builder, into: &records)
            guard let nextURL, visited.insert(nextURL).inserted else { break }
            guard pageNumber < maxPages else {
                throw .parse(
                    "page \(pageNumber) still links to a next page and maxPages is \(maxPages); "
                        + "raise \"maxPages\" if the list is really that long")
            }
            page = try await context.fetch(nextURL)
        }
        return builder.finish(records)
    }

    /// The selectors of one reading, compiled once for all its pages: where the records are,
    /// the next page's link, and (for `rows`) each mapping reference relative to a row.
    private struct PageSelectors {
        var records: XPath
        var next: XPath?
        var fields: [String: XPath] = [:]

        init(_ reader: HTMLSourceReader, mapping: FieldMapping) throws(SourceFailure) {
            switch reader.layout {
            case .table(let selector):
                records = try reader.compile(selector)
            case .rows(let selector):
                records = try reader.compile(selector)
                for reference in mapping.references where fields[reference] == nil {
                    fields[reference] = try reader.compile(reference, relative: true)
                }
            }
            next = try reader.next.map { selector throws(SourceFailure) in try reader.compile(selector) }
        }
    }

    /// `selector` in the source's syntax as XPath; a selector that does not compile fails the reading.
    private func compile(_ selector: String, relative: Bool = false) throws(SourceFailure) -> XPath {
        do {
            return try syntax.compile(selector, relative: relative)
        } catch {
            throw .parse(error.message)
        }
    }

    /// Reads one page's rows into `records`; returns the next page's address, if any.
    private func readPage(
        _ page: SourceDocument, number: Int, selectors: PageSelectors, builder: inout RecordBuilder,
        into records: inout [Record]
    ) throws(SourceFailure) -> String? {
        let evaluator = try Self.evaluator(for: page)
        let where_ = number == 1 ? "the page" : "page \(number)"
        let before = records.count
        switch layout {
        case .table(let selector):
            try readTable(
                selector, matching: selectors.records, evaluator: evaluator, page: where_, builder: &builder,
                into: &records)
        case .rows:
            try readRows(
                selectors.records, fields: selectors.fields, evaluator: evaluator, builder: &builder, into: &records)
        }
        guard records.count > before else {
            throw .empty("\(where_) has no rows (a redesign, a login wall or a captcha?)")
        }
        guard let next = selectors.next else { return nil }
        return try links(next, evaluator: evaluator, base: page.url).first
    }

    /// `selector` is the table selector as configured, for messages; `tables` its XPath.
    private func readTable(
        _ selector: String, matching tables: XPath, evaluator: XPathEvaluator, page: String,
        builder: inout RecordBuilder, into records: inout [Record]
    ) throws(SourceFailure) {
        let candidates = try select(tables, evaluator: evaluator).filter { $0.name == "table" }
        guard let first = candidates.first else {
            throw .empty("\(page) has no table matching \"\(selector)\" (a redesign, a login wall or a captcha?)")
        }
        let references = Set(builder.mapping.references)
        var chosen: (table: HTMLTable, index: [String: Int])?
        for candidate in candidates {
            let table = HTMLTable(candidate)
            var index: [String: Int] = [:]
            for (position, name) in table.header.enumerated() where index[name] == nil { index[name] = position }
            if references.allSatisfy({ index[$0] != nil }) {
                chosen = (table, index)
                break
            }
        }
        guard let (table, index) = chosen else {
            let header = HTMLTable(first).header
            let missing = references.filter { !header.contains($0) }.sorted()
            throw .parse(
                "no table on \(page) has the column\(missing.count == 1 ? "" : "s") "
                    + missing.map { "\"\($0)\"" }.joined(separator: ", ")
                    + " (the first table's header: \(header.prefix(12).joined(separator: ", ")))")
        }
        for cells in table.rows where cells.contains(where: { !$0.isEmpty }) {
            let number = records.count + 1
            let record = try builder.build(number: number) { reference throws(SourceFailure) in
                guard let position = index[reference] else { return .missing }
                let value = cells[position]
                return value.isEmpty ? .empty : .value(value)
            }
            records.append(record)
        }
    }

    private func readRows(
        _ rows: XPath, fields: [String: XPath], evaluator: XPathEvaluator, builder: inout RecordBuilder,
        into records: inout [Record]
    ) throws(SourceFailure) {
        for row in try select(rows, evaluator: evaluator) {
            let number = records.count + 1
            let record = try builder.build(number: number) { reference throws(SourceFailure) in
                guard let xpath = fields[reference] else { return .missing }
                let value: String?
                do {
                    value = try evaluator.text(xpath, from: row)
                } catch {
                    throw .parse("selector \"\(reference)\": \(error)")
                }
                guard let value, !value.isEmpty else { return .empty }
                return .value(value)
            }
            records.append(record)
        }
    }

    /// The nodes a document-level selector picks.
    private func select(_ xpath: XPath, evaluator: XPathEvaluator) throws(SourceFailure) -> [MarkupNode] {
        do {
            return try evaluator.nodes(xpath)
        } catch {
            throw .parse("selector \"\(xpath)\": \(error)")
        }
    }

    /// The absolute addresses of the links `selector` picks: an element's `href`, or the
    /// text of a selected attribute (`a::attr(data-url)`).
    private func links(_ selector: XPath, evaluator: XPathEvaluator, base: String?) throws(SourceFailure)
        -> [String]
    {
        try select(selector, evaluator: evaluator).compactMap { node in
            let href = node.isElement ? node.attribute("href") : node.rawText
            guard let href = href?.trimmingCharacters(in: .whitespacesAndNewlines), !href.isEmpty,
                !href.hasPrefix("#"), !href.lowercased().hasPrefix("javascript:")
            else { return nil }
            return Self.resolve(href, against: base)
        }
    }

    private func linkTarget(in document: SourceDocument, selector: String) throws(SourceFailure) -> String {
        let evaluator = try Self.evaluator(for: document)
        guard let target = try links(compile(selector), evaluator: evaluator, base: document.url).first else {
            throw .empty("the page has no link matching \"\(selector)\" (a redesign, a login wall or a captcha?)")
        }
        return target
    }

    /// Parses `page` and sets up XPath over it.
    static func evaluator(for page: SourceDocument) throws(SourceFailure) -> XPathEvaluator {
        do {
            return try XPathEvaluator(try parse(page))
        } catch let failure as SourceFailure {
            throw failure
        } catch {
            throw .parse("\(error)")
        }
    }

    static func parse(_ page: SourceDocument) throws(SourceFailure) -> MarkupDocument {
        let encoding = Charset.detect(page.bytes, contentType: page.contentType)
        do {
            return try MarkupDocument.html(page.bytes, url: page.url, encoding: encoding)
        } catch {
            // An encoding libxml2 does not know: read with the document's own declaration.
            guard encoding != nil, let document = try? MarkupDocument.html(page.bytes, url: page.url) else {
                throw .parse(error.description)
            }
            return document
        }
    }

    static func resolve(_ href: String, against base: String?) -> String? {
        guard let base, let baseURL = URL(string: base) else { return URL(string: href)?.absoluteString }
        return URL(string: href, relativeTo: baseURL)?.absoluteURL.absoluteString
    }
}
