import Foundation
import Testing

@testable import VigilCore

/// A source kind added from outside the core, the way a plugin adds one.
@Suite struct SourcePluginTests {
    /// `"type": "lines"`: one person per line, `KEY|NAME|STATUS`, with a `"separator"` option.
    struct LinesReader: SourceReader {
        var separator: Character
        var documentName: String { "a list of lines" }
        var accept: String { "text/plain" }

        func read(_ document: [UInt8], mapping: FieldMapping) async throws(SourceFailure) -> ParsedSource {
            var records: [Record] = []
            for (number, line) in String(decoding: document, as: UTF8.self).split(separator: "\n").enumerated() {
                let parts = line.split(separator: separator, omittingEmptySubsequences: false).map(String.init)
                guard parts.count == 3 else {
                    throw .parse("line \(number + 1): expected KEY\(separator)NAME\(separator)STATUS")
                }
                records.append(Record(key: parts[0], name: parts[1], status: DetaineeStatus(stored: parts[2])))
            }
            return ParsedSource(records: records)
        }
    }

    struct LinesFactory: SourceReaderFactory {
        let type = "lines"
        func makeReader(options: inout ObjectReader) -> (any SourceReader)? {
            let separator = options.optionalString("separator") ?? "|"
            guard separator.count == 1, let character = separator.first else {
                options.report("expected one character", key: "separator")
                return nil
            }
            return LinesReader(separator: character)
        }
    }

    let text = """
        {"sources": [{"id": "list", "type": "lines", "path": "list.txt", "separator": ";", "key": "k", "name": "n"}],
         "outputs": [{"id": "console", "type": "stdout"}]}
        """

    @Test func aRegisteredSourceTypeIsConfiguredAndRead() async throws {
        var registry = SourceRegistry()
        registry.register(LinesFactory())
        let configuration = try Configuration.parse(Array(text.utf8), file: "/tmp/lines.json", sources: registry)
        let source = try #require(configuration.sources.first)
        #expect(source.type == "lines")
        let parsed = try await source.parse(Array("VG-1;Arman;detained\nVG-2;Lilit;released\n".utf8))
        #expect(parsed.records.map(\.key) == ["VG-1", "VG-2"])
        await #expect(throws: SourceFailure.parse("line 1: expected KEY;NAME;STATUS")) {
            try await source.parse(Array("VG-1,Arman\n".utf8))
        }
    }

    @Test func anUnknownSourceTypeNamesTheKnownOnes() throws {
        #expect {
            try Configuration.parse(Array(text.utf8), file: "/tmp/lines.json")
        } throws: { error in
            "\(error)".contains("$.sources[0].type") && "\(error)".contains("csv") && "\(error)".contains("json")
        }
    }
}
