import Curl
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import VigilCEL
import VigilCore

/// `vigil serve`: runs each source on its schedule, delivers the outbox continuously, and
/// serves `POST /hooks/{source}`, `GET /healthz`, `GET /metrics` and the team's console
/// under `/console`. Stops gracefully on
/// SIGTERM or SIGINT: no new requests, the delivery pass in flight finishes and commits.
public enum VigilServer {
    public static func run(configuration: Configuration, store: any StateStore, stateDirectory: String, logger: Logger)
        async throws
    {
        let curl = CurlEngine()
        defer { curl.shutdown() }
        let app = try makeApplication(
            configuration: configuration, store: store, stateDirectory: stateDirectory, logger: logger, curl: curl)
        try await app.runService()
    }

    /// The application `run` serves: its routes, connection guard and (with
    /// `backgroundWork`) the scheduler and delivery loop. Tests drive its routes directly.
    package static func makeApplication(
        configuration: Configuration, store: any StateStore, stateDirectory: String, logger: Logger, curl: CurlEngine,
        backgroundWork: Bool = true
    ) throws -> Application<RouterResponder<VigilRequestContext>> {
        let metrics = ServerMetrics()
        let coordinator = Coordinator(
            configuration: configuration, store: store, curl: curl, logger: logger, metrics: metrics,
            stateDirectory: stateDirectory)
        let settings = configuration.serve
        let verifier = PushVerifier(configuration: configuration, tolerance: settings.timestampTolerance)
        let kick = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

        let router = Router(context: VigilRequestContext.self)
        router.post("/hooks/{source}") { request, context -> Response in
            let sourceID = context.parameters.get("source") ?? ""
            let tooLarge = PushVerifier.Refusal(
                status: 413, code: "too_large", message: "the body is larger than \(settings.maxBodyBytes) bytes")
            // A declared length over the limit is refused before a byte of the body is read.
            if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > settings.maxBodyBytes {
                return json(413, tooLarge.json, close: true)
            }
            let body: ByteBuffer
            switch await BodyReader.collect(request, upTo: settings.maxBodyBytes, within: settings.bodyTimeout) {
            case .body(let collected): body = collected
            case .tooLarge: return json(413, tooLarge.json, close: true)
            case .timedOut:
                return json(
                    408,
                    PushVerifier.Refusal(
                        status: 408, code: "timeout",
                        message: "the body did not arrive within \(DurationParser.describe(settings.bodyTimeout))"
                    ).json, close: true)
            }
            let bytes = Array(buffer: body)
            do throws(PushVerifier.Refusal) {
                let id = try verifier.verify(
                    sourceID: sourceID, contentType: request.headers[.contentType],
                    id: request.headers[HTTPField.Name("webhook-id")!],
                    timestamp: request.headers[HTTPField.Name("webhook-timestamp")!],
                    signature: request.headers[HTTPField.Name("webhook-signature")!], body: bytes)
                let report = try await coordinator.push(sourceID: sourceID, body: bytes, webhookID: id)
                if report.queued > 0 { kick.continuation.yield() }
                if let failure = report.sources.first, case .failed(let why) = failure.outcome {
                    return json(
                        422,
                        ServerResponses.json(ServerResponses.Held(message: why.description, events: report.events)))
                }
                return json(
                    202,
                    ServerResponses.json(ServerResponses.Accepted(events: report.events, notifications: report.queued)))
            } catch {
                return json(error.status, error.json)
            }
        }
        // Unsubscribe links (RFC 8058): no cookie, no login; the token is the whole authority.
        router.get("/u/{token}") { _, context -> Response in
            let (status, page) = await coordinator.unsubscribePage(token: context.parameters.get("token") ?? "")
            return html(status, page)
        }
        router.post("/u/{token}") { request, context -> Response in
            // A one-click post is `List-Unsubscribe=One-Click`; the page's second button adds `scope=all`.
            guard case .body(let body) = await BodyReader.collect(request, upTo: 4096, within: settings.bodyTimeout)
            else {
                return html(413, UnsubscribePage(language: "en").refused("the request body is too large or too slow"))
            }
            let fields = String(buffer: body).split(separator: "&")
            let (status, page) = await coordinator.unsubscribe(
                token: context.parameters.get("token") ?? "", everything: fields.contains("scope=all"))
            kick.continuation.yield()
            return html(status, page)
        }
        router.get("/healthz") { _, _ -> Response in
            let (healthy, body) = await coordinator.health()
            return json(healthy ? 200 : 503, body)
        }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
        }

        let templates = try ConsoleTemplates(
            overrides: settings.console.templates.map { configuration.directory + "/" + $0 })
        ConsoleRoutes(
            coordinator: coordinator, store: store, settings: settings, templates: templates,
            kick: kick.continuation, logger: logger
        ).register(on: router)

        let background = BackgroundWork(
            coordinator: coordinator, interval: settings.deliveryInterval, kick: kick.stream)
        let connections = ConnectionRegistry(limit: settings.maxConnections ?? ConnectionRegistry.defaultLimit)
        var app = Application(
            router: router,
            server: .http1(
                configuration: .init(
                    additionalChannelHandlers: [ConnectionGuardHandler(registry: connections)],
                    idleTimeout: .nanoseconds(Int64(settings.idleTimeout.components.seconds) * 1_000_000_000))),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "Vigil"),
            services: backgroundWork ? [background] : [],
            logger: logger)
        app.logger.logLevel = logger.logLevel
        return app
    }

    /// An HTML page that is never cached and loads nothing (the page itself asks not to be
    /// indexed nor sent on as a referrer).
    static func html(_ status: Int, _ page: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status),
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: page)))
    }

    /// A JSON response; `close` ends the connection after it (the client may still be sending).
    static func json(_ status: Int, _ body: String, close: Bool = false) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if close { headers[.connection] = "close" }
        return Response(
            status: HTTPResponse.Status(code: status), headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

/// The scheduler and the delivery loop, as one service that stops with the server.
struct BackgroundWork: Service {
    let coordinator: Coordinator
    let interval: Duration
    let kick: AsyncStream<Void>

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isShuttingDownGracefully && !Task.isCancelled {
                    await coordinator.runDueSources()
                    try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                }
            }
            group.addTask {
                // Deliver on a timer, and soon after a push queued something.
                await withTaskGroup(of: Void.self) { timers in
                    timers.addTask {
                        for await _ in kick {
                            if Task.isShuttingDownGracefully { break }
                            await coordinator.deliverDue()
                        }
                    }
                    timers.addTask {
                        while !Task.isShuttingDownGracefully && !Task.isCancelled {
                            await coordinator.deliverDue()
                            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                        }
                    }
                    await timers.next()
                    timers.cancelAll()
                    // A last pass, so what was queued before the shutdown is not left waiting.
                    await coordinator.deliverDue()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }
}
