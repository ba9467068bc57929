import VigilCore

/// Reads an `html` source's options:
///
/// - `"table": "table#people"` (columns by header text), or `"rows": "ul.people > li"`
///   (fields by selectors relative to each row); neither means the first `table` whose
///   header has every referenced column.
/// - `"selectors": "css"` (default) or `"xpath"`.
/// - `"next": "a[rel=next]"` and `"maxPages": 50` for paginated lists.
/// - `"link": "a.export"` with `"linkType": "csv"` (and that type's own options): the page
///   is only where the real document's current address is found.
public struct HTMLSourceReaderFactory: SourceReaderFactory {
    public let type = "html"
    /// The types an export `link` may point to.
    public let linkedTypes: [any SourceReaderFactory]

    public init(linkedTypes: [any SourceReaderFactory] = [CSVSourceReaderFactory(), JSONSourceReaderFactory()]) {
        self.linkedTypes = linkedTypes
    }

    public func makeReader(options: inout ObjectReader) -> (any SourceReader)? {
        let syntax =
            SelectorSyntax(rawValue: options.choice("selectors", ["css", "xpath"], default: "css") ?? "css")
            ?? .css
        var valid = true
        func check(_ key: String, _ selector: String?) {
            guard let selector else { return }
            do {
                _ = try syntax.compile(selector, relative: false)
            } catch {
                options.report(error.message, key: key)
                valid = false
            }
        }
        let table = options.optionalString("table")
        let rows = options.optionalString("rows")
        let next = options.optionalString("next")
        let maxPages = options.optionalInteger("maxPages", in: 1...10_000) ?? 50
        let link = options.optionalString("link")
        check("table", table)
        check("rows", rows)
        check("next", next)
        check("link", link)
        if table != nil && rows != nil {
            options.report("give either \"table\" (columns by header) or \"rows\" (fields by selector), not both")
            valid = false
        }

        var linked: (selector: String, reader: any SourceReader)?
        if let link {
            let names = linkedTypes.map(\.type)
            if let next {
                options.report("\"next\" pages and an export \"link\" do not combine (got \"\(next)\")", key: "next")
                valid = false
            }
            if table != nil || rows != nil {
                options.report("with \"link\", the linked document holds the records: no \"table\" or \"rows\"")
                valid = false
            }
            guard let linkType = options.choice("linkType", names),
                let factory = linkedTypes.first(where: { $0.type == linkType }),
                let reader = factory.makeReader(options: &options)
            else { return nil }
            linked = (link, reader)
        } else if options.keys.contains("linkType") {
            options.report("\"linkType\" goes with \"link\"", key: "linkType")
            valid = false
        }
        guard valid else { return nil }
        let layout: HTMLSourceReader.Layout =
            rows.map { .rows(selector: $0) } ?? .table(selector: table ?? (syntax == .css ? "table" : "//table"))
        return HTMLSourceReader(layout: layout, syntax: syntax, next: next, maxPages: maxPages, link: linked)
    }
}
