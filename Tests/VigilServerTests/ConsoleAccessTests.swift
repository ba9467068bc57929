import Curl
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing
import VigilCore
import VigilTesting

@testable import VigilServer

/// Who may see and do what in the console, driven through the router in process: every
/// route without a session, CSRF, roles, the login throttle and the cookie's attributes.
@Suite(.serialized) struct ConsoleAccessTests {
    static let configuration = """
        {"sources": [{"id": "ministry", "type": "json", "path": "list.json", "records": "$[*]", "key": "id",
                      "name": "name", "status": "status"}],
         "outputs": [{"id": "out", "type": "stdout"}],
         "recipients": [{"id": "lyon", "name": "Lyon", "contacts": {"out": "lyon@example.org"},
                         "sponsors": {"keys": ["1"]}}],
         "rules": [{"id": "release", "when": "has(change.status) && change.status.to == 'released'",
                    "notify": "sponsors", "via": "out", "confirm": {"approval": true}}]}
        """
    static let secretName = "Zaruhi Secretyan"
    static let password = "correct horse battery"
    /// bcrypt is slow on purpose: hashed once for every test.
    static let passwordHash = try! ConsolePasswords.hash(password)

    /// A client with a cookie jar.
    final class Browser: @unchecked Sendable {
        let client: any TestClientProtocol
        var cookies: [String: String] = [:]
        var forwardedProto: String?

        init(_ client: any TestClientProtocol) { self.client = client }

        struct Page {
            var status: Int
            var body: String
            var headers: HTTPFields
            var csrf: String? {
                guard let range = body.range(of: #"name="csrf" value=""#) else { return nil }
                return String(body[range.upperBound...].prefix { $0 != "\"" })
            }
        }

        func request(_ method: HTTPRequest.Method, _ uri: String, form: [String: String]? = nil) async throws -> Page {
            var headers: HTTPFields = [:]
            if !cookies.isEmpty {
                headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            }
            if let forwardedProto { headers[HTTPField.Name("X-Forwarded-Proto")!] = forwardedProto }
            var body: ByteBuffer?
            if let form {
                headers[.contentType] = "application/x-www-form-urlencoded"
                body = ByteBuffer(string: ConsoleForm.encode(form))
            }
            let page = try await client.execute(uri: uri, method: method, headers: headers, body: body) { response in
                Page(status: Int(response.status.code), body: String(buffer: response.body), headers: response.headers)
            }
            for field in page.headers[values: .setCookie] {
                let pair = field.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                guard pair.count == 2 else { continue }
                cookies[String(pair[0])] = pair[1].isEmpty ? nil : String(pair[1])
            }
            return page
        }

        func logIn(_ user: String, password: String = ConsoleAccessTests.password) async throws -> Page {
            let login = try await request(.get, "/console/login")
            return try await request(
                .post, "/console/login", form: ["csrf": login.csrf ?? "", "user": user, "password": password])
        }
    }

    /// A state with a released person held for approval, an operator and a viewer.
    func withConsole(_ body: @Sendable (Browser, MemoryStateStore, String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory("console")
        let configuration = try Configuration.parse(Array(Self.configuration.utf8), file: directory.file("config.json"))
        let store = MemoryStateStore()
        let curl = CurlEngine()
        defer { curl.shutdown() }
        let cycle = WatchCycle(configuration: configuration, store: store, curl: curl, logger: .silent)
        for status in ["detained", "released"] {
            try #"[{"id": "1", "name": "\#(Self.secretName)", "status": "\#(status)"}]"#.write(
                toFile: directory.file("list.json"), atomically: true, encoding: .utf8)
            _ = try await cycle.run(options: WatchCycle.Options(deliver: false))
        }
        let held = try #require(try store.heldTransitions().first)
        let hash = Self.passwordHash
        for (name, role) in [("olga", ConsoleUser.Role.operator), ("victor", .viewer)] {
            try store.saveConsoleUser(ConsoleUser(name: name, role: role, passwordHash: hash, createdAt: Date()))
        }
        let app = try VigilServer.makeApplication(
            configuration: configuration, store: store, stateDirectory: directory.path, logger: .silent, curl: curl,
            backgroundWork: false)
        try await app.test(.router) { client in
            try await body(Browser(client), store, HoldDecision.shortID(held.eventID))
        }
    }

    static let pages = [
        "/console", "/console/people?q=Zaruhi", "/console/people/ministry:1", "/console/held", "/console/outbox",
        "/console/events", "/console/preview",
    ]

    static func actions(_ id: String) -> [String] {
        [
            "/console/held/\(id)/approve", "/console/held/\(id)/reject", "/console/outbox/1/retry",
            "/console/outbox/1/drop", "/console/preview", "/console/logout",
        ]
    }

    @Test func withoutASessionEveryPageRedirectsAndEveryPostIsRefusedWithoutPersonalData() async throws {
        try await withConsole { browser, store, id in
            for path in Self.pages {
                let page = try await browser.request(.get, path)
                #expect(page.status == 303, "\(path)")
                #expect(page.headers[.location] == "/console/login", "\(path)")
                #expect(!page.body.contains("Zaruhi") && !page.body.contains("released"), "\(path): \(page.body)")
            }
            for path in Self.actions(id) {
                let page = try await browser.request(.post, path, form: ["csrf": "guess", "reason": "x"])
                #expect(page.status == 403, "\(path)")
                #expect(!page.body.contains("Zaruhi"), "\(path)")
            }
            let login = try await browser.request(.get, "/console/login")
            #expect(login.status == 200 && !login.body.contains("Zaruhi"))
            #expect(try store.heldTransitions().count == 1, "nothing decided")
            #expect(try store.holdDecisions(records: nil).isEmpty)
        }
    }

    @Test func anOperatorLogsInWithAStrictHttpOnlyCookieAndSeesThePages() async throws {
        try await withConsole { browser, _, id in
            let wrong = try await browser.logIn("olga", password: "not the password")
            #expect(wrong.status == 401 && browser.cookies[ConsoleRoutes.cookie] == nil)
            browser.forwardedProto = "https"
            let login = try await browser.logIn("olga")
            #expect(login.status == 303 && login.headers[.location] == "/console")
            let cookie = try #require(
                login.headers[values: .setCookie].first { $0.hasPrefix(ConsoleRoutes.cookie + "=") })
            for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/console"] {
                #expect(cookie.contains(attribute), "\(cookie)")
            }
            for path in Self.pages {
                let page = try await browser.request(.get, path)
                #expect(page.status == 200, "\(path)")
                #expect(page.headers[.contentSecurityPolicy]?.contains("default-src 'none'") == true)
            }
            let held = try await browser.request(.get, "/console/held")
            #expect(held.body.contains(Self.secretName) && held.body.contains("/console/held/\(id)/approve"))
            let search = try await browser.request(.get, "/console/people?q=%D0%97%D0%B0%D1%80%D1%83%D0%B8")
            #expect(search.body.contains(Self.secretName), "Заруи (its Russian spelling) finds Zaruhi")
        }
    }

    @Test func aPostWithoutTheSessionsCSRFTokenChangesNothing() async throws {
        try await withConsole { browser, store, id in
            _ = try await browser.logIn("olga")
            for csrf in [nil, "forged"] {
                let page = try await browser.request(
                    .post, "/console/held/\(id)/approve", form: csrf.map { ["csrf": $0] } ?? [:])
                #expect(page.status == 403)
            }
            #expect(try store.heldTransitions().count == 1)
            let held = try await browser.request(.get, "/console/held")
            let approved = try await browser.request(
                .post, "/console/held/\(id)/approve", form: ["csrf": held.csrf ?? ""])
            #expect(approved.status == 303)
            #expect(try store.heldTransitions().isEmpty)
            #expect(try store.holdDecisions(records: nil).map(\.by) == ["olga"])
            #expect(try store.undeliveredNotifications().map(\.notification.recipient) == ["lyon@example.org"])
        }
    }

    @Test func aViewerSeesNoDecisionButtonsAndAForgedDecisionIsRefused() async throws {
        try await withConsole { browser, store, id in
            _ = try await browser.logIn("victor")
            let held = try await browser.request(.get, "/console/held")
            #expect(held.status == 200 && held.body.contains(Self.secretName))
            #expect(!held.body.contains("/approve") && !held.body.contains("/reject"))
            for verdict in ["approve", "reject"] {
                let forged = try await browser.request(
                    .post, "/console/held/\(id)/\(verdict)", form: ["csrf": held.csrf ?? "", "reason": "no"])
                #expect(forged.status == 403)
            }
            #expect(try store.heldTransitions().count == 1 && store.holdDecisions(records: nil).isEmpty)
        }
    }

    @Test func repeatedFailedLoginsAreThrottledEvenWithTheRightPassword() async throws {
        try await withConsole { browser, _, _ in
            for _ in 0..<5 { _ = try await browser.logIn("olga", password: "wrong password") }
            let throttled = try await browser.logIn("olga")
            #expect(throttled.status == 429)
            #expect(Int(throttled.headers[.retryAfter] ?? "") ?? 0 > 0)
            #expect(browser.cookies[ConsoleRoutes.cookie] == nil, "no session")
        }
    }

    @Test func aRemovedAccountsSessionEndsAtItsNextRequest() async throws {
        try await withConsole { browser, store, _ in
            _ = try await browser.logIn("olga")
            #expect(try await browser.request(.get, "/console").status == 200)
            try store.removeConsoleUser(name: "olga")
            let after = try await browser.request(.get, "/console")
            #expect(after.status == 303 && after.headers[.location] == "/console/login")
        }
    }
}
