import Testing

@testable import VigilCore

@Suite struct RecordReaderTests {
    let mapping = FieldMapping(
        key: ["id"], name: ["name"], status: "status",
        fields: [
            ("born", .init(from: "born", kind: .date(formats: [try! DatePattern("dd.MM.yyyy")]))),
            ("place", .init(from: "place")),
        ],
        statusMap: ["libéré": .released, "заключен под стражу": .detained])

    func json(_ text: String, path: String = "$.prisoners[*]") async throws(SourceFailure) -> ParsedSource {
        try await JSONRecordReader.read(Array(text.utf8), records: try! JSONPath(path), mapping: mapping)
    }

    func csv(_ text: String, bom: Bool = false, delimiter: Unicode.Scalar = ",") throws(SourceFailure) -> ParsedSource {
        try CSVRecordReader.read(
            (bom ? [0xEF, 0xBB, 0xBF] : []) + Array(text.utf8), delimiter: delimiter, mapping: mapping)
    }

    @Test func jsonRecordsAreMappedAndNormalised() async throws {
        let parsed = try await json(
            #"{"prisoners": [{"id": 7, "name": "  Aram   Vardoyantz ", "status": "Libéré", "born": "14.12.1990", "place": null},"#
                + #"{"id": "8", "name": "Ani Kelounian", "status": "on hunger strike", "born": "1990/12/14"}]}"#)
        #expect(parsed.records.count == 2)
        #expect(
            parsed.records[0]
                == Record(
                    key: "7", name: "Aram Vardoyantz", status: .canonical(.released), fields: ["born": "1990-12-14"]))
        #expect(parsed.records[1].status == .unmapped("on hunger strike"))
        #expect(parsed.unmappedStatuses == ["on hunger strike"])
        #expect(parsed.unparsedDates == 1)
        #expect(parsed.records[1].fields["born"] == "1990/12/14")
    }

    @Test func largeDocumentsKeepOrderAndCatchDuplicatesAcrossBatches() async throws {
        let count = JSONRecordReader.batchSize * 3 + 17
        let items = (1...count).map { #"{"id": \#($0), "name": "P\#($0)", "status": "détenu"}"# }
        let parsed = try await json(#"{"prisoners": ["# + items.joined(separator: ",") + "]}")
        #expect(parsed.records.map(\.key) == (1...count).map(String.init))
        #expect(parsed.unmappedStatuses == ["détenu"])

        var duplicated = items
        duplicated[count - 5] = #"{"id": 10, "name": "Again", "status": "x"}"#
        await #expect(throws: SourceFailure.parse(#"duplicate key "10" in record 10 and record \#(count - 4)"#)) {
            try await json(#"{"prisoners": ["# + duplicated.joined(separator: ",") + "]}")
        }
        var broken = items
        broken[count - 2] = #""not an object""#
        await #expect {
            try await json(#"{"prisoners": ["# + broken.joined(separator: ",") + "]}")
        } throws: { error in
            guard case .parse(let message) = error as? SourceFailure else { return false }
            return message.hasPrefix("record \(count - 1) at line 1, column ")
        }
    }

    @Test func compositeKeysAndRelativePaths() async throws {
        let composite = FieldMapping(key: ["surname", "born"], name: ["$.person.given", "surname"], status: nil)
        let parsed = try await JSONRecordReader.read(
            Array(#"[{"surname": "Melkoyantz", "born": "1970", "person": {"given": "Levon"}}]"#.utf8),
            records: try JSONPath("$[*]"), mapping: composite)
        #expect(parsed.records.first?.key == "Melkoyantz|1970")
        #expect(parsed.records.first?.name == "Levon Melkoyantz")
        #expect(parsed.records.first?.status == .canonical(.unknown))
    }

    @Test func duplicateKeysAreAnError() async {
        await #expect(throws: SourceFailure.parse(#"duplicate key "1" in record 1 and record 2"#)) {
            try await json(
                #"{"prisoners": [{"id": 1, "name": "A", "status": "x"}, {"id": 1, "name": "B", "status": "x"}]}"#)
        }
        #expect(throws: SourceFailure.parse(#"duplicate key "9" in row 2 and row 3"#)) {
            try csv("id,name,status,born,place\n9,A,x,,\n9,B,x,,\n")
        }
    }

    @Test func aRecordNamingAMemberTwiceFailsClosedWithTheRecordAndMemberNamed() async throws {
        await #expect {
            try await json(
                #"{"prisoners": [{"id": 1, "name": "A", "status": "x"}, "#
                    + #"{"id": "A-1", "status": "released", "name": "Ani", "status": "detained"}]}"#)
        } throws: { error in
            guard case .parse(let message) = error as? SourceFailure else { return false }
            return message.hasPrefix("record 2 at line 1, column ")
                && message.contains(#"the member "status" appears twice in one object (first at line 1, column "#)
        }
        // Nested objects too (a relative path may read them), and large records use the set path.
        await #expect(throws: SourceFailure.self) {
            try await json(
                #"{"prisoners": [{"id": 1, "name": "A", "status": "x", "person": {"given": "A", "given": "B"}}]}"#)
        }
        let wide = (1...40).map { #""f\#($0)": \#($0)"# }.joined(separator: ", ")
        await #expect(throws: SourceFailure.self) {
            try await json(#"{"prisoners": [{"id": 1, "name": "A", "status": "x", \#(wide), "f7": 0}]}"#)
        }
        // Outside the records, the document is still refused, as not valid JSON.
        await #expect {
            try await json(#"{"prisoners": [], "prisoners": [{"id": 1, "name": "A", "status": "x"}]}"#)
        } throws: { error in
            guard case .parse(let message) = error as? SourceFailure else { return false }
            return message.hasPrefix("not valid JSON at line 1")
        }
        #expect(
            try await json(#"{"prisoners": [{"id": 1, "name": "A", "status": "x", "x": {"id": 2}}]}"#).records.count
                == 1)
    }

    @Test func aNULInAKeyOrAValueFailsClosed() async {
        for document in [
            #"{"prisoners": [{"id": "A\u0000", "name": "Ani", "status": "x"}]}"#,
            #"{"prisoners": [{"id": "A", "name": "Ani\u0000 Vardan", "status": "x"}]}"#,
            #"{"prisoners": [{"id": "A", "name": "Ani", "status": "libéré\u0000"}]}"#,
            #"{"prisoners": [{"id": "A", "name": "Ani", "status": "x", "place": "Colony\u0000East"}]}"#,
        ] {
            await #expect {
                try await json(document)
            } throws: { error in
                guard case .parse(let message) = error as? SourceFailure else { return false }
                return message.hasPrefix("record 1 has a NUL character (U+0000) in field")
            }
        }
        #expect(
            throws: SourceFailure.parse(
                #"row 2 has a NUL character (U+0000) in field "id"; a source with NUL characters fails closed"#)
        ) {
            try csv("id,name,status,born,place\nA\u{0}1,Ani,x,,\n")
        }
        #expect(throws: SourceFailure.self) { try csv("id,name,status,born,place\nA1,Ani,x,,Colony\u{0}East\n") }
    }

    @Test func brokenJSONDocumentsFailClosed() async {
        await #expect {
            try await json(#"{"prisoners": [{"id": 1, "name": "A", "status": "x"},"#)
        } throws: { error in
            guard case .parse(let message) = error as? SourceFailure else { return false }
            return message.contains("line 1, column")
        }
        await #expect(throws: SourceFailure.self) {
            try await json(#"{"prisoners": [{"id": 1, "name": "A", "status": "x"}, "oops"]}"#)
        }
        await #expect {
            try await json(#"{"data": []}"#)
        } throws: { error in
            guard case .empty(let message) = error as? SourceFailure else { return false }
            return message.contains(#"top-level keys: "data""#)
        }
        await #expect {
            try await json("<!DOCTYPE html><html>Login</html>")
        } throws: { error in
            if case .wrongType = error as? SourceFailure { true } else { false }
        }
        await #expect(throws: SourceFailure.parse(#"record 1 has no status field "status""#)) {
            try await json(#"{"prisoners": [{"id": 1, "name": "A"}]}"#)
        }
        await #expect(throws: SourceFailure.parse(#"record 1 has no value for key field "id""#)) {
            try await json(#"{"prisoners": [{"id": null, "name": "A", "status": "x"}]}"#)
        }
    }

    @Test func csvWithBOMQuotesAndSemicolons() throws {
        let text =
            "id;name;status;born;place\r\n1;\"Vardoyantz; Aram\";Заключен под стражу;01.02.1980;\"Colony\nEast\"\r\n2;Ani;libéré;;\r\n\r\n"
        let parsed = try csv(text, bom: true, delimiter: ";")
        #expect(parsed.records.count == 2)
        #expect(parsed.records[0].name == "Vardoyantz; Aram")
        #expect(parsed.records[0].status == .canonical(.detained))
        #expect(parsed.records[0].fields == ["born": "1980-02-01", "place": "Colony East"])
        #expect(parsed.records[1].status == .canonical(.released))
    }

    @Test func brokenCSVDocumentsFailClosed() {
        #expect {
            try csv("id,name,status,born,place\n1,A,x,,\n2,B")
        } throws: { error in
            guard case .parse(let message) = error as? SourceFailure else { return false }
            return message.contains("row 3 has 2 fields, the header has 5")
        }
        #expect {
            try csv("ident,name,status,born,place\n1,A,x,,\n")
        } throws: { error in
            guard case .parse(let message) = error as? SourceFailure else { return false }
            return message.contains(#"column "id" is not in the header"#)
        }
        #expect(throws: SourceFailure.empty("the CSV document has a header but no rows")) {
            try csv("id,name,status,born,place\n")
        }
        #expect {
            try csv("<!DOCTYPE html>\n<html><body>captcha</body></html>")
        } throws: { error in
            if case .wrongType = error as? SourceFailure { true } else { false }
        }
    }
}

@Suite struct RecordDiffTests {
    func record(_ key: String, _ status: DetaineeStatus.Canonical, place: String? = nil) -> Record {
        Record(key: key, name: "Person \(key)", status: .canonical(status), fields: place.map { ["place": $0] } ?? [:])
    }

    @Test func detectsAddedChangedRemovedIndependentOfOrder() throws {
        let stored = Dictionary(
            uniqueKeysWithValues: [record("1", .detained, place: "A"), record("2", .detained), record("3", .onTrial)]
                .map { ($0.key, $0.canonicalEncoding) })
        let fresh = [record("4", .detained), record("2", .detained), record("1", .released)]
        let diff = try RecordDiff(stored: stored, fresh: fresh)
        #expect(diff.added.map(\.key) == ["4"])
        #expect(diff.removed.map(\.key) == ["3"])
        #expect(diff.changed.count == 1)
        #expect(
            diff.changed.first?.changes == [
                FieldChange(field: "status", from: "detained", to: "released"),
                FieldChange(field: "place", from: "A", to: nil),
            ])
        let same = try RecordDiff(
            stored: stored, fresh: [record("3", .onTrial), record("2", .detained), record("1", .detained, place: "A")])
        #expect(same.isEmpty)
    }

    @Test func fieldOrderDoesNotMatter() throws {
        var first = Record(key: "1", name: "A", status: .canonical(.detained))
        first.fields = ["b": "2", "a": "1", "c": "3"]
        var second = Record(key: "1", name: "A", status: .canonical(.detained))
        second.fields = ["c": "3", "a": "1", "b": "2"]
        #expect(first.canonicalEncoding == second.canonicalEncoding)
        #expect(try Record(key: "1", canonicalEncoding: first.canonicalEncoding) == first)
    }

    @Test func dropGuardLimit() throws {
        try DropGuard.check(removed: 2, storedCount: 10, maxDrop: 0.2)
        #expect(throws: SourceFailure.suspiciousDrop(removed: 3, of: 10, limit: 0.2)) {
            try DropGuard.check(removed: 3, storedCount: 10, maxDrop: 0.2)
        }
    }
}
