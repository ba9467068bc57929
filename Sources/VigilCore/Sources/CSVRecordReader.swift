import CSV

/// How a CSV document is laid out.
public struct CSVLayout: Sendable, Equatable {
    public var delimiter: Unicode.Scalar
    /// Lines before the header (a title, an export date) that are not part of the table.
    public var skipLines: Int
    /// False when the first row is already data: columns are then referred to by number
    /// from 1 (`"key": "1"`).
    public var header: Bool

    public init(delimiter: Unicode.Scalar = ",", skipLines: Int = 0, header: Bool = true) {
        self.delimiter = delimiter
        self.skipLines = skipLines
        self.header = header
    }
}

/// Reads a CSV document's records: a header row naming the columns (or numbered columns),
/// then one record per row. UTF-8, with or without a byte order mark; quoted fields may
/// hold delimiters and line breaks.
public enum CSVRecordReader {
    public static func read(_ bytes: [UInt8], delimiter: Unicode.Scalar, mapping: FieldMapping) throws(SourceFailure)
        -> ParsedSource
    {
        try read(bytes, layout: CSVLayout(delimiter: delimiter), mapping: mapping)
    }

    public static func read(_ bytes: [UInt8], layout: CSVLayout, mapping: FieldMapping) throws(SourceFailure)
        -> ParsedSource
    {
        let delimiter = layout.delimiter
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        // Title lines end at a line feed ("\r\n" included); counted in bytes, before decoding.
        for _ in 0..<layout.skipLines {
            guard let end = body.firstIndex(of: 0x0A) else {
                throw .empty("the CSV document has no more than the \(layout.skipLines) lines skipLines skips")
            }
            body = body[(end + 1)...]
        }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw .parse("the CSV document is not valid UTF-8")
        }
        let start = text.prefix(200).lowercased().drop(while: { $0.isWhitespace })
        if start.hasPrefix("<!doctype") || start.hasPrefix("<html") || start.hasPrefix("<?xml") {
            throw .wrongType("expected CSV, got an HTML or XML document (a login or captcha page?)")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: layout.header, delimiter: delimiter)
        } catch {
            throw .empty("the CSV document has no header row")
        }
        var firstRow: [String]?
        let columns: [String]
        if layout.header {
            guard let header = reader.headerRow, header.contains(where: { !$0.isEmpty }) else {
                throw .empty("the CSV document has no header row")
            }
            columns = header.map { TextNormalizer.clean($0) }
        } else {
            guard let row = reader.next() else { throw .empty("the CSV document has no rows") }
            firstRow = row
            columns = row.indices.map { String($0 + 1) }
        }
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where !name.isEmpty {
            if index[name] != nil {
                throw .parse("the header names column \"\(name)\" twice")
            }
            index[name] = position
        }
        let references = mapping.references
        for reference in references where index[reference] == nil {
            throw .parse(
                layout.header
                    ? "column \"\(reference)\" is not in the header (found: \(columns.prefix(12).joined(separator: ", ")))"
                    : "column \"\(reference)\" is not a column number from 1 to \(columns.count) (the first row's width)"
            )
        }

        var builder = RecordBuilder(mapping: mapping, unit: "row")
        var records: [Record] = []
        // Row numbers count lines of the table as an editor shows them (skipped lines included).
        var rowNumber = layout.skipLines + (layout.header ? 1 : 0)
        while let row = firstRow ?? reader.next() {
            firstRow = nil
            rowNumber += 1
            if row.allSatisfy({ $0.isEmpty }) { continue }
            guard row.count == columns.count else {
                throw .parse(
                    "row \(rowNumber) has \(row.count) fields, \(layout.header ? "the header has" : "the first row has") \(columns.count) (a truncated or broken document?)"
                )
            }
            let record = try builder.build(number: rowNumber) { reference throws(SourceFailure) in
                guard let position = index[reference] else { return .missing }
                let value = TextNormalizer.clean(row[position])
                return value.isEmpty ? .empty : .value(value)
            }
            records.append(record)
        }
        if let error = reader.error {
            throw .parse("the CSV document could not be read: \(error)")
        }
        guard !records.isEmpty else { throw .empty("the CSV document has a header but no rows") }
        return builder.finish(records)
    }
}
