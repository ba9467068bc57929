/// Reads a JSON document's records: the values the source's `records` path selects.
public enum JSONRecordReader {
    public static func read(_ bytes: [UInt8], records path: JSONPath, mapping: FieldMapping) throws(SourceFailure)
        -> ParsedSource
    {
        if let first = bytes.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }),
            first == UInt8(ascii: "<")
        {
            throw .wrongType("expected JSON, got a document starting with '<' (an HTML page, a login or captcha page?)")
        }
        let root: JSONValue
        do {
            root = try JSONParser.parse(bytes)
        } catch {
            throw .parse("not valid JSON at \(error.description)")
        }
        let items = path.select(in: root)
        guard !items.isEmpty else {
            throw .empty("the path \(path) selected nothing\(describeTop(root))")
        }
        var builder = RecordBuilder(mapping: mapping)
        var records: [Record] = []
        records.reserveCapacity(items.count)
        let fieldPaths = Dictionary(
            (mapping.key + mapping.name + [mapping.status].compactMap { $0 } + mapping.fields.map(\.field.from))
                .filter { $0.hasPrefix("$") }
                .compactMap { reference in (try? JSONPath(reference)).map { (reference, $0) } },
            uniquingKeysWith: { first, _ in first })
        for (index, item) in items.enumerated() {
            guard case .object(let members) = item.kind else {
                let location = TextLocation(offset: item.offset, in: bytes)
                throw .parse("record \(index + 1) at line \(location.line), column \(location.column) is \(item.typeDescription), expected an object")
            }
            let place = "record \(index + 1)"
            let record = try builder.build(place: place) { reference throws(SourceFailure) in
                let value: JSONValue?
                if let relative = fieldPaths[reference] {
                    value = relative.select(in: item).first
                } else {
                    value = members.first { $0.key == reference }?.value
                }
                guard let value else { return .missing }
                switch value.kind {
                case .null: return .empty
                case .array, .object:
                    var text = ""
                    JSONWriter.write(value, to: &text)
                    return .value(text)
                default:
                    let text = TextNormalizer.clean(value.scalarText ?? "")
                    return text.isEmpty ? .empty : .value(text)
                }
            }
            records.append(record)
        }
        return ParsedSource(records: records, unmappedStatuses: builder.unmappedStatuses, unparsedDates: builder.unparsedDates)
    }

    private static func describeTop(_ root: JSONValue) -> String {
        switch root.kind {
        case .object(let members):
            let names = members.prefix(8).map { "\"\($0.key)\"" }.joined(separator: ", ")
            return members.isEmpty ? " (the document is an empty object)" : " (the document's top-level keys: \(names))"
        case .array(let elements) where elements.isEmpty:
            return " (the document is an empty array)"
        default:
            return " (the document is \(root.typeDescription))"
        }
    }
}
