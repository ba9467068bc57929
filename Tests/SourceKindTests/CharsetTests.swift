import Testing
import VigilXML

/// Which encoding a page is read in: HTTP first, then a byte order mark, then the page's own
/// declaration in its first 1,024 bytes.
@Suite struct CharsetTests {
    @Test(
        arguments: [
            ("text/html; charset=windows-1251", "<meta charset=\"utf-8\">", "windows-1251"),
            ("text/html; Charset=\"KOI8-R\"", "", "koi8-r"),
            (nil, "<html><head><meta charset=\"windows-1251\"></head>", "windows-1251"),
            (nil, "<meta http-equiv=\"Content-Type\" content=\"text/html; charset=ISO-8859-1\">", "iso-8859-1"),
            (nil, "<META CHARSET=utf-8>", "utf-8"),
            ("text/html", "<p>no declaration</p>", nil),
            (nil, "<meta name=\"description\" content=\"charset=\">", nil),
        ] as [(String?, String, String?)])
    func declaredEncodings(contentType: String?, head: String, expected: String?) {
        #expect(Charset.detect(Array(head.utf8), contentType: contentType) == expected)
    }

    @Test func aDeclarationAfterTheFirstKilobyteIsNotLookedFor() {
        let page = "<html><head>" + String(repeating: " ", count: 1100) + "<meta charset=\"windows-1251\">"
        #expect(Charset.detect(Array(page.utf8), contentType: nil) == nil)
    }

    @Test func aByteOrderMarkWinsOverTheMetaTag() {
        #expect(
            Charset.detect([0xEF, 0xBB, 0xBF] + Array("<meta charset=\"latin1\">".utf8), contentType: nil) == "UTF-8")
    }
}
