import Foundation

/// Reads a JSON document's records: the values the source's `records` path selects.
public enum JSONRecordReader {
    /// Parses on the calling task and builds records on other tasks, batch by batch, so the
    /// work spreads over the cores while only a few batches of parsed values are in memory.
    public static func read(_ bytes: [UInt8], records path: JSONPath, mapping: FieldMapping) async throws(SourceFailure)
        -> ParsedSource
    {
        if let first = bytes.first(where: { !SourceDocument.isSpace($0) }),
            first == UInt8(ascii: "<")
        {
            throw .wrongType("expected JSON, got a document starting with '<' (an HTML page, a login or captcha page?)")
        }
        let fieldPaths = Dictionary(
            mapping.references
                .filter { $0.hasPrefix("$") }
                .compactMap { reference in (try? JSONPath(reference)).map { (reference, $0) } },
            uniquingKeysWith: { first, _ in first })

        let lanes = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let streams = (0..<lanes).map { _ in AsyncStream<(Int, [JSONValue])>.makeStream() }
        async let built = withTaskGroup(of: Result<[Built], SourceFailure>.self) { group in
            for (stream, _) in streams {
                group.addTask {
                    await buildRecords(from: stream, mapping: mapping, fieldPaths: fieldPaths, bytes: bytes)
                }
            }
            var parts: [Result<[Built], SourceFailure>] = []
            for await part in group { parts.append(part) }
            return parts
        }

        var batch: [JSONValue] = []
        batch.reserveCapacity(Self.batchSize)
        var batchIndex = 0
        var syntax: JSONParser.Failure?
        do {
            try JSONParser.forEach(in: bytes, selecting: path, rejectingDuplicateMembers: true) { item in
                batch.append(item)
                if batch.count == Self.batchSize {
                    streams[batchIndex % lanes].continuation.yield((batchIndex, batch))
                    batchIndex += 1
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if !batch.isEmpty { streams[batchIndex % lanes].continuation.yield((batchIndex, batch)) }
        } catch {
            syntax = error as? JSONParser.Failure
        }
        for (_, continuation) in streams { continuation.finish() }
        let parts = await built
        if let syntax {
            if let number = syntax.selectedNumber, syntax.duplicateMember != nil {
                throw .parse("record \(number) at \(syntax.description)")
            }
            throw .parse("not valid JSON at \(syntax.description)")
        }

        var batches: [Built] = []
        for part in parts { batches += try part.get() }
        batches.sort { $0.index < $1.index }
        var result = ParsedSource(records: [])
        result.records.reserveCapacity(batches.reduce(0) { $0 + $1.records.count })
        var seen: [String: Int] = [:]
        seen.reserveCapacity(result.records.capacity)
        for part in batches {
            result.unmappedStatuses.formUnion(part.unmappedStatuses)
            result.unparsedDates += part.unparsedDates
            result.problems += part.problems
            for (offset, record) in part.records.enumerated() {
                let number = part.index * Self.batchSize + offset + 1
                if let earlier = seen.updateValue(number, forKey: record.key) {
                    let message = "duplicate key \"\(record.key)\" in record \(earlier) and record \(number)"
                    guard mapping.collectsProblems else { throw .parse(message) }
                    if result.problems.count < RecordBuilder.maxProblems { result.problems.append(message) }
                }
            }
            result.records += part.records
        }
        guard !result.records.isEmpty else {
            let top = (try? JSONParser.parse(bytes)).map(describeTop) ?? ""
            throw .empty("the path \(path) selected nothing\(top)")
        }
        return result
    }

    static let batchSize = 2048

    /// The records of one batch.
    private struct Built: Sendable {
        var index: Int
        var records: [Record]
        var unmappedStatuses: Set<String>
        var unparsedDates: Int
        var problems: [String]
    }

    private static func buildRecords(
        from batches: AsyncStream<(Int, [JSONValue])>, mapping: FieldMapping, fieldPaths: [String: JSONPath],
        bytes: [UInt8]
    ) async -> Result<[Built], SourceFailure> {
        var built: [Built] = []
        for await (index, batch) in batches {
            // Duplicate keys are checked across all batches by the caller.
            var builder = RecordBuilder(mapping: mapping, unit: "record", checkDuplicates: false)
            var records: [Record] = []
            records.reserveCapacity(batch.count)
            for (offset, item) in batch.enumerated() {
                do throws(SourceFailure) {
                    let number = index * batchSize + offset + 1
                    records.append(
                        try record(item, number: number, builder: &builder, fieldPaths: fieldPaths, bytes: bytes))
                } catch {
                    return .failure(error)
                }
            }
            built.append(
                Built(
                    index: index, records: records, unmappedStatuses: builder.unmappedStatuses,
                    unparsedDates: builder.unparsedDates, problems: builder.problems))
        }
        return .success(built)
    }

    private static func record(
        _ item: JSONValue, number: Int, builder: inout RecordBuilder, fieldPaths: [String: JSONPath], bytes: [UInt8]
    ) throws(SourceFailure) -> Record {
        guard case .object(let members) = item.kind else {
            let location = TextLocation(offset: item.offset, in: bytes)
            throw .parse(
                "record \(number) at line \(location.line), column \(location.column) is \(item.typeDescription), expected an object"
            )
        }
        return try builder.build(number: number) { reference throws(SourceFailure) in
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
