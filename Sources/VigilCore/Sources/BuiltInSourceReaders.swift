/// `json` (and `push`) sources: the records are the values the `records` JSONPath selects.
public struct JSONSourceReader: SourceReader {
    public var records: JSONPath
    public var documentName: String { "JSON" }
    public var accept: String { "application/json" }

    public init(records: JSONPath) {
        self.records = records
    }

    public func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource {
        try await JSONRecordReader.read(document, records: records, mapping: mapping)
    }

    /// Reads the document, skipping the records the context knows unchanged.
    public func read(_ document: SourceDocument, context: SourceReadContext) async throws(SourceFailure)
        -> ParsedSource
    {
        try await JSONRecordReader.read(
            document.bytes, records: records, mapping: context.mapping, known: context.knownRecords)
    }
}

/// `csv` sources: a header row (after `skipLines` title lines, or none), then one record per row.
public struct CSVSourceReader: SourceReader {
    public var layout: CSVLayout
    public var delimiter: Unicode.Scalar { layout.delimiter }
    public var documentName: String { "CSV" }
    public var accept: String { "text/csv, text/plain;q=0.9, */*;q=0.5" }

    public init(delimiter: Unicode.Scalar = ",") {
        layout = CSVLayout(delimiter: delimiter)
    }

    public init(layout: CSVLayout) {
        self.layout = layout
    }

    public func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource {
        try CSVRecordReader.read(document, layout: layout, mapping: mapping)
    }

    public func problem(withReference reference: String) -> String? {
        guard !layout.header, Int(reference).map({ $0 < 1 }) ?? true else { return nil }
        return "with \"header\": false, columns are numbers from 1 (\"1\", \"2\"), got \"\(reference)\""
    }
}

/// Reads `"records": "$.prisoners[*]"` (default `$[*]`) for `json` and `push` sources.
public struct JSONSourceReaderFactory: SourceReaderFactory {
    public let type: String
    public let isPushed: Bool

    public init(pushed: Bool = false) {
        type = pushed ? "push" : "json"
        isPushed = pushed
    }

    public func makeReader(options: inout ObjectReader) -> (any SourceReader)? {
        let text = options.optionalString("records") ?? "$[*]"
        do {
            return JSONSourceReader(records: try JSONPath(text))
        } catch {
            options.report("invalid JSONPath at column \(error.column): \(error.message)", key: "records")
            return nil
        }
    }
}

/// Reads `"delimiter": ";"` (default `,`; `"\t"` for tabs), `"skipLines": 2` (title lines
/// before the header) and `"header": false` (columns by number) for `csv` sources.
public struct CSVSourceReaderFactory: SourceReaderFactory {
    public let type = "csv"

    public init() {}

    public func makeReader(options: inout ObjectReader) -> (any SourceReader)? {
        let text = options.optionalString("delimiter") ?? ","
        let scalars = Array((text == "\\t" ? "\t" : text).unicodeScalars)
        guard scalars.count == 1, scalars[0] != "\"", scalars[0] != "\n", scalars[0] != "\r" else {
            options.report("expected a single delimiter character such as \",\", \";\" or \"\\t\"", key: "delimiter")
            return nil
        }
        let skipLines = options.optionalInteger("skipLines", in: 0...1000) ?? 0
        let header = options.optionalBool("header") ?? true
        return CSVSourceReader(layout: CSVLayout(delimiter: scalars[0], skipLines: skipLines, header: header))
    }
}
