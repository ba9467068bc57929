import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import VigilCore

/// The team's console under `/console`: server-rendered pages behind a login.
///
/// Every page but the login answers an unauthenticated request with a redirect to the login
/// page and nothing else, so no personal data reaches a visitor without a session. Every
/// form post carries the session's CSRF token; the cookie is `HttpOnly`, `SameSite=Strict`
/// and `Secure` behind TLS. A viewer's session may read but not post an action.
struct ConsoleRoutes: Sendable {
    let coordinator: Coordinator
    let store: any StateStore
    let settings: ServeSettings
    let templates: ConsoleTemplates
    let sessions: ConsoleSessions
    let throttle = LoginThrottle()
    let kick: AsyncStream<Void>.Continuation
    let logger: Logger
    private let search = SearchCache()

    static let cookie = "vigil_console"
    static let loginCookie = "vigil_login"

    init(
        coordinator: Coordinator, store: any StateStore, settings: ServeSettings, templates: ConsoleTemplates,
        kick: AsyncStream<Void>.Continuation, logger: Logger
    ) {
        self.coordinator = coordinator
        self.store = store
        self.settings = settings
        self.templates = templates
        self.sessions = ConsoleSessions(lifetime: Double(settings.console.sessionLifetime.components.seconds))
        self.kick = kick
        self.logger = logger
    }

    /// A signed-in request: who, and the token of their session.
    struct Visitor {
        var token: String
        var session: ConsoleSessions.Session
        var canDecide: Bool { session.role == .operator }
    }

    func register(on router: Router<VigilRequestContext>) {
        router.get("/console/assets/console.css") { _, _ in
            Self.asset(ConsoleAssets.css, type: "text/css; charset=utf-8")
        }
        router.get("/console/assets/console.js") { _, _ in
            Self.asset(ConsoleAssets.javascript, type: "text/javascript; charset=utf-8")
        }
        router.get("/console/login") { request, _ in try loginPage(request, status: .ok, error: nil) }
        router.post("/console/login") { request, context in try await login(request, context: context) }
        router.post("/console/logout") { request, _ in
            try await withForm(request) { visitor, _ in
                sessions.end(token: visitor.token)
                var response = Self.redirect("/console/login")
                response.headers.append(HTTPField(name: .setCookie, value: "\(Self.cookie)=; Path=/console; Max-Age=0"))
                return response
            }
        }
        router.get("/console") { request, _ in
            try await page(request, "overview", title: ConsoleStrings.english["overview"] ?? "") { pages, _ in
                try pages.overview()
            }
        }
        router.get("/console/people") { request, _ in
            let query = request.uri.queryParameters.get("q") ?? ""
            return try await page(request, "people", title: ConsoleStrings.english["people"] ?? "") { pages, _ in
                try pages.people(query: query, search: try peopleSearch())
            }
        }
        router.get("/console/people/{id}") { request, context in
            let id = (context.parameters.get("id") ?? "").removingPercentEncoding ?? ""
            return try await page(request, "person", title: ConsoleStrings.english["person"] ?? "", nav: "people") {
                pages, _ in
                guard let person = try pages.person(id) else {
                    throw ConsolePages.NotFound(description: "No person \"\(id)\".")
                }
                return person
            }
        }
        router.get("/console/held") { request, _ in
            try await page(request, "held", title: ConsoleStrings.english["heldTitle"] ?? "") { pages, visitor in
                try pages.held(canDecide: visitor.canDecide, csrf: visitor.session.csrf)
            }
        }
        router.post("/console/held/{id}/{verdict}") { request, context in
            let id = context.parameters.get("id") ?? ""
            let verdict = context.parameters.get("verdict") ?? ""
            return try await withForm(request, operatorOnly: true) { visitor, form in
                guard verdict == "approve" || verdict == "reject" else { return Self.redirect("/console/held") }
                let result = await coordinator.decideHeld(
                    id, approve: verdict == "approve", by: visitor.session.user, reason: form["reason"] ?? "")
                if verdict == "approve" { kick.yield() }
                search.value.withLock { $0 = nil }
                return finish(result, visitor: visitor, then: "/console/held")
            }
        }
        router.get("/console/outbox") { request, _ in
            try await page(request, "outbox", title: ConsoleStrings.english["outbox"] ?? "") { pages, visitor in
                try pages.outbox(canDecide: visitor.canDecide, csrf: visitor.session.csrf)
            }
        }
        router.post("/console/outbox/{id}/{action}") { request, context in
            let id = Int64(context.parameters.get("id") ?? "") ?? -1
            let action = context.parameters.get("action") ?? ""
            return try await withForm(request, operatorOnly: true) { visitor, _ in
                let result: Coordinator.ActionResult
                switch action {
                case "retry":
                    result = await coordinator.retryNotification(id)
                    kick.yield()
                case "drop": result = await coordinator.dropNotification(id)
                default: return Self.redirect("/console/outbox")
                }
                return finish(result, visitor: visitor, then: "/console/outbox")
            }
        }
        router.get("/console/events") { request, _ in
            var parameters: [String: String] = [:]
            for (key, value) in request.uri.queryParameters { parameters[String(key)] = String(value) }
            return try await page(request, "events", title: ConsoleStrings.english["events"] ?? "") { pages, _ in
                try pages.events(parameters: parameters)
            }
        }
        router.get("/console/preview") { request, _ in
            try await page(request, "preview", title: ConsoleStrings.english["preview"] ?? "") { _, visitor in
                ["csrf": visitor.session.csrf, "event": Self.sampleEvent]
            }
        }
        router.post("/console/preview") { request, _ in
            try await withForm(request, limit: 256 << 10) { visitor, form in
                let configuration = await coordinator.currentConfiguration()
                let pages = ConsolePages(configuration: configuration, store: store, now: Date())
                var context = pages.preview(form["event"] ?? "")
                context["csrf"] = visitor.session.csrf
                return render(
                    "preview", title: ConsoleStrings.english["preview"] ?? "", nav: "preview", context: context,
                    visitor: visitor)
            }
        }
    }

    // MARK: - Sessions

    /// The visitor a request's cookie names, if their session is live and their account
    /// still exists with the same role.
    func visitor(_ request: Request) -> Visitor? {
        guard let token = request.cookies[Self.cookie]?.value, let session = sessions.session(token: token) else {
            return nil
        }
        guard let account = try? store.consoleUsers().first(where: { $0.name == session.user }),
            account.role == session.role
        else {
            sessions.end(token: token)
            return nil
        }
        return Visitor(token: token, session: session)
    }

    private func loginPage(_ request: Request, status: HTTPResponse.Status, error: String?, user: String = "")
        throws -> Response
    {
        if visitor(request) != nil, error == nil { return Self.redirect("/console") }
        let token = ConsoleSessions.randomToken()
        let noAccounts = (try? store.consoleUsers().isEmpty) ?? false
        var context: ConsolePages.Context = ["loginCSRF": token, "noAccounts": noAccounts, "typedUser": user]
        if let error { context["error"] = error }
        var response = render(
            "login", title: ConsoleStrings.english["login"] ?? "", nav: nil, context: context, visitor: nil,
            status: status)
        response.headers.append(
            HTTPField(
                name: .setCookie,
                value: "\(Self.loginCookie)=\(token); Path=/console/login; HttpOnly; SameSite=Strict; Max-Age=3600"
                    + (secure(request) ? "; Secure" : "")))
        return response
    }

    private func login(_ request: Request, context: VigilRequestContext) async throws -> Response {
        guard case .body(let body) = await BodyReader.collect(request, upTo: 8192, within: settings.bodyTimeout) else {
            return try loginPage(request, status: .contentTooLarge, error: ConsoleStrings.english["badForm"])
        }
        let form = ConsoleForm.decode(String(buffer: body))
        guard let expected = request.cookies[Self.loginCookie]?.value, let sent = form["csrf"],
            ConsoleSessions.same(expected, sent)
        else {
            return try loginPage(request, status: .forbidden, error: ConsoleStrings.english["badForm"])
        }
        let name = form["user"] ?? ""
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        let keys = ["address:\(address)", "user:\(name.lowercased())"]
        if let wait = throttle.retryAfter(keys) {
            var response = try loginPage(
                request, status: .tooManyRequests, error: ConsoleStrings.english["throttled"], user: name)
            response.headers[.retryAfter] = String(wait)
            return response
        }
        let account = try? store.consoleUsers().first { $0.name == name }
        // An unknown name costs the same bcrypt work as a wrong password.
        let valid = ConsolePasswords.verify(form["password"] ?? "", hash: account?.passwordHash ?? Self.decoyHash)
        guard valid, let account else {
            throttle.fail(keys)
            logger.notice("console: failed login from \(address)")
            return try loginPage(
                request, status: .unauthorized, error: ConsoleStrings.english["loginFailed"], user: name)
        }
        throttle.succeed(keys)
        let token = sessions.start(user: account)
        logger.info("console: \(account.role.rawValue) signed in")
        var response = Self.redirect("/console")
        let lifetime = Int(sessions.lifetime)
        response.headers.append(
            HTTPField(
                name: .setCookie,
                value: "\(Self.cookie)=\(token); Path=/console; HttpOnly; SameSite=Strict; Max-Age=\(lifetime)"
                    + (secure(request) ? "; Secure" : "")))
        response.headers.append(
            HTTPField(name: .setCookie, value: "\(Self.loginCookie)=; Path=/console/login; Max-Age=0"))
        return response
    }

    /// A bcrypt hash of a random password nobody knows (checked when the name is unknown),
    /// made once at the first failed login.
    static let decoyHash: String = (try? ConsolePasswords.hash(ConsoleSessions.randomToken())) ?? ""

    private func secure(_ request: Request) -> Bool {
        settings.console.secureCookies ?? (request.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https")
    }

    // MARK: - Pages and forms

    /// A page for a signed-in visitor; a visitor without a session is sent to the login page.
    private func page(
        _ request: Request, _ name: String, title: String, nav: String? = nil,
        _ body: (ConsolePages, Visitor) throws -> ConsolePages.Context
    ) async throws -> Response {
        guard let visitor = visitor(request) else { return Self.redirect("/console/login") }
        let configuration = await coordinator.currentConfiguration()
        let pages = ConsolePages(configuration: configuration, store: store, now: Date())
        do {
            let context = try body(pages, visitor)
            return render(name, title: title, nav: nav ?? name, context: context, visitor: visitor)
        } catch let missing as ConsolePages.NotFound {
            return render(
                "message", title: title, nav: nav ?? name, context: ["title": title, "message": missing.description],
                visitor: visitor, status: .notFound)
        } catch {
            logger.error("console page \(name): \(error)")
            return render(
                "message", title: title, nav: nav ?? name,
                context: ["title": title, "message": "The state could not be read; see the server's log."],
                visitor: visitor, status: .internalServerError)
        }
    }

    /// A form post from a signed-in visitor with the session's CSRF token (and, for
    /// `operatorOnly`, an operator's session); anything else changes nothing.
    private func withForm(
        _ request: Request, operatorOnly: Bool = false, limit: Int = 16 << 10,
        _ body: (Visitor, [String: String]) async throws -> Response
    ) async throws -> Response {
        guard let visitor = visitor(request) else {
            return Self.refusal(.forbidden, "Log in first: /console/login")
        }
        guard case .body(let data) = await BodyReader.collect(request, upTo: limit, within: settings.bodyTimeout) else {
            return Self.refusal(.contentTooLarge, "The form is too large.")
        }
        let form = ConsoleForm.decode(String(buffer: data))
        let site = request.headers[HTTPField.Name("Sec-Fetch-Site")!]
        guard let sent = form["csrf"], ConsoleSessions.same(sent, visitor.session.csrf),
            site == nil || site == "same-origin" || site == "none"
        else {
            logger.notice("console: a form post without a valid CSRF token was refused")
            return Self.refusal(.forbidden, ConsoleStrings.english["badForm"] ?? "")
        }
        guard !operatorOnly || visitor.canDecide else {
            return Self.refusal(.forbidden, ConsoleStrings.english["forbidden"] ?? "")
        }
        return try await body(visitor, form)
    }

    private func finish(_ result: Coordinator.ActionResult, visitor: Visitor, then path: String) -> Response {
        switch result {
        case .done(let message), .refused(let message): sessions.setFlash(message, token: visitor.token)
        case .busy: sessions.setFlash(ConsoleStrings.english["busy"] ?? "", token: visitor.token)
        }
        return Self.redirect(path)
    }

    private func render(
        _ name: String, title: String, nav: String?, context: ConsolePages.Context, visitor: Visitor?,
        status: HTTPResponse.Status = .ok
    ) -> Response {
        var page = context
        page["t"] = ConsoleStrings.english
        page["csrf"] = visitor?.session.csrf ?? ""
        var layout: ConsolePages.Context = [
            "t": ConsoleStrings.english, "title": title, "content": templates.render(name, page),
        ]
        if let visitor {
            layout["user"] = visitor.session.user
            layout["role"] = visitor.session.role.rawValue
            layout["csrf"] = visitor.session.csrf
            if let flash = sessions.takeFlash(token: visitor.token) { layout["flash"] = flash }
            layout["heldCount"] = (try? store.heldTransitions().count) ?? 0
        }
        if let nav { layout["nav"] = [nav: true] }
        return Self.html(status, templates.render("layout", layout))
    }

    /// The people search, rebuilt when older than 30 seconds.
    private func peopleSearch() throws(StateError) -> PeopleSearch {
        if let cached = search.value.withLock({ $0 }), Date().timeIntervalSince(cached.built) < 30 { return cached }
        let built = try PeopleSearch(store: store)
        search.value.withLock { $0 = built }
        return built
    }

    /// The people search shared by the console's requests.
    final class SearchCache: Sendable {
        let value = Mutex<PeopleSearch?>(nil)
    }

    static let sampleEvent = """
        {"kind": "changed", "source": "ministry",
         "record": {"key": "17", "name": "Example Person", "status": "released"},
         "changes": [{"field": "status", "from": "detained", "to": "released"}]}
        """

    // MARK: - Responses

    static let securityHeaders: HTTPFields = [
        .contentSecurityPolicy:
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self'; form-action 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'",
        .cacheControl: "no-store", .xContentTypeOptions: "nosniff", HTTPField.Name("Referrer-Policy")!: "no-referrer",
        HTTPField.Name("X-Frame-Options")!: "DENY",
    ]

    static func html(_ status: HTTPResponse.Status, _ page: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = "text/html; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    static func redirect(_ path: String) -> Response {
        var headers = securityHeaders
        headers[.location] = path
        return Response(status: .seeOther, headers: headers)
    }

    /// A refused post: a short page with no personal data.
    static func refusal(_ status: HTTPResponse.Status, _ message: String) -> Response {
        html(
            status,
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Refused</title></head><body><p>"
                + message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                + "</p><p><a href=\"/console\">Console</a></p></body></html>")
    }

    static func asset(_ text: String, type: String) -> Response {
        var headers = securityHeaders
        headers[.contentType] = type
        headers[.cacheControl] = "public, max-age=3600"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
