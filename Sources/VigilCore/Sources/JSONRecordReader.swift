import Foundation

/// Reads a JSON document's records: the values the source's `records` path selects.
public enum JSONRecordReader {
    /// Parses on the calling task and builds records on other tasks, batch by batch, so the
    /// work spreads over the cores while only a few batches of parsed values are in memory.
    /// Objects whose bytes are those of a `known` record are neither parsed nor built
    /// (``ParsedSource/unchangedKeys``).
    public static func read(
        _ bytes: [UInt8], records path: JSONPath, mapping: FieldMapping, known: KnownRecords? = nil
    ) async throws(SourceFailure) -> ParsedSource {
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

        // A small document (a pushed record) is built on this task alone.
        let lanes = bytes.count < 64 << 10 ? 1 : Parallel.cores
        let streams = (0..<lanes).map { _ in AsyncStream<(Int, [Item])>.makeStream() }
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

        var batch: [Item] = []
        batch.reserveCapacity(Self.batchSize)
        var batchIndex = 0
        var number = 0
        var unchanged: [(number: Int, key: String)] = []
        var syntax: JSONParser.Failure?
        // Digests are taken even with nothing known yet, so the first reading can be remembered.
        let seed = mapping.collectsProblems ? nil : KnownRecords.seed(for: mapping)
        do {
            try JSONParser.forEach(
                in: bytes, selecting: path, rejectingDuplicateMembers: true, known: known, seed: seed
            ) {
                selection in
                number += 1
                switch selection {
                case .known(let key):
                    unchanged.append((number, key))
                    return
                case .value(let value, let raw):
                    batch.append(Item(number: number, value: value, raw: raw))
                }
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
        result.unchangedKeys = unchanged.map(\.key)
        var seen: [String: Int] = [:]
        seen.reserveCapacity(result.records.capacity + unchanged.count)
        func see(_ key: String, number: Int) throws(SourceFailure) {
            guard let other = seen.updateValue(number, forKey: key) else { return }
            let message = "duplicate key \"\(key)\" in record \(min(other, number)) and record \(max(other, number))"
            guard mapping.collectsProblems else { throw .parse(message) }
            if result.problems.count < RecordBuilder.maxProblems { result.problems.append(message) }
        }
        for (number, key) in unchanged { try see(key, number: number) }
        for part in batches {
            result.unmappedStatuses.formUnion(part.unmappedStatuses)
            result.unparsedDates += part.unparsedDates
            result.problems += part.problems
            for (record, number) in zip(part.records, part.numbers) { try see(record.key, number: number) }
            result.records += part.records
            result.rawDigests.merge(part.rawDigests) { first, _ in first }
        }
        forgetChurn(in: &result, known: known)
        guard result.count > 0 else {
            let top = (try? JSONParser.parse(bytes)).map(describeTop) ?? ""
            throw .empty("the path \(path) selected nothing\(top)")
        }
        return result
    }

    static let batchSize = 2048

    /// Records read again although their digest was stored had other bytes: changed, or
    /// the publisher rewrites records without changing what Vigil reads from them (a
    /// timestamp in every record). When that is most of the list, storing every new digest
    /// would cost a write per record on every run for no later gain: new digests are then
    /// kept only for records that had none (new ones among them), and the others are read
    /// in full next time, as they were this time.
    private static func forgetChurn(in result: inout ParsedSource, known: KnownRecords?) {
        guard let known, !known.keys.isEmpty, result.rawDigests.count > max(1_000, result.count / 10) else { return }
        let remembered = Set(known.keys.values)
        result.rawDigests = result.rawDigests.filter { !remembered.contains($0.key) }
    }

    /// One selected value to build, with its number in the document and the digest of its bytes.
    private struct Item: Sendable {
        var number: Int
        var value: JSONValue
        var raw: Int64?
    }

    /// The records of one batch.
    private struct Built: Sendable {
        var index: Int
        var records: [Record]
        var numbers: [Int]
        /// Raw digests of the records built cleanly (see ``KnownRecords``).
        var rawDigests: [String: Int64]
        var unmappedStatuses: Set<String>
        var unparsedDates: Int
        var problems: [String]
    }

    private static func buildRecords(
        from batches: AsyncStream<(Int, [Item])>, mapping: FieldMapping, fieldPaths: [String: JSONPath],
        bytes: [UInt8]
    ) async -> Result<[Built], SourceFailure> {
        var built: [Built] = []
        for await (index, batch) in batches {
            // Duplicate keys are checked across all batches by the caller.
            var builder = RecordBuilder(mapping: mapping, unit: "record", checkDuplicates: false)
            var records: [Record] = []
            var rawDigests: [String: Int64] = [:]
            records.reserveCapacity(batch.count)
            for item in batch {
                do throws(SourceFailure) {
                    let unparsedBefore = builder.unparsedDates
                    let record = try record(
                        item.value, number: item.number, builder: &builder, fieldPaths: fieldPaths, bytes: bytes)
                    records.append(record)
                    if let raw = item.raw, builder.unparsedDates == unparsedBefore,
                        case .canonical = record.status
                    {
                        rawDigests[record.key] = raw
                    }
                } catch {
                    return .failure(error)
                }
            }
            built.append(
                Built(
                    index: index, records: records, numbers: batch.map(\.number), rawDigests: rawDigests,
                    unmappedStatuses: builder.unmappedStatuses, unparsedDates: builder.unparsedDates,
                    problems: builder.problems))
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
