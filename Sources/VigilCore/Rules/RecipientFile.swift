import Foundation

/// Recipients kept in a spreadsheet beside the configuration (the organiser's sponsor
/// list), as CSV or a JSON array, with its columns mapped in the configuration:
///
/// ```json
/// {"file": "sponsors.csv",
///  "columns": {"id": "ID", "name": "Name", "language": "Language", "groups": "Groups",
///              "keys": "Sponsored", "people": "Person ids", "events": "Events",
///              "digest": "Digest", "mutedUntil": "Muted until"},
///  "contacts": {"sponsors-mail": "Email", "team-room": "Matrix"},
///  "language": "fr"}
/// ```
///
/// Only `columns.id` is required. Lists (groups, keys, people, events) are separated by
/// commas or semicolons in a CSV cell, or JSON lists. The file is read with the
/// configuration, on every run, and checked row by row (`sponsors.csv:12: …`).
public struct RecipientFile: Sendable {
    /// The columns a file may map, by their names in `columns`.
    enum Field: String, CaseIterable {
        case id, name, language, groups, keys, people, events, digest, mutedUntil
    }

    /// The file as resolved against the configuration's directory.
    public var path: String
    /// Where it is configured (`$.recipients[3]`), for messages.
    public var configPath: String
    var columns: [Field: String]
    /// Output id → column holding the recipient's address on it.
    var contacts: [(output: String, column: String)]
    var defaultLanguage: String
    var delimiter: Unicode.Scalar?

    /// Reads the object describing a file (its `file` key present); nil when it is invalid.
    static func read(_ object: inout ObjectReader, directory: String, outputs: Set<String>) -> RecipientFile? {
        let errorsBefore = object.reader.issues.count
        guard let written = object.string("file") else { return nil }
        var columns: [Field: String] = [:]
        if let found = object.requiredValue("columns", expected: "an object naming at least the \"id\" column"),
            var mapping = object.reader.object(found, path: object.path(of: "columns"))
        {
            for key in mapping.keys {
                guard let column = mapping.string(key) else { continue }
                if let field = Field(rawValue: key) {
                    columns[field] = column
                } else {
                    mapping.report(
                        "unknown column role \"\(key)\"; expected: "
                            + Field.allCases.map(\.rawValue).joined(separator: ", "), key: key)
                }
            }
            if columns[.id] == nil { mapping.report("expected \"id\": the column holding each recipient's id") }
            mapping.finish()
        }
        var contacts: [(String, String)] = []
        if let found = object.value("contacts"),
            var mapping = object.reader.object(found, path: object.path(of: "contacts"))
        {
            for output in mapping.keys {
                guard let column = mapping.string(output) else { continue }
                if !outputs.contains(output) {
                    mapping.report(
                        "no output \"\(output)\" is configured (contacts are keyed by output id)", key: output)
                }
                contacts.append((output, column))
            }
            mapping.finish()
        }
        let language = object.optionalString("language") ?? "en"
        var delimiter: Unicode.Scalar?
        if let text = object.optionalString("delimiter") {
            if text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first, scalar != "\"" {
                delimiter = scalar
            } else {
                object.report("expected one character, such as \";\"", key: "delimiter")
            }
        }
        guard object.reader.issues.count == errorsBefore else { return nil }
        return RecipientFile(
            path: written.hasPrefix("/") ? written : directory + "/" + written, configPath: object.path,
            columns: columns, contacts: contacts, defaultLanguage: language, delimiter: delimiter)
    }

    /// The file's recipients with their lines, and every problem found (file and line each).
    func load() -> (recipients: [(recipient: Recipient, line: Int)], issues: [ConfigIssue]) {
        var issues: [ConfigIssue] = []
        func problem(_ message: String, line: Int?) {
            issues.append(
                ConfigIssue(
                    file: path, path: configPath, location: line.map { TextLocation(line: $0, column: 1) },
                    message: message))
        }
        let table: TableFile
        do {
            table = try TableFile.read(path, what: "recipients", delimiter: delimiter)
        } catch {
            problem(error.message, line: error.line)
            return ([], issues)
        }
        // A CSV header must name every mapped column (a JSON row may leave one out).
        if !path.lowercased().hasSuffix(".json") {
            let mapped = columns.values.map { $0 } + contacts.map(\.column)
            for column in mapped where !table.columns.contains(column.lowercased()) {
                problem(
                    "column \"\(column)\" is not in the header (found: \(table.columns.prefix(12).joined(separator: ", ")))",
                    line: 1)
            }
            if !issues.isEmpty { return ([], issues) }
        }
        var recipients: [(Recipient, Int)] = []
        for row in table.rows {
            func column(_ field: Field) -> String? { columns[field].flatMap(row.text) }
            func items(_ field: Field) -> [String] { columns[field].flatMap(row.items) ?? [] }
            guard let id = column(.id) else {
                problem("column \"\(columns[.id] ?? "id")\": expected the recipient's id", line: row.line)
                continue
            }
            var recipient = Recipient(id: id, name: column(.name) ?? id, language: column(.language) ?? defaultLanguage)
            for (output, name) in contacts {
                if let address = row.text(name) { recipient.contacts[output] = address }
            }
            recipient.groups = Set(items(.groups))
            recipient.sponsorship.keys = Set(items(.keys))
            recipient.sponsorship.people = Set(items(.people))
            var valid = true
            func check<T>(_ field: Field, _ result: Result<T, RecipientValues.Problem>, _ apply: (T) -> Void) {
                switch result {
                case .success(let value): apply(value)
                case .failure(let failure):
                    problem("column \"\(columns[field] ?? field.rawValue)\": \(failure.message)", line: row.line)
                    valid = false
                }
            }
            let events = items(.events)
            if !events.isEmpty { check(.events, RecipientValues.events(events)) { recipient.events = $0 } }
            if let text = column(.digest) { check(.digest, RecipientValues.digest(text)) { recipient.digest = $0 } }
            if let text = column(.mutedUntil) {
                check(.mutedUntil, RecipientValues.mutedUntil(text)) { recipient.mutedUntil = $0 }
            }
            if valid { recipients.append((recipient, row.line)) }
        }
        return (recipients, issues)
    }
}
