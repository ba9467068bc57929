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
            let table: TableFile
            do {
                table = try TableFile.read(file, what: "crosswalk")
            } catch {
                problem(error.message, line: error.line)
                continue
            }
            if let missing = ["person", "source", "key"].first(where: { !table.columns.contains($0) }),
                !file.lowercased().hasSuffix(".json")
            {
                problem(
                    "the header has no column \"\(missing)\" (expected person, source, key and optionally name)",
                    line: 1)
                continue
            }
            let rows = table.rows.map { row in
                (
                    line: row.line,
                    values: ["person", "source", "key", "name"].reduce(into: [String: String]()) {
                        $0[$1] = row.text($1)
                    }
                )
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
}
