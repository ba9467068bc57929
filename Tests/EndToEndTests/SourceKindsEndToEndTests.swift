import Curl
import Foundation
import Testing

/// The new source kinds through the built `vigil`: `vigil source test`, and a run that
/// notices a status change on an HTML page served over HTTP.
@Suite struct SourceKindsEndToEndTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/Sources").path

    func put(_ server: String, _ name: String, _ body: String, type: String = "text/html; charset=utf-8") async throws {
        try await CurlEngine.withEngine { curl in
            var request = CurlRequest(url: "\(server)/feed/\(name)", method: .put)
            request.allowedProtocols = "http"
            request.headers = [("Content-Type", type)]
            request.body = Array(body.utf8)
            let response = try await curl.perform(request)
            #expect(response.status == 204)
        }
    }

    @Test func sourceTestPrintsRecordsAndProblemsAndStoresNothing() async throws {
        let vigil = try VigilProcess()
        try vigil.write("dupes.csv", "id,name,status\n1,A B,detained\n1,C D,held\n2,,detained\n")
        try vigil.write(
            "config.json",
            """
            {"state": "state",
             "sources": [
               {"id": "paged", "type": "html", "url": "\(vigil.server)/fixtures/page1.html", "rows": "li.person",
                "next": "a[rel=next]", "key": "::attr(data-id)", "name": "span.name", "status": "em.status",
                "fields": {"note": "span.note"}},
               {"id": "dupes", "type": "csv", "path": "dupes.csv", "key": "id", "name": "name", "status": "status"}],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """)
        let paged = try await vigil.run(["source", "test", "paged", "--config", "config.json", "--limit", "2"])
        #expect(paged.status == 0, "\(paged.stderr)")
        #expect(
            paged.stdout == """
                paged (html): 6 records
                  P-11 | Person 11 Example | detained
                  P-12 | Person 12 Example | detained
                  … 4 more (--limit)
                problems:
                  - field "note" never matches

                """)
        let dupes = try await vigil.run(["source", "test", "dupes", "--config", "config.json", "--json"])
        #expect(dupes.status == 2)
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(dupes.stdout.utf8)) as? [String: Any])
        #expect(report["records"] as? Int == 3)
        #expect(report["wouldFailRun"] as? Bool == true)
        #expect(
            report["problems"] as? [String] == ["duplicate key \"1\" in row 2 and row 3", "row 4 has an empty name"])
        #expect(report["unmappedStatuses"] as? [String: Int] == ["held": 1])
        #expect(!FileManager.default.fileExists(atPath: vigil.directory + "/state"), "source test stores nothing")
    }

    @Test func checkResolvesACommandsSecretReferencesWithoutPrintingThem() async throws {
        let vigil = try VigilProcess()
        try vigil.write(
            "config.json",
            #"""
            {"sources": [{"id": "cmd", "type": "command", "command": ["cat", "x.csv"], "format": "csv",
                          "key": "a", "name": "b",
                          "environment": {"TOKEN": "${env:VIGIL_TEST_TOKEN}", "OTHER": "${file:token.txt}"}}],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """#)
        let missing = try await vigil.run(
            ["check", "--config", "config.json"], environment: ["VIGIL_TEST_TOKEN": "t0k3n-value"])
        #expect(missing.status == 78)
        #expect(
            missing.stderr.contains("$.sources[0].environment.OTHER: ")
                || missing.stdout.contains("$.sources[0].environment.OTHER: "))
        #expect(!missing.stdout.contains("t0k3n-value") && !missing.stderr.contains("t0k3n-value"))
        try vigil.write("token.txt", "file-secret\n")
        let fine = try await vigil.run(
            ["check", "--config", "config.json"], environment: ["VIGIL_TEST_TOKEN": "t0k3n-value"])
        #expect(fine.status == 0, "\(fine.stdout) \(fine.stderr)")
    }

    @Test func aRunNoticesAStatusChangeOnAnHTMLPage() async throws {
        let vigil = try VigilProcess()
        let name = "e2e-table-\(UUID().uuidString)"
        let page = try String(contentsOfFile: Self.fixtures + "/table.html", encoding: .utf8)
        try await put(vigil.server, name, page)
        try vigil.write(
            "config.json",
            """
            {"state": "state",
             "sources": [{"id": "held", "type": "html", "url": "\(vigil.server)/feed/\(name)", "table": "#held",
                          "key": "No.", "name": "Full name", "status": "Status"}],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """)
        let baseline = try await vigil.run(["run", "--config", "config.json"])
        #expect(baseline.status == 0, "\(baseline.stderr)")
        #expect(baseline.stdout.isEmpty)
        try await put(
            vigil.server, name,
            page.replacingOccurrences(
                of: "<td>VG-001</td><td><a href=\"/p/1\"><b>Arman</b>   Petrosyan</a></td><td>Detained</td>",
                with: "<td>VG-001</td><td><a href=\"/p/1\"><b>Arman</b>   Petrosyan</a></td><td>Released</td>"))
        let changed = try await vigil.run(["run", "--config", "config.json"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stdout.contains("Arman Petrosyan"), "\(changed.stdout)")
        #expect(changed.stdout.contains("detained → released"), "\(changed.stdout)")
        #expect(!changed.stdout.contains("VG-002"))
    }
}
