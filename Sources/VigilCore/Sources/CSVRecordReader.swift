import CSV

/// Reads a CSV document's records: a header row naming the columns, then one record per row.
/// UTF-8, with or without a byte order mark; quoted fields may hold delimiters and line breaks.
public enum CSVRecordReader {
    public static func read(_ bytes: [UInt8], delimiter: Unicode.Scalar, mapping: FieldMapping) throws(SourceFailure)
        -> ParsedSource
    {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        guard let text = String(validating: body, as: UTF8.self) else {
            throw .parse("the CSV document is not valid UTF-8")
        }
        let start = text.prefix(200).lowercased().drop(while: { $0.isWhitespace })
        if start.hasPrefix("<!doctype") || start.hasPrefix("<html") || start.hasPrefix("<?xml") {
            throw .wrongType("expected CSV, got an HTML or XML document (a login or captcha page?)")
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, delimiter: delimiter)
        } catch {
            throw .empty("the CSV document has no header row")
        }
        guard let header = reader.headerRow, header.contains(where: { !$0.isEmpty }) else {
            throw .empty("the CSV document has no header row")
        }
        let columns = header.map { TextNormalizer.clean($0) }
        var index: [String: Int] = [:]
        for (position, name) in columns.enumerated() where !name.isEmpty {
            if index[name] != nil {
                throw .parse("the header names column \"\(name)\" twice")
            }
            index[name] = position
        }
        let references =
            mapping.key + mapping.name + [mapping.status].compactMap { $0 } + mapping.fields.map(\.field.from)
        for reference in references where index[reference] == nil {
            throw .parse(
                "column \"\(reference)\" is not in the header (found: \(columns.prefix(12).joined(separator: ", ")))")
        }

        var builder = RecordBuilder(mapping: mapping, unit: "row")
        var records: [Record] = []
        var rowNumber = 1
        while let row = reader.next() {
            rowNumber += 1
            if row.allSatisfy({ $0.isEmpty }) { continue }
            guard row.count == columns.count else {
                throw .parse(
                    "row \(rowNumber) has \(row.count) fields, the header has \(columns.count) (a truncated or broken document?)"
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
        return ParsedSource(
            records: records, unmappedStatuses: builder.unmappedStatuses, unparsedDates: builder.unparsedDates)
    }
}
