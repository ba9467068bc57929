import Foundation
import Testing
import VigilTesting

@testable import VigilCore

/// Records whose bytes are unchanged are skipped (``KnownRecords``), and a reading that
/// skips them detects exactly what a reading that builds every record detects.
@Suite struct KnownRecordsTests {
    let mapping = FieldMapping(
        key: ["id"], name: ["name"], status: "status", fields: [("place", .init(from: "place"))],
        statusMap: ["held": .detained, "free": .released, "court": .onTrial])
    let path = try! JSONPath("$.people[*]")

    func read(_ text: String, known: KnownRecords? = nil, mapping: FieldMapping? = nil) async throws -> ParsedSource {
        try await JSONRecordReader.read(Array(text.utf8), records: path, mapping: mapping ?? self.mapping, known: known)
    }

    func known(_ parsed: ParsedSource) -> KnownRecords {
        KnownRecords(keys: Dictionary(parsed.rawDigests.map { ($1, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    func document(_ items: [String]) -> String { #"{"people": ["# + items.joined(separator: ",") + "]}" }

    let one = #"{"id": "1", "name": "Ani \"A\" {x}", "status": "held", "place": "a\\b]}"}"#
    let two = #"{"id": "2", "name": "Boris", "status": "held", "place": "[{\"nested\"}]"}"#
    let odd = #"{"id": "3", "name": "Chen", "status": "vanished", "place": ""}"#

    @Test func onlyRecordsWithNewBytesAreBuilt() async throws {
        let first = try await read(document([one, two, odd]))
        // The record with an unmapped status word is not remembered: its word is reported every time.
        #expect(first.rawDigests.keys.sorted() == ["1", "2"])
        let changedTwo = two.replacingOccurrences(of: "\"held\"", with: "\"free\"")
        let second = try await read(document([one, changedTwo, odd]), known: known(first))
        #expect(second.unchangedKeys == ["1"])
        #expect(second.records.map(\.key) == ["2", "3"])
        #expect(second.unmappedStatuses == ["vanished"])
        #expect(second.count == 3)
        // Other whitespace is other bytes: read again, and remembered anew.
        let spaced = one.replacingOccurrences(of: ", ", with: ",  ")
        let third = try await read(document([spaced, changedTwo, odd]), known: known(first))
        #expect(third.unchangedKeys.isEmpty)
        #expect(third.rawDigests["1"] != first.rawDigests["1"])
        // Another mapping is another fingerprint: nothing is skipped.
        var other = mapping
        other.statusMap["vanished"] = .unknown
        let remapped = try await read(document([one, two, odd]), known: known(first), mapping: other)
        #expect(remapped.unchangedKeys.isEmpty)
        #expect(remapped.records.count == 3)
    }

    @Test func aKnownRecordTwiceIsADuplicateKeyWithItsNumbers() async throws {
        let first = try await read(document([one, two]))
        await #expect(throws: SourceFailure.parse(#"duplicate key "1" in record 1 and record 3"#)) {
            _ = try await read(document([one, two, one]), known: known(first))
        }
        let changedOne = one.replacingOccurrences(of: "\"held\"", with: "\"court\"")
        await #expect(throws: SourceFailure.parse(#"duplicate key "1" in record 1 and record 2"#)) {
            _ = try await read(document([changedOne, one]), known: known(first))
        }
    }

    /// A publisher that rewrites every record (a timestamp the mapping does not read) is not
    /// followed by a write per record on every run.
    @Test func churningBytesAreNotRememberedRecordByRecord() async throws {
        func list(_ stamp: Int, extra: Bool = false) -> String {
            document(
                (1...1_500).map { #"{"id": "\#($0)", "name": "P\#($0)", "status": "held", "seen": \#(stamp)}"# }
                    + (extra ? [#"{"id": "new", "name": "N", "status": "held"}"#] : []))
        }
        let first = try await read(list(1))
        #expect(first.rawDigests.count == 1_500)
        let second = try await read(list(2, extra: true), known: known(first))
        #expect(second.unchangedKeys.isEmpty)
        #expect(second.rawDigests.keys.sorted() == ["new"])
        // A few rewritten records are remembered anew.
        var items = (1...1_500).map { #"{"id": "\#($0)", "name": "P\#($0)", "status": "held", "seen": 1}"# }
        items[7] = #"{"id": "8", "name": "P8", "status": "held", "seen": 2}"#
        let third = try await read(document(items), known: known(first))
        #expect(third.unchangedKeys.count == 1_499)
        #expect(third.rawDigests.keys.sorted() == ["8"])
    }

    /// Random lists and random edits: skipping known records never changes what is detected.
    @Test(arguments: 0..<40) func skippingDetectsWhatBuildingEverythingDetects(seed: Int) async throws {
        var generator = SeededGenerator(seed: UInt64(seed) &+ 77)
        let words = ["held", "free", "court"]
        let texts = ["", "a", "\\\"}", "{[", "ж\\\\", "]}\\n", "\\u0041", "x y"]
        func item(_ id: Int) -> String {
            let status = words[Int.random(in: 0..<3, using: &generator)]
            let place = texts[Int.random(in: 0..<texts.count, using: &generator)]
            return #"{"id": "\#(id)", "name": "P\#(id) \#(place)", "status": "\#(status)", "place": "\#(place)"}"#
        }
        let count = Int.random(in: 1...60, using: &generator)
        let before = (0..<count).map(item)
        var after: [String] = []
        for (index, text) in before.enumerated() {
            switch Int.random(in: 0..<10, using: &generator) {
            case 0: continue  // removed
            case 1: after.append(item(index))  // redrawn: maybe changed
            case 2: after.append(text.replacingOccurrences(of: ": ", with: ":"))  // reformatted
            default: after.append(text)
            }
        }
        for extra in 0..<Int.random(in: 0...3, using: &generator) { after.append(item(1000 + extra)) }
        after.shuffle(using: &generator)
        guard !after.isEmpty else { return }

        let first = try await read(document(before))
        let stored = Dictionary(uniqueKeysWithValues: first.records.map { ($0.key, $0.canonicalEncoding) })
        let contents: @Sendable ([String]) throws -> [String: String] = { keys in
            stored.filter { keys.contains($0.key) }
        }
        let built = try await read(document(after))
        let skipping = try await read(document(after), known: known(first))
        #expect(skipping.count == built.count)
        #expect(Set(skipping.records.map(\.key) + skipping.unchangedKeys) == Set(built.records.map(\.key)))
        let plain = try await RecordDiff.compute(
            storedDigests: stored.mapValues(RecordDiff.digest), fresh: built.records, contents: contents)
        let quick = try await RecordDiff.compute(
            storedDigests: stored.mapValues(RecordDiff.digest), fresh: skipping.records,
            unchanged: skipping.unchangedKeys, contents: contents)
        #expect(quick.added.map(\.key).sorted() == plain.added.map(\.key).sorted())
        #expect(quick.removed.map(\.key).sorted() == plain.removed.map(\.key).sorted())
        #expect(
            quick.changed.map { "\($0.record.key) \($0.changes)" }.sorted()
                == plain.changed.map { "\($0.record.key) \($0.changes)" }.sorted())
    }

    /// Through runs and the SQLite store: remembered at the baseline, kept in step after changes.
    @Test func runsRememberAndSkipUnchangedRecords() async throws {
        let fixture = try CycleFixture()
        fixture.statusMap = ["detained": .detained, "released": .released]
        fixture.maxDrop = 0.9
        let people = [(id: 1, status: "detained"), (id: 2, status: "detained")]
        try fixture.write(people)
        _ = try await fixture.run()
        let baseline = try fixture.store.storedRawDigests(source: "list")
        #expect(Set(baseline.values) == ["1", "2"])

        try fixture.write([(id: 1, status: "released"), (id: 2, status: "detained")])
        #expect(try await fixture.run().events == 1)
        let afterChange = try fixture.store.storedRawDigests(source: "list")
        #expect(Set(afterChange.values) == ["1", "2"])
        #expect(afterChange.keys.contains { baseline[$0] == "2" })
        #expect(!afterChange.keys.contains { baseline[$0] == "1" })

        #expect(try await fixture.run().events == 0)  // the same bytes: both skipped
        try fixture.write([(id: 2, status: "detained")])
        #expect(try await fixture.run().events == 1)
        #expect(fixture.kinds == [.changed, .removed])
        #expect(try fixture.store.storedRawDigests(source: "list").values.sorted() == ["2"])
    }
}
