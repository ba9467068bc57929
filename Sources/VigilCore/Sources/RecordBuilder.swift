/// Turns one source row (looked up through a closure) into a ``Record``, applying the
/// source's field mapping, status map and date normalisation: what every source reader,
/// built in or plugin, builds its records with, so keys, names, statuses and dates mean the
/// same in every kind of source.
public struct RecordBuilder {
    public let mapping: FieldMapping
    public private(set) var unmappedStatuses: Set<String> = []
    public private(set) var unparsedDates = 0
    /// With ``FieldMapping/collectsProblems``: what would have failed the source.
    public private(set) var problems: [String] = []
    /// Key → number of the record or row that had it first.
    private var seenKeys: [String: Int] = [:]
    /// What a record is called in errors: "record" (JSON) or "row" (CSV).
    public let unit: String
    /// Status words repeat on every record: map each distinct word once.
    private var statusCache: [String: DetaineeStatus] = [:]

    /// The mapping's fields sorted by name, so records are built already in canonical order.
    private let sortedFields: [(name: String, field: FieldMapping.Field)]

    /// False when the caller checks keys across builders itself.
    public let checkDuplicates: Bool

    public init(mapping: FieldMapping, unit: String, checkDuplicates: Bool = true) {
        self.mapping = mapping
        self.unit = unit
        self.checkDuplicates = checkDuplicates
        sortedFields = mapping.fields.sorted { $0.name < $1.name }
    }

    /// A value looked up by field reference: `.missing` when the field is absent altogether.
    public enum Lookup {
        case value(String)
        case empty
        case missing
    }

    /// Builds record number `number` (named "record N" or "row N" in errors).
    public mutating func build(number: Int, lookup: (String) throws(SourceFailure) -> Lookup) throws(SourceFailure)
        -> Record
    {
        var place: String { "\(unit) \(number)" }
        var keyParts: [String] = []
        for reference in mapping.key {
            guard case .value(let text) = try lookup(reference) else {
                try problem("\(place) has no value for key field \"\(reference)\"")
                keyParts.append("")
                continue
            }
            try Self.refuseNUL(text, field: reference, place: place)
            keyParts.append(text)
        }
        let key = keyParts.joined(separator: "|")
        if checkDuplicates, let earlier = seenKeys.updateValue(number, forKey: key) {
            try problem("duplicate key \"\(key)\" in \(unit) \(earlier) and \(place)")
        }

        var nameParts: [String] = []
        for reference in mapping.name {
            switch try lookup(reference) {
            case .value(let text):
                try Self.refuseNUL(text, field: reference, place: place)
                nameParts.append(text)
            case .empty: break
            case .missing: throw .parse("\(place) has no name field \"\(reference)\"")
            }
        }
        if nameParts.isEmpty { try problem("\(place) has an empty name") }

        var status = DetaineeStatus.canonical(.unknown)
        if let reference = mapping.status {
            switch try lookup(reference) {
            case .value(let word):
                try Self.refuseNUL(word, field: reference, place: place)
                status = mapStatus(word)
            case .empty: break
            case .missing: throw .parse("\(place) has no status field \"\(reference)\"")
            }
        }

        var fields: [Record.Field] = []
        fields.reserveCapacity(sortedFields.count)
        for (name, field) in sortedFields {
            guard case .value(let text) = try lookup(field.from) else { continue }
            try Self.refuseNUL(text, field: field.from, place: place)
            switch field.kind {
            case .text:
                fields.append(Record.Field(name: name, value: text))
            case .date(let formats):
                if let date = Self.normalizeDate(text, formats: formats) {
                    fields.append(Record.Field(name: name, value: date))
                } else {
                    unparsedDates += 1
                    fields.append(Record.Field(name: name, value: text))
                }
            }
        }
        let name = nameParts.count == 1 ? nameParts[0] : nameParts.joined(separator: " ")
        return Record(key: key, name: name, status: status, sortedFields: fields)
    }

    /// The most problems one reading lists (`vigil source test` prints the first 20).
    public static let maxProblems = 1000

    /// Fails the source, or with ``FieldMapping/collectsProblems`` notes the problem and goes on.
    private mutating func problem(_ message: String) throws(SourceFailure) {
        guard mapping.collectsProblems else { throw .parse(message) }
        if problems.count < Self.maxProblems { problems.append(message) }
    }

    /// A NUL (U+0000) fails the source closed. Text crosses into C (SQLite, curl, SMTP) where
    /// NUL ends a string: a stored key or value would be cut short, and a notice could lose
    /// the very word "released". No real list has one; a document that does is broken or hostile.
    @inline(__always)
    private static func refuseNUL(_ text: String, field: String, place: @autoclosure () -> String)
        throws(SourceFailure)
    {
        guard text.utf8.contains(0) else { return }
        throw .parse(
            "\(place()) has a NUL character (U+0000) in field \"\(field)\"; a source with NUL characters fails closed")
    }

    private static func normalizeDate(_ text: String, formats: [DatePattern]) -> String? {
        if let iso = DatePattern.normalizeISO(text) { return iso }
        for format in formats {
            if let date = format.normalize(text) { return date }
        }
        return nil
    }

    private mutating func mapStatus(_ word: String) -> DetaineeStatus {
        if let cached = statusCache[word] { return cached }
        let status = lookUpStatus(word)
        statusCache[word] = status
        return status
    }

    private mutating func lookUpStatus(_ word: String) -> DetaineeStatus {
        let normalized = TextNormalizer.statusKey(word)
        if let mapped = mapping.statusMap[normalized] { return .canonical(mapped) }
        if let canonical = DetaineeStatus.Canonical(rawValue: normalized) { return .canonical(canonical) }
        unmappedStatuses.insert(word)
        return .unmapped(word)
    }
}

extension RecordBuilder {
    /// The records read so far, with what did not map cleanly.
    public func finish(_ records: [Record]) -> ParsedSource {
        var parsed = ParsedSource(records: records, unmappedStatuses: unmappedStatuses, unparsedDates: unparsedDates)
        parsed.problems = problems
        return parsed
    }
}

extension FieldMapping {
    /// Every reference the mapping reads: key parts, name parts, status and fields.
    public var references: [String] {
        key + name + [status].compactMap { $0 } + fields.map(\.field.from)
    }
}
