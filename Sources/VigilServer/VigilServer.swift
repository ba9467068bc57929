import Curl
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import VigilCore

/// `vigil serve`: runs each source on its schedule, delivers the outbox continuously, and
/// serves `POST /hooks/{source}`, `GET /healthz` and `GET /metrics`. Stops gracefully on
/// SIGTERM or SIGINT: no new requests, the delivery pass in flight finishes and commits.
public enum VigilServer {
    public static func run(configuration: Configuration, store: StateStore, stateDirectory: String, logger: Logger)
        async throws
    {
        let curl = CurlEngine()
        defer { curl.shutdown() }
        let metrics = ServerMetrics()
        let coordinator = Coordinator(
            configuration: configuration, store: store, curl: curl, logger: logger, metrics: metrics,
            stateDirectory: stateDirectory)
        let settings = configuration.serve
        let verifier = PushVerifier(configuration: configuration, tolerance: settings.timestampTolerance)
        let kick = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

        let router = Router()
        router.post("/hooks/{source}") { request, context -> Response in
            let sourceID = context.parameters.get("source") ?? ""
            var request = request
            let body: ByteBuffer
            do {
                body = try await request.collectBody(upTo: settings.maxBodyBytes)
            } catch {
                return json(
                    413,
                    PushVerifier.Refusal(
                        status: 413, code: "too_large",
                        message: "the body is larger than \(settings.maxBodyBytes) bytes"
                    ).json)
            }
            let bytes = Array(buffer: body)
            do throws(PushVerifier.Refusal) {
                let id = try verifier.verify(
                    sourceID: sourceID, contentType: request.headers[.contentType],
                    id: request.headers[HTTPField.Name("webhook-id")!],
                    timestamp: request.headers[HTTPField.Name("webhook-timestamp")!],
                    signature: request.headers[HTTPField.Name("webhook-signature")!], body: bytes)
                let report = try await coordinator.push(sourceID: sourceID, body: bytes, webhookID: id)
                kick.continuation.yield()
                if let failure = report.sources.first, case .failed(let why) = failure.outcome {
                    return json(
                        422,
                        "{\"error\":\"held\",\"message\":" + JSONWriter.string(why.description)
                            + ",\"events\":\(report.events)}")
                }
                return json(202, "{\"events\":\(report.events),\"notifications\":\(report.queued)}")
            } catch {
                return json(error.status, error.json)
            }
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

        let background = BackgroundWork(
            coordinator: coordinator, interval: settings.deliveryInterval, kick: kick.stream)
        var app = Application(
            router: router,
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "Vigil"),
            services: [background],
            logger: logger)
        app.logger.logLevel = logger.logLevel
        try await app.runService()
    }

    static func json(_ status: Int, _ body: String) -> Response {
        Response(
            status: HTTPResponse.Status(code: status), headers: [.contentType: "application/json"],
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
