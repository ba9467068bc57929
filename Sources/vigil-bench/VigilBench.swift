import Curl
import Foundation
import Logging
import VigilCore
import VigilSMTP

/// Benchmarks that need Vigil's internals, driven by `scripts/bench.py` (never by the tests).
///
/// `vigil-bench smtp URL COUNT CONCURRENCY [--new-connection-per-message]` queues COUNT
/// distinct notifications in a fresh outbox, delivers them through the SMTP output, and
/// prints one JSON line: seconds, delivered, connections opened.
@main
struct VigilBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        guard arguments.first == "smtp", arguments.count >= 4, let count = Int(arguments[arguments.startIndex + 2]),
            let concurrency = Int(arguments[arguments.startIndex + 3])
        else {
            FileHandle.standardError.write(
                Data("usage: vigil-bench smtp URL COUNT CONCURRENCY [--new-connection-per-message]\n".utf8))
            exit(64)
        }
        let url = arguments[arguments.startIndex + 1]
        try await smtp(
            url: url, count: count, concurrency: concurrency,
            newConnections: arguments.contains("--new-connection-per-message"))
    }

    static func smtp(url: String, count: Int, concurrency: Int, newConnections: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try StateStore(directory: directory)
        guard let from = MailAddress("alerts@vigil.example.org") else { return }
        let settings = SMTPOutput.Settings(
            url: url, plaintext: true, from: from, fromName: "Vigil", replyTo: nil, to: [], username: nil,
            password: nil,
            unsubscribeMailto: nil, unsubscribeURL: nil, headers: [], timeout: .seconds(30),
            connectTimeout: .seconds(5),
            verifyTLS: true, caFile: nil, concurrency: concurrency, newConnectionPerMessage: newConnections)
        let output = SMTPOutput(id: "mail", settings: settings)

        let now = Date()
        var batch = RunBatch(startedAt: now)
        for index in 0..<count {
            let event = Event(
                kind: .changed, sourceID: "bench", at: now,
                record: Record(key: "P\(index)", name: "Person \(index) Vardoyantz", status: .canonical(.released)),
                changes: [FieldChange(field: "status", from: "detained", to: "released")])
            batch.events.append(event)
            let recipient = "sponsor\(index % 97)@example.org"
            batch.notifications.append(
                RunBatch.QueuedNotification(
                    idempotencyKey: IdempotencyKey.make(eventID: event.id, outputID: "mail", recipient: recipient),
                    eventID: event.id, outputID: "mail", recipient: recipient,
                    subject: PlainTextRenderer.subject(for: event), text: PlainTextRenderer.text(for: event)))
        }
        let runID = try store.commit(batch)

        let curl = CurlEngine(
            configuration: .init(maxConnectionsPerHost: max(8, concurrency), maxCachedConnections: 64))
        defer { curl.shutdown() }
        let engine = DeliveryEngine(
            store: store, outputs: [output],
            policies: ["mail": DeliveryPolicy(concurrency: concurrency, batchSize: 50)],
            context: DeliveryContext(
                curl: curl, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
                configDirectory: directory),
            runID: runID)
        let clock = ContinuousClock()
        let started = clock.now
        let summary = try await engine.deliverDue(at: now)
        let elapsed = clock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "{\"seconds\": \(seconds), \"delivered\": \(summary.delivered), \"failed\": \(summary.deadLettered.count), "
                + "\"retrying\": \(summary.retrying), \"connections\": \(output.statistics.connectionsOpened)}")
    }
}
