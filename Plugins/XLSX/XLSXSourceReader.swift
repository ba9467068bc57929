import Foundation
import VigilCore

/// `xlsx` sources: one sheet of an Excel workbook (the first, or `sheet` by name), a header
/// row (`headerRow`, from 1) naming the columns, then one record per row. Shared, inline and
/// rich-text strings are read as text; date cells become ISO dates.
public struct XLSXSourceReader: SourceReader {
    public var sheet: String?
    public var headerRow: Int

    public var documentName: String { "XLSX" }
    public var accept: String {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/octet-stream;q=0.5"
    }

    public init(sheet: String? = nil, headerRow: Int = 1) {
        self.sheet = sheet
        self.headerRow = headerRow
    }

    public func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource {
        try await read(SourceDocument(bytes: document), context: SourceReadContext(sourceID: "", mapping: mapping))
    }

    /// Every part may inflate to the source's `maxBytes`, all parts together to twice that.
    public func read(_ document: SourceDocument, context: SourceReadContext) async throws(SourceFailure)
        -> ParsedSource
    {
        let (mapping, maxInflatedBytes) = (context.mapping, context.maxBytes)
        var archive = try XLSXArchive(
            document.bytes, maxPartBytes: maxInflatedBytes, maxTotalBytes: 2 * maxInflatedBytes)
        guard let workbookPart = try archive.part("xl/workbook.xml") else {
            throw .parse("the file is a zip archive without xl/workbook.xml (not an XLSX spreadsheet)")
        }
        let workbook = try XLSXWorkbook(
            workbook: workbookPart, relationships: try archive.part("xl/_rels/workbook.xml.rels"))
        let chosen: (name: String, path: String)
        if let sheet {
            guard let named = workbook.sheets.first(where: { $0.name == sheet }) else {
                throw .parse(
                    "the workbook has no sheet \"\(sheet)\" (sheets: \(workbook.sheets.map(\.name).joined(separator: ", ")))"
                )
            }
            chosen = named
        } else {
            guard let first = workbook.sheets.first else { throw .empty("the workbook has no sheets") }
            chosen = first
        }
        let strings = try archive.part("xl/sharedStrings.xml").map(XLSXSharedStrings.read) ?? []
        let dateStyles = try archive.part("xl/styles.xml").map(XLSXStyles.dateStyles) ?? []
        guard let sheetPart = try archive.part(chosen.path) else {
            throw .parse("the workbook names sheet \"\(chosen.name)\" but has no \(chosen.path)")
        }
        let sheet = try XLSXSheet(
            sheetPart, part: chosen.path, strings: strings, dateStyles: dateStyles,
            uses1904Dates: workbook.uses1904Dates)
        return try records(of: sheet, named: chosen.name, mapping: mapping)
    }

    private func records(of sheet: XLSXSheet, named name: String, mapping: FieldMapping) throws(SourceFailure)
        -> ParsedSource
    {
        guard let header = sheet.rows.first(where: { $0.number == headerRow }) else {
            throw .empty("sheet \"\(name)\" has no row \(headerRow) to read the header from")
        }
        var index: [String: Int] = [:]
        for (position, column) in header.cells.enumerated() where !column.isEmpty {
            if index[column] != nil, mapping.references.contains(column) {
                throw .parse("sheet \"\(name)\" row \(headerRow) names column \"\(column)\" twice")
            }
            if index[column] == nil { index[column] = position }
        }
        for reference in mapping.references where index[reference] == nil {
            throw .parse(
                "column \"\(reference)\" is not in sheet \"\(name)\" row \(headerRow) "
                    + "(found: \(header.cells.filter { !$0.isEmpty }.prefix(12).joined(separator: ", ")))")
        }
        var builder = RecordBuilder(mapping: mapping, unit: "row")
        var records: [Record] = []
        for row in sheet.rows where row.number > headerRow && row.cells.contains(where: { !$0.isEmpty }) {
            let record = try builder.build(number: row.number) { reference throws(SourceFailure) in
                guard let position = index[reference] else { return .missing }
                let value = position < row.cells.count ? row.cells[position] : ""
                return value.isEmpty ? .empty : .value(value)
            }
            records.append(record)
        }
        guard !records.isEmpty else { throw .empty("sheet \"\(name)\" has a header but no rows") }
        return builder.finish(records)
    }
}

/// Reads `"sheet": "Detained"` (default: the first sheet) and `"headerRow": 3` (default 1)
/// for `xlsx` sources. Every part's inflated size is capped by the source's `maxBytes`
/// (default 64 MB), and all parts together by twice that.
public struct XLSXSourceReaderFactory: SourceReaderFactory {
    public let type = "xlsx"

    public init() {}

    public func makeReader(options: inout ObjectReader) -> (any SourceReader)? {
        let sheet = options.optionalString("sheet")
        let headerRow = options.optionalInteger("headerRow", in: 1...1_048_576) ?? 1
        return XLSXSourceReader(sheet: sheet, headerRow: headerRow)
    }
}
