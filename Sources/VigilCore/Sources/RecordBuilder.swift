/// Turns one source row (looked up through a closure) into a ``Record``, applying the
/// source's field mapping, status map and date normalisation.
struct RecordBuilder {
    let mapping: FieldMapping
    private(set) var unmappedStatuses: Set<String> = []
    private(set) var unparsedDates = 0
    private var seenKeys: [String: String] = [:]

    init(mapping: FieldMapping) {
        self.mapping = mapping
    }

    /// A value looked up by field reference: `.missing` when the field is absent altogether.
    enum Lookup {
        case value(String)
        case empty
        case missing
    }

    /// Builds a record; `place` names the row in errors ("record 12 (line 40, column 5)").
    mutating func build(place: String, lookup: (String) throws(SourceFailure) -> Lookup) throws(SourceFailure) -> Record {
        var keyParts: [String] = []
        for reference in mapping.key {
            guard case .value(let text) = try lookup(reference) else {
                throw .parse("\(place) has no value for key field \"\(reference)\"")
            }
            keyParts.append(text)
        }
        let key = keyParts.joined(separator: "|")
        if let earlier = seenKeys[key] {
            throw .parse("duplicate key \"\(key)\" in \(earlier) and \(place)")
        }
        seenKeys[key] = place

        var nameParts: [String] = []
        for reference in mapping.name {
            switch try lookup(reference) {
            case .value(let text): nameParts.append(text)
            case .empty: break
            case .missing: throw .parse("\(place) has no name field \"\(reference)\"")
            }
        }
        guard !nameParts.isEmpty else { throw .parse("\(place) has an empty name") }

        var status = DetaineeStatus.canonical(.unknown)
        if let reference = mapping.status {
            switch try lookup(reference) {
            case .value(let word): status = mapStatus(word)
            case .empty: break
            case .missing: throw .parse("\(place) has no status field \"\(reference)\"")
            }
        }

        var fields: [String: String] = [:]
        for (name, field) in mapping.fields {
            guard case .value(let text) = try lookup(field.from) else { continue }
            switch field.kind {
            case .text:
                fields[name] = text
            case .date(let formats):
                if let date = DatePattern.normalizeISO(text) ?? formats.lazy.compactMap({ $0.normalize(text) }).first {
                    fields[name] = date
                } else {
                    unparsedDates += 1
                    fields[name] = text
                }
            }
        }
        return Record(key: key, name: nameParts.joined(separator: " "), status: status, fields: fields)
    }

    private mutating func mapStatus(_ word: String) -> DetaineeStatus {
        let normalized = TextNormalizer.statusKey(word)
        if let mapped = mapping.statusMap[normalized] { return .canonical(mapped) }
        if let canonical = DetaineeStatus.Canonical(rawValue: normalized) { return .canonical(canonical) }
        unmappedStatuses.insert(word)
        return .unmapped(word)
    }
}
