import Foundation
import Testing
import VigilTesting

@testable import VigilCore

/// Whatever Unicode a list holds, reading the same document twice never reports a change:
/// not through the in-memory comparison, not through the stored digests a run compares.
@Suite struct RecordDiffPropertyTests {
    /// Scalars that have broken text handling somewhere: combining marks (é as one or two
    /// scalars), Armenian, Cyrillic, CJK, emoji and ZWJ sequences, bidirectional overrides,
    /// line and paragraph separators, tabs and no-break spaces (normalised), a BOM, private
    /// use, noncharacters, escapes, quotes, backslashes and C0/C1 controls (NUL excepted: it
    /// fails a source closed).
    static let alphabet: [Unicode.Scalar] = [
        "a", "Z", "0", " ", "\"", "\\", "/", "é", "e", "\u{0301}", "\u{00A0}", "\t", "\n", "\r", "Ա", "ղ", "Ж", "ё",
        "漢", "字", "😀", "\u{200D}", "👩", "\u{1F3FD}", "\u{202E}", "\u{202D}", "\u{2028}", "\u{2029}", "\u{FEFF}",
        "\u{E000}", "\u{FFFF}", "\u{10FFFF}", "\u{01}", "\u{1B}", "\u{7F}", "\u{85}", "\u{9B}", "ə", "ı", "İ", "ß",
    ]

    func randomText(_ generator: inout SeededGenerator, length: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<length {
            scalars.append(Self.alphabet[Int.random(in: 0..<Self.alphabet.count, using: &generator)])
        }
        return String(scalars)
    }

    /// A JSON string literal for `text`: escaped by the writer, or with every non-ASCII
    /// scalar as a `\u` escape (surrogate pairs for astral scalars).
    func literal(_ text: String, escapeAll: Bool) -> String {
        guard escapeAll else { return JSONWriter.string(text) }
        var output = "\""
        for unit in text.utf16 {
            let scalar = Unicode.Scalar(unit)
            if let scalar, scalar.isASCII, scalar.value >= 0x20, scalar != "\"", scalar != "\\" {
                output.unicodeScalars.append(scalar)
            } else {
                output += String(format: "\\u%04x", unit)
            }
        }
        return output + "\""
    }

    @Test(arguments: 0..<60)
    func anUnchangedDocumentNeverReadsAsAChange(seed: Int) async throws {
        var generator = SeededGenerator(seed: UInt64(seed) &+ 1000)
        let count = Int.random(in: 1...40, using: &generator)
        var items: [String] = []
        for index in 0..<count {
            let escape = Bool.random(using: &generator)
            let key = "\(index)-" + randomText(&generator, length: Int.random(in: 0...6, using: &generator))
            let name = "n" + randomText(&generator, length: Int.random(in: 0...12, using: &generator))
            let status = randomText(&generator, length: Int.random(in: 0...5, using: &generator))
            let place = randomText(&generator, length: Int.random(in: 0...20, using: &generator))
            items.append(
                "{\"id\": \(literal(key, escapeAll: escape)), \"name\": \(literal(name, escapeAll: escape)), "
                    + "\"status\": \(literal(status, escapeAll: escape)), \"place\": \(literal(place, escapeAll: !escape))}"
            )
        }
        let document = Array(("[" + items.joined(separator: ",\n") + "]").utf8)
        let mapping = FieldMapping(
            key: ["id"], name: ["name"], status: "status", fields: [("place", .init(from: "place"))])
        let first = try await JSONRecordReader.read(document, records: try JSONPath("$[*]"), mapping: mapping)
        #expect(first.records.count == count)
        let stored = Dictionary(first.records.map { ($0.key, $0.canonicalEncoding) }, uniquingKeysWith: { a, _ in a })
        for record in first.records {
            #expect(try Record(key: record.key, canonicalEncoding: record.canonicalEncoding) == record)
            #expect(record.canonicalDigest == RecordDiff.digest(record.canonicalEncoding))
        }

        let second = try await JSONRecordReader.read(document, records: try JSONPath("$[*]"), mapping: mapping)
        #expect(try RecordDiff(stored: stored, fresh: second.records).isEmpty)
        let viaDigests = try await RecordDiff.compute(
            storedDigests: stored.mapValues(RecordDiff.digest), fresh: second.records,
            contents: { keys in stored.filter { keys.contains($0.key) } })
        #expect(viaDigests.isEmpty, "added \(viaDigests.added.count), changed \(viaDigests.changed.count)")
    }
}
