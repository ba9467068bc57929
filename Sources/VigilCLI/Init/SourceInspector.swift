import Curl
import Foundation
import VigilCore

/// What `vigil init --source` learned from a list: its format, where its records are, their
/// fields, and guesses for the key, name and status columns and the status words.
struct InspectedSource {
    enum Format: String { case json, csv }

    var format: Format
    /// `records` for a JSON document (`$.people[*]`); nil for CSV.
    var recordsPath: String?
    /// CSV only: the delimiter, when it is not a comma.
    var delimiter: String?
    /// Field (column) names in document order.
    var fields: [String]
    var key: String?
    var name: String?
    var status: String?
    /// Distinct values of the status field, most frequent first (at most 30).
    var statusWords: [String]
    var recordCount: Int
    /// The key of the first record, for the example sponsor.
    var sampleKey: String?
}

/// Why a list could not be inspected.
struct InspectionError: Error, CustomStringConvertible {
    var description: String
}

/// Reads a list the way a person would when writing its mapping: finds the records and
/// guesses which field is which from names in the languages Vigil's users publish in.
enum SourceInspector {
    /// Fetches `location` (an http(s) URL, or a file path) and inspects it.
    static func inspect(_ location: String, curl: CurlEngine) async throws -> InspectedSource {
        let lower = location.lowercased()
        let bytes: [UInt8]
        var contentType = ""
        if lower.hasPrefix("http://") || lower.hasPrefix("https://") {
            let request = CurlRequest(
                url: location, allowedProtocols: "http,https", followRedirects: true, maxResponseBytes: 64 << 20)
            let response: CurlResponse
            do {
                response = try await curl.perform(request)
            } catch {
                throw InspectionError(description: "cannot fetch \(location): \(error.description)")
            }
            guard (200..<300).contains(response.status) else {
                throw InspectionError(description: "\(location) answered HTTP \(response.status)")
            }
            bytes = response.body
            contentType = response.header("Content-Type")?.lowercased() ?? ""
        } else {
            let path = lower.hasPrefix("file://") ? String(location.dropFirst(7)) : location
            guard let data = FileManager.default.contents(atPath: path) else {
                throw InspectionError(description: "cannot read \(path)")
            }
            bytes = Array(data)
        }
        return try inspect(bytes: bytes, contentType: contentType, name: location)
    }

    static func inspect(bytes: [UInt8], contentType: String, name: String) throws -> InspectedSource {
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        let first = body.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }
        if contentType.contains("json") || first == UInt8(ascii: "{") || first == UInt8(ascii: "[") {
            return try inspectJSON(body, name: name)
        }
        if contentType.contains("html") || first == UInt8(ascii: "<") {
            throw InspectionError(
                description:
                    "\(name) is HTML or XML; `vigil init --source` reads JSON and CSV lists. Write an html or feed "
                    + "source by hand (docs/sources.md)")
        }
        return try inspectCSV(body, name: name)
    }

    // MARK: JSON

    private static func inspectJSON(_ bytes: [UInt8], name: String) throws -> InspectedSource {
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw InspectionError(description: "\(name) is not valid JSON: \(error.message)")
        }
        guard let (path, objects) = recordArray(in: root, path: "$") else {
            throw InspectionError(description: "\(name) has no array of objects to read records from")
        }
        var fields: [String] = []
        var values: [String: [String]] = [:]
        for object in objects {
            guard case .object(let members) = object.kind else { continue }
            for member in members {
                guard let text = member.value.scalarText else { continue }
                if values[member.key] == nil { fields.append(member.key) }
                values[member.key, default: []].append(text)
            }
        }
        return guess(
            format: .json, recordsPath: path + "[*]", delimiter: nil, fields: fields, values: values,
            count: objects.count)
    }

    /// The first array (breadth first) whose elements are mostly objects.
    private static func recordArray(in root: JSONValue, path: String) -> (String, [JSONValue])? {
        var queue: [(String, JSONValue)] = [(path, root)]
        while !queue.isEmpty {
            let (path, value) = queue.removeFirst()
            switch value.kind {
            case .array(let elements):
                let objects = elements.filter { if case .object = $0.kind { true } else { false } }
                if !objects.isEmpty, objects.count * 2 >= elements.count { return (path, objects) }
            case .object(let members):
                for member in members { queue.append((path + ObjectReader.pathComponent(member.key), member.value)) }
            default: break
            }
        }
        return nil
    }

    // MARK: CSV

    private static func inspectCSV(_ bytes: [UInt8], name: String) throws -> InspectedSource {
        let text = String(decoding: bytes, as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
        guard let header = lines.first else { throw InspectionError(description: "\(name) is empty") }
        let delimiter =
            [",", ";", "\t", "|"].max {
                header.components(separatedBy: $0).count < header.components(separatedBy: $1).count
            } ?? ","
        let split = { (line: Substring) in
            line.components(separatedBy: delimiter).map {
                $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            }
        }
        let fields = split(header)
        guard fields.count > 1 else {
            throw InspectionError(description: "\(name) does not look like a CSV list (one column in its first line)")
        }
        var values: [String: [String]] = [:]
        for line in lines.dropFirst().prefix(5_000) {
            for (field, value) in zip(fields, split(line)) where !value.isEmpty {
                values[field, default: []].append(value)
            }
        }
        return guess(
            format: .csv, recordsPath: nil, delimiter: delimiter == "," ? nil : delimiter, fields: fields,
            values: values, count: lines.count - 1)
    }

    // MARK: Guessing

    /// Words that name a column, lower-cased, in the languages of the lists Vigil reads.
    static let keyWords = ["id", "key", "number", "no", "nr", "№", "code", "uid", "номер", "identifiant", "հ/հ"]
    static let nameWords = ["name", "full_name", "fullname", "full name", "фио", "имя", "nom", "անուն", "ad", "person"]
    static let statusWords = ["status", "state", "статус", "состояние", "statut", "état", "կարգավիճակ", "vəziyyət"]

    private static func guess(
        format: InspectedSource.Format, recordsPath: String?, delimiter: String?, fields: [String],
        values: [String: [String]], count: Int
    ) -> InspectedSource {
        func named(_ words: [String]) -> String? {
            let lowered = fields.map { ($0, $0.lowercased()) }
            return lowered.first { words.contains($0.1) }?.0
                ?? lowered.first { field in words.contains { $0.count > 2 && field.1.contains($0) } }?.0
        }
        let unique = fields.first { field in
            let seen = values[field] ?? []
            return !seen.isEmpty && Set(seen).count == seen.count && seen.count == count
        }
        let key = named(keyWords) ?? unique ?? fields.first
        let name = named(nameWords) ?? fields.first { $0 != key }
        let status = named(statusWords).flatMap { $0 == key || $0 == name ? nil : $0 }
        var frequency: [String: Int] = [:]
        for word in status.flatMap({ values[$0] }) ?? [] { frequency[word, default: 0] += 1 }
        let words = frequency.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }.prefix(30).map(
            \.key)
        return InspectedSource(
            format: format, recordsPath: recordsPath, delimiter: delimiter, fields: fields, key: key, name: name,
            status: status, statusWords: words, recordCount: count, sampleKey: key.flatMap { values[$0]?.first })
    }
}
