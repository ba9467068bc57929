import VigilCore

/// Program output read line by line with a regular expression: each line the `pattern`
/// matches whole is a record, and the mapping refers to the pattern's named groups
/// (`(?<id>VG-\d+)\s{2,}(?<name>.+?)\s{2,}(?<status>\S.*)`). Lines it does not match —
/// titles, page headers, blank lines — are skipped; the source still fails closed when
/// none match. For text such as `pdftotext -layout` prints.
public struct LinesSourceReader: SourceReader {
    public let pattern: String
    let groups: [String]

    public var documentName: String { "lines of text" }
    public var accept: String { "text/plain" }

    public init(pattern: String) throws(SourceFailure) {
        self.pattern = pattern
        do {
            let regex = try Regex(pattern)
            _ = regex
        } catch {
            throw .parse("invalid pattern: \(error)")
        }
        groups = Self.groupNames(pattern)
    }

    /// The `(?<name>…)` groups of a pattern, in order.
    static func groupNames(_ pattern: String) -> [String] {
        var names: [String] = []
        var rest = pattern[...]
        while let start = rest.range(of: "(?<") {
            let after = rest[start.upperBound...]
            guard let first = after.first, first != "=", first != "!",
                let end = after.firstIndex(of: ">")
            else {
                rest = after
                continue
            }
            names.append(String(after[..<end]))
            rest = after[after.index(after: end)...]
        }
        return names
    }

    public func problem(withReference reference: String) -> String? {
        groups.contains(reference)
            ? nil
            : "\"\(reference)\" is not a named group of the pattern (groups: \(groups.joined(separator: ", ")))"
    }

    public func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource {
        let regex: Regex<AnyRegexOutput>
        do {
            regex = try Regex(pattern)
        } catch {
            throw .parse("invalid pattern: \(error)")
        }
        let text = String(decoding: document, as: UTF8.self)
        var builder = RecordBuilder(mapping: mapping, unit: "line")
        var records: [Record] = []
        // "\r\n" is one Character in Swift: split on it as well as on "\n".
        let lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
        for (index, line) in lines.enumerated() {
            guard let match = try? regex.wholeMatch(in: line) else { continue }
            let record = try builder.build(number: index + 1) { reference throws(SourceFailure) in
                guard let captured = match[reference] else { return .missing }
                guard let substring = captured.substring else { return .empty }
                let value = TextNormalizer.clean(String(substring))
                return value.isEmpty ? .empty : .value(value)
            }
            records.append(record)
        }
        guard !records.isEmpty else { throw .empty("no line matches the pattern") }
        return builder.finish(records)
    }
}
