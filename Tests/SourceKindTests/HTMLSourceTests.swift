import Foundation
import Testing
import VigilCore
import VigilTesting

/// `html` sources read from files and over HTTP, shaped like real publishers' pages.
@Suite struct HTMLSourceTests {
    let table = """
        {"id": "held", "type": "html", "%@": "%@", "table": "table.people",
         "key": "No.", "name": "Full name", "status": "Status",
         "fields": {"detained": {"from": "Detained", "type": "date", "format": "dd.MM.yyyy"}}}
        """

    func tableSource(_ location: String, _ value: String) -> String {
        table.replacingOccurrences(of: "\"%@\": \"%@\"", with: "\"\(location)\": \"\(value)\"")
    }

    @Test func aTableIsReadByHeaderWithSpansMarkupAndEntitiesResolved() async throws {
        let expected = [
            "VG-001: Arman Petrosyan [detained] detained=2024-03-12",
            "VG-002: Lilit Hakobyan (née Sargsyan) [sentenced] detained=2024-05-01",
            "VG-003: Davit & Son Grigoryan [sentenced] detained=2024-06-01",
            "VG-004: Ani <Mkrtchyan> [released]",
        ]
        let fromFile = try await SourceHarness.read(tableSource("path", "table.html"))
        #expect(fromFile.lines == expected)
        let url = try TestServers.http() + "/fixtures/table.html"
        let overHTTP = try await SourceHarness.read(tableSource("url", url))
        #expect(overHTTP.lines == expected)
    }

    @Test func rowsAndFieldsBySelectorsAcrossThreePages() async throws {
        let source = """
            {"id": "paged", "type": "html", "%@": "%@", "rows": "li.person", "next": "a[rel=next]",
             "key": "::attr(data-id)", "name": "span.name", "status": "em.status"}
            """
        let expected = (1...3).flatMap { page in
            (1...2).map { "P-\(page)\($0): Person \(page)\($0) Example [detained]" }
        }
        for (location, value) in [("path", "page1.html"), ("url", try TestServers.http() + "/fixtures/page1.html")] {
            let json = source.replacingOccurrences(of: "\"%@\": \"%@\"", with: "\"\(location)\": \"\(value)\"")
            #expect(try await SourceHarness.read(json).lines == expected)
        }
    }

    @Test func aPageCapReachedWithANextLinkLeftFailsClosed() async throws {
        let json = """
            {"id": "paged", "type": "html", "path": "page1.html", "rows": "li.person", "next": "a.next",
             "maxPages": 2, "key": "::attr(data-id)", "name": "span.name"}
            """
        await #expect(throws: SourceFailure.self) { try await SourceHarness.read(json) }
        do {
            _ = try await SourceHarness.read(json)
        } catch let failure as SourceFailure {
            #expect(failure.description.contains("page 2 still links to a next page and maxPages is 2"))
        }
    }

    @Test func xpathSelectorsReadTheSamePages() async throws {
        let json = """
            {"id": "paged", "type": "html", "path": "page1.html", "selectors": "xpath",
             "rows": "//li[@class='person']", "next": "//a[@rel='next']",
             "key": "@data-id", "name": "span[@class='name']", "status": "string(em)"}
            """
        #expect(try await SourceHarness.read(json).records.count == 6)
    }

    @Test func aWindows1251PageIsDecodedFromItsMetaOrTheHTTPCharset() async throws {
        let json = """
            {"id": "ru", "type": "html", "%@": "%@", "key": "Номер", "name": "ФИО", "status": "Статус",
             "statusMap": {"под стражей": "detained", "освобождена": "released"}}
            """
        let expected = ["RU-1: Иванов Иван Иванович [detained]", "RU-2: Петрова Анна Сергеевна [released]"]
        let file = json.replacingOccurrences(of: "\"%@\": \"%@\"", with: "\"path\": \"cp1251.html\"")
        #expect(try await SourceHarness.read(file).lines == expected)
        // The same bytes, the meta tag removed, labelled only by the HTTP header.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: SourceHarness.fixtures + "/cp1251.html")))
        let meta = Array("<meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1251\">".utf8)
        if let range = bytes.firstRange(of: meta) { bytes.removeSubrange(range) }
        let url = try await SourceHarness.serve(
            bytes, as: "cp1251-header", contentType: "text/html; charset=windows-1251")
        let http = json.replacingOccurrences(of: "\"%@\": \"%@\"", with: "\"url\": \"\(url)\"")
        #expect(try await SourceHarness.read(http).lines == expected)
    }

    @Test func anExportLinkWhoseAddressChangesIsDiscoveredAndRead() async throws {
        let json = """
            {"id": "export", "type": "html", "%@": "%@", "link": "a.export", "linkType": "csv",
             "key": "id", "name": "name", "status": "status"}
            """
        let expected = ["VG-1: Arman Petrosyan [detained]", "VG-2: Lilit Hakobyan [released]"]
        for (location, value) in [
            ("path", "export-page.html"), ("url", try TestServers.http() + "/fixtures/export-page.html"),
        ] {
            let source = json.replacingOccurrences(of: "\"%@\": \"%@\"", with: "\"\(location)\": \"\(value)\"")
            #expect(try await SourceHarness.read(source).lines == expected)
        }
    }

    @Test func aWebPageLinkingToALocalFileIsRefused() async throws {
        let page = Array("<html><body><a class=\"export\" href=\"file:///etc/passwd\">x</a></body></html>".utf8)
        let url = try await SourceHarness.serve(page, as: "file-link", contentType: "text/html")
        let json = """
            {"id": "export", "type": "html", "url": "\(url)", "link": "a.export", "linkType": "csv",
             "key": "id", "name": "name"}
            """
        await #expect(
            throws: SourceFailure.fetch(
                "a link to file:///etc/passwd was not followed: a web source follows http(s) links only")
        ) {
            try await SourceHarness.read(json)
        }
    }

    @Test(arguments: [
        (
            "login.html",
            "no records: the page has no table matching \"table.people\" (a redesign, a login wall or a captcha?)"
        ),
        (
            "page1.html",
            "no records: the page has no table matching \"table.people\" (a redesign, a login wall or a captcha?)"
        ),
    ])
    func aPageWithoutItsRowsFailsClosed(fixture: String, message: String) async throws {
        await #expect(throws: SourceFailure.self) {
            try await SourceHarness.read(tableSource("path", fixture))
        }
        do {
            _ = try await SourceHarness.read(tableSource("url", try TestServers.http() + "/fixtures/" + fixture))
            Issue.record("a page without rows was read")
        } catch let failure as SourceFailure {
            #expect(failure.description == message)
        }
    }

    @Test func brokenServersFailClosed() async throws {
        let base = try TestServers.http()
        for (url, kind) in [("/status/500", "http"), ("/empty", "empty"), ("/truncated/table.html", "fetch")] {
            do {
                _ = try await SourceHarness.read(tableSource("url", base + url))
                Issue.record("\(url) was read")
            } catch let failure as SourceFailure {
                #expect(failure.kind == kind, "\(url): \(failure)")
            }
        }
    }

    @Test(arguments: [
        (
            "\"rows\": \"li.person > \", \"key\": \"a\"",
            "$.sources[0].rows: invalid CSS selector \"li.person > \": expected a selector at column 13"
        ),
        (
            "\"rows\": \"li\", \"key\": \"a:hover\"",
            "$.sources[0].key: invalid CSS selector \"a:hover\": unsupported pseudo-class :hover at column 3"
        ),
        (
            "\"selectors\": \"xpath\", \"rows\": \"//li[\", \"key\": \"a\"",
            "$.sources[0].rows: invalid XPath \"//li[\": Invalid expression at column 6"
        ),
    ])
    func badSelectorsAreConfigurationErrorsThatSayWhere(options: String, message: String) throws {
        let json = "{\"id\": \"bad\", \"type\": \"html\", \"path\": \"x.html\", \(options), \"name\": \"span\"}"
        #expect {
            try SourceHarness.source(json)
        } throws: { error in
            "\(error)".contains(message)
        }
    }
}
