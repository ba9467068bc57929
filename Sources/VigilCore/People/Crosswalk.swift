import CSV
import Foundation

/// The team's own list of who is who: rows of person id, source id, record key and an
/// optional display name, from CSV (`person,source,key[,name]` header) or JSON (an array
/// of `{"person", "source", "key", "name"?}`). Every row is checked when the configuration
/// is read, with the file and line of each problem.
public struct Crosswalk: Sendable, Equatable {
    /// One row: this record is this person.
    public struct Entry: Sendable, Equatable {
        public var personID: String
        public var record: RecordRef
        public var name: String?
        /// `FILE:LINE`, stored as who decided the link.
        public var origin: String
    }

    public var entries: [Entry] = []

    public init(entries: [Entry] = []) {
        self.entries = entries
    }

    /// Display names given in the files, by person id (the first one given wins).
    public var names: [String: String] {
        var names: [String: String] = [:]
        for entry in entries { if let name = entry.name, names[entry.personID] == nil { names[entry.personID] = name } }
        return names
    }

    static func read(files: [String], sources: Set<String>, report: (ConfigIssue) -> Void) -> Crosswalk {
        var crosswalk = Crosswalk()
        var seen: [RecordRef: String] = [:]
        for file in files {
            func problem(_ message: String, line: Int?) {
                report(
                    ConfigIssue(
                        file: file, path: "crosswalk",
                        location: line.map { TextLocation(line: $0, column: 1) }, message: message))
            }
            guard let data = FileManager.default.contents(atPath: file) else {
                problem("cannot read the crosswalk file", line: nil)
                continue
            }
            let rows: [(line: Int, values: [String: String])]
            do {
                rows = file.lowercased().hasSuffix(".json") ? try jsonRows(Array(data)) : try csvRows(data)
            } catch {
                problem(error.message, line: error.line)
                continue
            }
            for row in rows {
                let person = TextNormalizer.clean(row.values["person"] ?? "")
                let source = TextNormalizer.clean(row.values["source"] ?? "")
                let key = TextNormalizer.clean(row.values["key"] ?? "")
                guard !person.isEmpty, !source.isEmpty, !key.isEmpty else {
                    problem("expected a person id, a source id and a record key", line: row.line)
                    continue
                }
                guard sources.contains(source) else {
                    problem(
                        "no source \"\(source)\" is configured (sources: \(sources.sorted().joined(separator: ", ")))",
                        line: row.line)
                    continue
                }
                let record = RecordRef(sourceID: source, key: key)
                if let other = seen[record], other != person {
                    problem("\(record) is already person \"\(other)\"; a record is one person", line: row.line)
                    continue
                }
                seen[record] = person
                let name = row.values["name"].map(TextNormalizer.clean).flatMap { $0.isEmpty ? nil : $0 }
                let base = URL(fileURLWithPath: file).lastPathComponent
                crosswalk.entries.append(
                    Entry(personID: person, record: record, name: name, origin: "crosswalk \(base):\(row.line)"))
            }
        }
        return crosswalk
    }

    struct ReadError: Error {
        var message: String
        var line: Int?
    }

    private static func csvRows(_ data: Data) throws(ReadError) -> [(line: Int, values: [String: String])] {
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReadError(message: "the crosswalk is not valid UTF-8", line: nil)
        }
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let delimiter: Unicode.Scalar = body.prefix(while: { $0 != "\n" }).contains(";") ? ";" : ","
        let reader: CSVReader
        do {
            reader = try CSVReader(string: body, hasHeaderRow: true, delimiter: delimiter)
        } catch {
            throw ReadError(message: "the crosswalk has no header row", line: 1)
        }
        let header = (reader.headerRow ?? []).map { TextNormalizer.clean($0).lowercased() }
        for column in ["person", "source", "key"] where !header.contains(column) {
            throw ReadError(
                message: "the header has no column \"\(column)\" (expected person, source, key and optionally name)",
                line: 1)
        }
        var rows: [(line: Int, values: [String: String])] = []
        var line = 1
        while let row = reader.next() {
            line += 1
            if row.allSatisfy({ $0.isEmpty }) { continue }
            guard row.count == header.count else {
                throw ReadError(message: "the row has \(row.count) fields, the header has \(header.count)", line: line)
            }
            rows.append((line, Dictionary(zip(header, row), uniquingKeysWith: { first, _ in first })))
        }
        if let error = reader.error { throw ReadError(message: "the CSV could not be read: \(error)", line: line) }
        return rows
    }

    private static func jsonRows(_ bytes: [UInt8]) throws(ReadError) -> [(line: Int, values: [String: String])] {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw ReadError(message: "not valid JSON: \(error.message)", line: error.location.line)
        }
        guard case .array(let elements) = root.kind else {
            throw ReadError(message: "expected an array of {\"person\", \"source\", \"key\", \"name\"}", line: 1)
        }
        return elements.map { element in
            let line = TextLocation(offset: element.offset, in: bytes).line
            var values: [String: String] = [:]
            for field in ["person", "source", "key", "name"] { values[field] = element[field]?.scalarText }
            return (line, values)
        }
    }
}
