import CSV
import Foundation

/// A small table a configuration names beside itself (a crosswalk, a sponsors
/// spreadsheet): CSV with a header row, or a JSON array of flat objects. Column names are
/// matched trimmed and ignoring case; each row keeps its line for messages.
struct TableFile {
    /// One cell: text, or (JSON only) a list of texts.
    enum Cell: Sendable, Equatable {
        case text(String)
        case list([String])
    }

    /// One row: its line in the file and its cells by lowercased column name.
    struct Row {
        var line: Int
        var cells: [String: Cell]

        /// The cell's text (a list's items joined with ", "); nil when absent or empty.
        func text(_ column: String) -> String? {
            switch cells[column.lowercased()] {
            case .text(let text): text.isEmpty ? nil : text
            case .list(let items): items.isEmpty ? nil : items.joined(separator: ", ")
            case nil: nil
            }
        }

        /// The cell's items: a JSON list, or text split at commas and semicolons; empty
        /// items dropped.
        func items(_ column: String) -> [String]? {
            switch cells[column.lowercased()] {
            case .list(let items): items.map(TextNormalizer.clean).filter { !$0.isEmpty }
            case .text(let text):
                text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { TextNormalizer.clean(String($0)) }
                    .filter { !$0.isEmpty }
            case nil: nil
            }
        }
    }

    /// Why a file cannot be read at all, with the line when one is to blame.
    struct ReadError: Error {
        var message: String
        var line: Int?
    }

    /// Lowercased column names, in the file's order (JSON: every key any row has).
    var columns: [String]
    var rows: [Row]

    /// Reads `file` (JSON when it ends in `.json`, else CSV), named `what` in messages
    /// ("crosswalk"). The CSV delimiter is `delimiter`, or guessed from the header line
    /// (`;`, tab, then `,`).
    static func read(_ file: String, what: String, delimiter: Unicode.Scalar? = nil) throws(ReadError) -> TableFile {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw ReadError(message: "cannot read the \(what) file", line: nil)
        }
        return file.lowercased().hasSuffix(".json")
            ? try json(Array(data)) : try csv(data, what: what, delimiter: delimiter)
    }

    static func csv(_ data: Data, what: String, delimiter: Unicode.Scalar?) throws(ReadError) -> TableFile {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReadError(message: "the \(what) is not valid UTF-8", line: nil)
        }
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let headerLine = body.prefix(while: { $0 != "\n" })
        let separator: Unicode.Scalar =
            delimiter ?? (headerLine.contains(";") ? ";" : headerLine.contains("\t") ? "\t" : ",")
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true, delimiter: separator)
        } catch {
            throw ReadError(message: "the \(what) has no header row", line: 1)
        }
        let header = (reader.headerRow ?? []).map { TextNormalizer.clean($0).lowercased() }
        guard header.contains(where: { !$0.isEmpty }) else {
            throw ReadError(message: "the \(what) has no header row", line: 1)
        }
        var seen: Set<String> = []
        for name in header where !name.isEmpty && !seen.insert(name).inserted {
            throw ReadError(message: "the header names column \"\(name)\" twice", line: 1)
        }
        var rows: [Row] = []
        var line = 1
        while let row = reader.next() {
            line += 1
            if row.allSatisfy({ $0.isEmpty }) { continue }
            guard row.count == header.count else {
                throw ReadError(message: "the row has \(row.count) fields, the header has \(header.count)", line: line)
            }
            var cells: [String: Cell] = [:]
            for (name, value) in zip(header, row) where !name.isEmpty {
                cells[name] = .text(TextNormalizer.clean(value))
            }
            rows.append(Row(line: line, cells: cells))
        }
        if let error = reader.error { throw ReadError(message: "the CSV could not be read: \(error)", line: line) }
        return TableFile(columns: header.filter { !$0.isEmpty }, rows: rows)
    }

    static func json(_ bytes: [UInt8]) throws(ReadError) -> TableFile {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ReadError(message: "not valid JSON: \(error.message)", line: error.location.line)
        }
        guard case .array(let elements) = root.kind else {
            throw ReadError(message: "expected an array of objects, one per row", line: 1)
        }
        var columns: [String] = []
        var known: Set<String> = []
        var rows: [Row] = []
        for element in elements {
            let line = TextLocation(offset: element.offset, in: bytes).line
            guard case .object(let members) = element.kind else {
                throw ReadError(message: "expected an object, got \(element.typeDescription)", line: line)
            }
            var cells: [String: Cell] = [:]
            for member in members {
                let name = member.key.lowercased()
                if known.insert(name).inserted { columns.append(name) }
                switch member.value.kind {
                case .array(let items):
                    var texts: [String] = []
                    for item in items {
                        guard let text = item.scalarText else {
                            throw ReadError(
                                message: "\"\(member.key)\": expected a list of strings or numbers",
                                line: TextLocation(offset: item.offset, in: bytes).line)
                        }
                        texts.append(text)
                    }
                    cells[name] = .list(texts)
                case .null:
                    continue
                default:
                    guard let text = member.value.scalarText else {
                        throw ReadError(
                            message: "\"\(member.key)\": expected a string, a number or a list, got "
                                + member.value.typeDescription,
                            line: TextLocation(offset: member.value.offset, in: bytes).line)
                    }
                    cells[name] = .text(TextNormalizer.clean(text))
                }
            }
            rows.append(Row(line: line, cells: cells))
        }
        return TableFile(columns: columns, rows: rows)
    }
}
