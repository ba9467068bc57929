import Foundation
import VigilCore
import VigilFeed
import VigilHTML
import VigilXLSX
import VigilXML

/// Fuzz targets of the markup and spreadsheet sources: hostile pages, feeds and workbooks
/// must fail closed or read, never crash, hang or leak a NUL into a record.
extension FuzzTargets {
    static let markupMapping = FieldMapping(
        key: ["id"], name: ["name"], status: "status", fields: [("place", .init(from: "place"))])
    static let rowMapping = FieldMapping(
        key: ["::attr(data-id)"], name: ["span.name"], status: "em", fields: [("link", .init(from: "a::attr(href)"))])

    /// An HTML page read as a table (columns by header) and as rows by CSS selectors.
    static func html(_ bytes: [UInt8]) {
        let table = HTMLSourceReader(layout: .table(selector: "table"))
        let rows = HTMLSourceReader(layout: .rows(selector: "li.person, tr"))
        let parsed = blocking {
            [
                try? await table.read(bytes, mapping: markupMapping),
                try? await rows.read(bytes, mapping: rowMapping),
            ]
        }
        for result in parsed { checkRecords(result?.records ?? []) }
        _ = Charset.detect(bytes, contentType: nil)
    }

    /// An RSS or Atom document.
    static func feed(_ bytes: [UInt8]) {
        let reader = FeedSourceReader()
        let mapping = FieldMapping(key: ["id"], name: ["title"], status: nil)
        checkRecords(blocking { try? await reader.read(bytes, mapping: mapping) }?.records ?? [])
    }

    /// An XLSX workbook (a zip of XML parts), with a small inflation cap.
    static func xlsx(_ bytes: [UInt8]) {
        let reader = XLSXSourceReader()
        let context = SourceReadContext(sourceID: "fuzz", mapping: markupMapping, maxBytes: 1 << 20)
        checkRecords(blocking { try? await reader.read(SourceDocument(bytes: bytes), context: context) }?.records ?? [])
    }

    /// The CSS compiler: a selector it accepts must compile to XPath libxml2 accepts.
    static func css(_ bytes: [UInt8]) {
        let text = String(decoding: bytes.prefix(512), as: UTF8.self)
        for relative in [false, true] {
            guard let selector = try? CSSSelector(text, relative: relative) else { continue }
            do {
                _ = try XPath(selector.xpath)
            } catch {
                fatalError(
                    "CSS selector \(text.debugDescription) compiled to invalid XPath \(selector.xpath): \(error)")
            }
        }
    }
}
