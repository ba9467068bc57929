import Curl
import Foundation
import Testing
import VigilCore
import VigilTesting

// The output of the DocC article "Writing a plugin", compiled and run here so the article
// cannot drift from the API it documents.

/// Posts each notification's text to a chat webhook.
struct ChatOutput: Output {
    let id: String
    let endpoint: HTTPEndpoint

    struct Session: Sendable {
        var resolved: HTTPEndpoint.Resolved
        var curl: CurlEngine
    }

    var capabilities: OutputCapabilities {
        OutputCapabilities(templateKind: TemplateKind(name: "chat", html: false), acceptsDigests: true)
    }

    func prepare(_ context: DeliveryContext) async throws(OutputFailure) -> Session {
        do {
            return Session(resolved: try endpoint.resolve(directory: context.configDirectory), curl: context.curl)
        } catch {
            throw OutputFailure("chat credentials: \(error)")
        }
    }

    func send(_ notification: RenderedNotification, session: Session) async -> DeliveryOutcome {
        let body = Array(("{\"text\":" + JSONWriter.string(notification.text) + "}").utf8)
        let request = endpoint.request(
            method: .post,
            headers: [("Content-Type", "application/json"), ("Idempotency-Key", notification.idempotencyKey)],
            body: body, resolved: session.resolved, maxResponseBytes: 64 << 10)
        do {
            let response = try await session.curl.perform(request)
            return HTTPStatusOutcome.outcome(
                status: response.status,
                retryAfter: ServerWait.retryAfter(response.header("Retry-After"), bound: .seconds(3600)),
                body: response.body, service: "chat webhook")
        } catch {
            return .retry(after: nil, reason: "chat webhook: \(error)")
        }
    }
}

/// `{"id": "team-chat", "type": "chat", "url": "https://chat.example.org/hooks/…"}`
struct ChatOutputFactory: OutputFactory {
    let type = "chat"
    func makeOutput(id: String, options: inout ObjectReader) -> (any Output)? {
        options.httpEndpoint(timeout: .seconds(15), connectTimeout: .seconds(5))
            .map { ChatOutput(id: id, endpoint: $0) }
    }
}

@Suite struct PluginArticleTests {
    let curl = CurlEngine()

    /// Configured through a registry like the article says, the output reaches a real HTTP
    /// server with its bearer token; the receiver refuses unsigned posts (401), which the
    /// shared table makes a permanent failure.
    @Test func theArticlesOutputIsConfiguredAndDelivers() async throws {
        let receiver = try WebhookReceiver(curl: curl)
        let name = "chat-\(UUID().uuidString.prefix(8))"
        let text = """
            {"sources": [{"id": "list", "type": "csv", "path": "list.csv", "key": "id", "name": "name"}],
             "outputs": [{"id": "team-chat", "type": "chat", "url": "\(receiver.base)/hook/\(name)", "allowHTTP": true,
                          "auth": {"bearer": "chat-token"}}]}
            """
        var registry = OutputRegistry()
        registry.register(ChatOutputFactory())
        let configuration = try Configuration.parse(Array(text.utf8), file: "/tmp/chat.json", outputs: registry)
        let output = try #require(configuration.outputs.first)
        #expect(output.capabilities.templateKind.name == "chat")
        var item = changedNotification()
        item.text = "Ani: detained → released"
        let outcomes = await output.deliver([item], context: receiver.context)
        guard case .failed(let reason)? = outcomes.first else {
            Issue.record("expected the receiver's refusal, got \(outcomes)")
            return
        }
        #expect(reason.hasPrefix("chat webhook refused the notification (HTTP 401)"))
        let received = try await receiver.received(name)
        #expect(received.count == 1)
        #expect((received.first?["body"] as? [String: Any])?["text"] as? String == item.text)
        #expect(received.first?["authorization"] as? String == "Bearer chat-token")
    }
}
