import Curl
import Foundation
import Logging
import Testing
import VigilCore
import VigilTesting

/// `feed` sources: RSS and Atom items as records, safe against hostile XML, and `mention`
/// events for tracked people.
@Suite struct FeedSourceTests {
    @Test func atomEntriesWithNamespacesEscapedHTMLAndArmenian() async throws {
        let expected = [
            "tag:news.example.org,2026:hearing-1: Court hearing for Arman Petrosyan postponed [unknown] "
                + "link=https://news.example.org/2026/11/30/hearing published=2026-11-30T04:15:00Z "
                + "summary=The hearing was moved to December.",
            "tag:news.example.org,2026:hy-1: Արման Պետրոսյան․ նոր նիստ [unknown] "
                + "link=https://news.example.org/hy/2026/11/29 published=2026-11-29T18:00:00Z",
        ]
        #expect(try await SourceHarness.read(#"{"id": "news", "type": "feed", "path": "news.atom"}"#).lines == expected)
        let url = try TestServers.http() + "/fixtures/news.atom"
        #expect(try await SourceHarness.read(#"{"id": "news", "type": "feed", "url": "\#(url)"}"#).lines == expected)
    }

    @Test func rssItemsWithCDATAAndHTMLDescriptions() async throws {
        let json = #"""
            {"id": "monitor", "type": "feed", "path": "news.rss",
             "fields": {"text": "summary", "by": "author", "when": {"from": "published", "type": "date"}}}
            """#
        #expect(
            try await SourceHarness.read(json).lines == [
                "monitor-12: Hunger strike: Lilit Hakobyan, day 12 & counting [unknown] by=Desk "
                    + "text=Her lawyer says Lilit Hakobyan is weak. when=2026-11-30",
                "monitor-13: Weather [unknown] text=Nothing about anyone. when=2026-11-30",
            ])
    }

    @Test func externalEntitiesAreNeverLoaded() async throws {
        let parsed = try await SourceHarness.read(#"{"id": "x", "type": "feed", "path": "xxe.rss"}"#)
        let record = try #require(parsed.records.first)
        #expect(!record.name.contains("root:"))
        #expect(record.name == "Leak:")
    }

    @Test func anEntityExpansionBombFailsClosed() async throws {
        do {
            _ = try await SourceHarness.read(#"{"id": "x", "type": "feed", "path": "laughs.rss"}"#)
            Issue.record("a billion laughs document was read")
        } catch let failure as SourceFailure {
            #expect(failure.kind == "parse")
            #expect(failure.description.contains("entity"))
        }
    }

    @Test func unknownItemValuesAreConfigurationErrors() {
        #expect {
            try SourceHarness.source(#"{"id": "n", "type": "feed", "path": "news.rss", "fields": {"x": "body"}}"#)
        } throws: { error in
            "\(error)".contains(
                "$.sources[0].fields.x: a feed item has no \"body\"; it has author, content, id, link, published, summary, title, updated"
            )
        }
    }

    @Test func brokenFeedsFailClosed() async throws {
        let base = try TestServers.http()
        for (path, kind) in [
            ("/fixtures/login.html", "type"), ("/status/503", "http"), ("/empty", "empty"),
            ("/truncated/news.rss", "fetch"), ("/fixtures/exports/list-2026-11-30.csv", "parse"),
        ] {
            do {
                _ = try await SourceHarness.read(#"{"id": "n", "type": "feed", "url": "\#(base + path)"}"#)
                Issue.record("\(path) was read")
            } catch let failure as SourceFailure {
                #expect(failure.kind == kind, "\(path): \(failure)")
            }
        }
    }

    /// A list tracks Lilit Hakobyan; the feed's baseline is silent; a new item naming her
    /// raises `added` (the item) and `mention` (her), and an item that scrolls off the feed
    /// is neither removed nor a suspicious drop.
    @Test func aNewItemNamingATrackedPersonRaisesAMention() async throws {
        let directory = try TemporaryDirectory("mention")
        try Data("id,name,status\nVG-2,Lilit Hakobyan,detained\nVG-3,Ani,detained\n".utf8)
            .write(to: URL(fileURLWithPath: directory.file("list.csv")))
        func writeFeed(_ items: [(String, String)]) throws {
            let body = items.map { "<item><guid>\($0.0)</guid><title>\($0.1)</title></item>" }.joined()
            try Data("<rss version=\"2.0\"><channel>\(body)</channel></rss>".utf8)
                .write(to: URL(fileURLWithPath: directory.file("news.rss")))
        }
        let config = #"""
            {"sources": [{"id": "list", "type": "csv", "path": "list.csv", "key": "id", "name": "name", "status": "status"},
                         {"id": "news", "type": "feed", "path": "news.rss"}],
             "outputs": [{"id": "console", "type": "stdout"}]}
            """#
        let configuration = try Configuration.parse(
            Array(config.utf8), file: directory.file("vigil.json"), sources: SourceHarness.registry)
        let store = MemoryStateStore()
        try await CurlEngine.withEngine { curl in
            let cycle = WatchCycle(configuration: configuration, store: store, curl: curl, logger: .silent)
            let options = WatchCycle.Options(deliver: false)
            try writeFeed((1...5).map { ("n-\($0)", "Old story \($0)") })
            _ = try await cycle.run(options: options)
            try writeFeed([("n-6", "LILIT HAKOBYAN moved to another prison; Ani visited")] + [("n-5", "Old story 5")])
            _ = try await cycle.run(options: options)
        }
        let events = try store.events(limit: 100, source: "news").map(\.event)
        #expect(events.map(\.kind).sorted { $0.rawValue < $1.rawValue } == [.added, .mention])
        let mention = try #require(events.first { $0.kind == .mention })
        #expect(mention.person == PersonReference(sourceID: "list", key: "VG-2", name: "Lilit Hakobyan"))
        #expect(mention.record?.key == "n-6")
        #expect(try store.records(source: "news").count == 6)
    }
}
