import Curl
import Foundation
import Logging
import StandardWebhooks
import VigilCEL
import VigilCore
import VigilMatrix
import VigilSMTP
import VigilWebhook

/// Benchmarks that need Vigil's internals, driven by `scripts/bench.py` (never by the tests).
///
/// `vigil-bench smtp URL COUNT CONCURRENCY [--new-connection-per-message]` queues COUNT
/// distinct notifications in a fresh outbox, delivers them through the SMTP output, and
/// prints one JSON line: seconds, delivered, connections opened.
@main
struct VigilBench {
    static func main() async throws {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.first == "matrix", arguments.count == 6, let count = Int(arguments[arguments.startIndex + 5]) {
            let values = Array(arguments)
            try await matrix(homeserver: values[1], user: values[2], password: values[3], room: values[4], count: count)
            return
        }
        if arguments.first == "webhook", arguments.count == 4, let count = Int(arguments[arguments.startIndex + 2]),
            let concurrency = Int(arguments[arguments.startIndex + 3])
        {
            try await webhook(url: arguments[arguments.startIndex + 1], count: count, concurrency: concurrency)
            return
        }
        if arguments.first == "push-load", arguments.count == 5, let count = Int(arguments[arguments.startIndex + 3]),
            let concurrency = Int(arguments[arguments.startIndex + 4])
        {
            let values = Array(arguments)
            try await pushLoad(url: values[1], secret: values[2], count: count, concurrency: concurrency)
            return
        }
        if arguments.first == "html", arguments.count == 2 {
            try await html(file: arguments[arguments.startIndex + 1])
            return
        }
        if arguments.first == "people", arguments.count >= 2 {
            let values = Array(arguments)
            try people(directory: values[1], threshold: values.count > 2 ? Double(values[2]) : nil)
            return
        }
        if arguments.first == "sponsor-mail", arguments.count == 6,
            let count = Int(arguments[arguments.startIndex + 2]),
            let concurrency = Int(arguments[arguments.startIndex + 3]),
            let domains = Int(arguments[arguments.startIndex + 4])
        {
            try await sponsorMail(
                url: arguments[arguments.startIndex + 1], count: count, concurrency: concurrency, domains: domains,
                paced: arguments[arguments.startIndex + 5] == "default")
            return
        }
        if arguments.first == "bounces", arguments.count == 2, let count = Int(arguments[arguments.startIndex + 1]) {
            bounces(count: count)
            return
        }
        if arguments.first == "console", arguments.count == 4, let people = Int(arguments[arguments.startIndex + 1]),
            let events = Int(arguments[arguments.startIndex + 2]), let runs = Int(arguments[arguments.startIndex + 3])
        {
            try await console(people: people, events: events, runs: runs)
            return
        }
        if arguments.first == "route" {
            try route()
            return
        }
        if arguments.first == "cel", arguments.count == 2, let count = Int(arguments[arguments.startIndex + 1]) {
            try cel(count: count)
            return
        }
        guard arguments.first == "smtp", arguments.count >= 4, let count = Int(arguments[arguments.startIndex + 2]),
            let concurrency = Int(arguments[arguments.startIndex + 3])
        else {
            let usage = [
                "usage: vigil-bench smtp URL COUNT CONCURRENCY [--new-connection-per-message]",
                "       vigil-bench matrix HOMESERVER USER PASSWORD ROOM COUNT",
                "       vigil-bench webhook URL COUNT CONCURRENCY",
                "       vigil-bench push-load HOOK-URL SECRET COUNT CONCURRENCY",
                "       vigil-bench cel COUNT",
                "       vigil-bench html FILE",
                "       vigil-bench people DIR [THRESHOLD]",
                "       vigil-bench sponsor-mail URL COUNT CONCURRENCY DOMAINS off|default",
                "       vigil-bench bounces COUNT",
                "       vigil-bench console PEOPLE EVENTS RUNS",
            ]
            FileHandle.standardError.write(Data((usage.joined(separator: "\n") + "\n").utf8))
            exit(64)
        }
        let url = arguments[arguments.startIndex + 1]
        try await smtp(
            url: url, count: count, concurrency: concurrency,
            newConnections: arguments.contains("--new-connection-per-message"))
    }

    /// Queues COUNT notices for ROOM and delivers them through the Matrix output (its default
    /// policy: one batch at a time, so the room reads them in order).
    static func matrix(homeserver: String, user: String, password: String, room: String, count: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStateStore(directory: directory)
        let output = MatrixOutput(
            id: "room",
            settings: MatrixOutput.Settings(
                homeserver: homeserver, user: user, password: try SecretString(password), to: [room], allowHTTP: true))
        let runID = try store.commit(queue(count, for: output))
        try await measure(
            store: store, output: output, policy: output.defaultDeliveryPolicy, runID: runID, directory: directory
        ) {
            ""
        }
    }

    /// COUNT changed-status events, each broadcast to `output`.
    static func queue(_ count: Int, for output: any Output, recipient: (Int) -> String? = { _ in nil }) -> ChangeSet {
        let now = Date()
        var batch = ChangeSet(startedAt: now)
        for index in 0..<count {
            let event = Event(
                kind: .changed, sourceID: "bench", at: now,
                record: Record(key: "P\(index)", name: "Person \(index) Vardoyantz", status: .canonical(.released)),
                changes: [FieldChange(field: "status", from: "detained", to: "released")])
            batch.events.append(event)
            if let address = recipient(index) {
                batch.notifications.append(
                    QueuedNotification(
                        idempotencyKey: IdempotencyKey.make(eventID: event.id, outputID: output.id, recipient: address),
                        eventID: event.id, outputID: output.id, recipient: address,
                        subject: PlainTextRenderer.subject(for: event), text: PlainTextRenderer.text(for: event)))
            } else {
                batch.notifications += Broadcast(outputs: [output]).notifications(for: event)
            }
        }
        return batch
    }

    /// Delivers everything due and prints one JSON line (plus `extra` members).
    static func measure(
        store: any StateStore, output: any Output, policy: DeliveryPolicy, runID: Int64, directory: String,
        mailing: MailingSettings? = nil, extra: () -> String
    ) async throws {
        let curl = CurlEngine(
            configuration: .init(maxConnectionsPerHost: max(8, policy.concurrency), maxCachedConnections: 64))
        defer { curl.shutdown() }
        let engine = DeliveryEngine(
            store: store, outputs: [output], policies: [output.id: policy],
            context: DeliveryContext(
                curl: curl, logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }),
                configDirectory: directory, stateDirectory: directory, mailing: mailing),
            runID: runID)
        let clock = ContinuousClock()
        let started = clock.now
        let summary = try await engine.deliverDue(at: Date())
        let elapsed = clock.now - started
        let seconds = elapsed.timeInterval
        print(
            "{\"seconds\": \(seconds), \"delivered\": \(summary.delivered), \"failed\": \(summary.deadLettered.count), "
                + "\"retrying\": \(summary.retrying)\(extra())}")
    }

    /// Queues COUNT notifications for a webhook output and delivers them (signing included).
    static func webhook(url: String, count: Int, concurrency: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStateStore(directory: directory)
        let secret = "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()
        let output = WebhookOutput(
            id: "partner",
            settings: WebhookOutput.Settings(
                url: url, secrets: [try SecretString(secret)], allowHTTP: true, concurrency: concurrency))
        let runID = try store.commit(queue(count, for: output))
        try await measure(
            store: store, output: output, policy: DeliveryPolicy(concurrency: concurrency, batchSize: 100),
            runID: runID,
            directory: directory
        ) { "" }
    }

    /// Sends COUNT distinct, validly signed single-record pushes, CONCURRENCY at a time, and
    /// prints accepted requests per second and latency percentiles.
    static func pushLoad(url: String, secret: String, count: Int, concurrency: Int) async throws {
        guard let key = StandardWebhooks.Secret(secret) else { return }
        let timestamp = Int(Date().timeIntervalSince1970)
        let requests: [CurlRequest] = (0..<count).map { index in
            let body = Array(
                #"{"record": {"id": "P\#(index)", "name": "Person \#(index)", "status": "detained"}}"#.utf8)
            let id = "msg_bench_\(UUID().uuidString)"
            return CurlRequest(
                url: url, method: .post,
                headers: [
                    ("Content-Type", "application/json"), ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
                    (
                        "webhook-signature",
                        StandardWebhooks.signature(id: id, timestamp: timestamp, body: body, secrets: [key])
                    ),
                ], body: body, allowedProtocols: "http")
        }
        let curl = CurlEngine(
            configuration: .init(maxConnectionsPerHost: concurrency, maxCachedConnections: concurrency * 2))
        defer { curl.shutdown() }
        let clock = ContinuousClock()
        let started = clock.now
        var latencies: [Duration] = []
        var accepted = 0
        try await withThrowingTaskGroup(of: (Int, Duration).self) { group in
            var next = 0
            func add() {
                let request = requests[next]
                next += 1
                group.addTask {
                    let sent = ContinuousClock.now
                    let response = try await curl.perform(request)
                    return (response.status, ContinuousClock.now - sent)
                }
            }
            while next < min(concurrency, requests.count) { add() }
            while let (status, latency) = try await group.next() {
                if status == 202 { accepted += 1 }
                latencies.append(latency)
                if next < requests.count { add() }
            }
        }
        let elapsed = clock.now - started
        let seconds = elapsed.timeInterval
        latencies.sort()
        func milliseconds(_ quantile: Double) -> Double {
            let value = latencies[min(latencies.count - 1, Int(Double(latencies.count) * quantile))]
            return Double(value.components.seconds) * 1000 + Double(value.components.attoseconds) / 1e15
        }
        print(
            "{\"seconds\": \(seconds), \"accepted\": \(accepted), \"p50_ms\": \(milliseconds(0.5)), "
                + "\"p99_ms\": \(milliseconds(0.99))}")
    }

    /// 10,000 events against 200 rules and 5,000 recipients holding 20,000 sponsorships:
    /// the time to produce the deduplicated notifications.
    static func route() throws {
        let outputs: [any Output] = [
            InMemoryOutput(id: "mail"), InMemoryOutput(id: "room"), InMemoryOutput(id: "hook"),
        ]
        let statuses = [
            "detained", "charged", "on_trial", "sentenced", "transferred", "released", "pardoned", "exchanged",
        ]
        let groups = ["soldiers-2020-12", "civilians-2020", "checkpoint-2021-05", "political-leaders"]
        var recipients: [Recipient] = []
        for index in 0..<5000 {
            var recipient = Recipient(
                id: "r\(index)", name: "Recipient \(index)",
                contacts: ["mail": "r\(index)@example.org", "hook": "https://h\(index % 50).example/"],
                groups: [index % 500 == 0 ? "team" : "sponsors"])
            recipient.sponsorship = Recipient.Sponsorship(
                keys: Set((0..<4).map { "P\((index * 4 + $0 * 7919) % 100_000)" }))
            recipients.append(recipient)
        }
        var rules: [Rule] = []
        for index in 0..<200 {
            let status = statuses[index % statuses.count]
            let condition: String
            switch index % 4 {
            case 0: condition = "event.kind == 'changed' && has(change.status) && change.status.to == '\(status)'"
            case 1:
                condition = "record.status == '\(status)' && record.fields.group == '\(groups[index % groups.count])'"
            case 2:
                condition =
                    "event.kind in ['added', 'removed'] && record.fields.group.startsWith('\(groups[index % groups.count].prefix(8))')"
            default: condition = "has(change.place) && record.status != '\(status)'"
            }
            let selector: Rule.Selector = index % 5 == 0 ? .outputs : (index % 5 == 1 ? .group("team") : .sponsors)
            rules.append(
                Rule(
                    id: "rule-\(index)", when: try CELProgram(condition, variables: Rule.variables), notify: [selector],
                    via: [index % 3 == 0 ? "room" : (index % 3 == 1 ? "mail" : "hook")]))
        }
        let now = Date()
        let events: [Event] = (0..<10_000).map { index in
            let status = statuses[index % statuses.count]
            let kind: Event.Kind = index % 10 == 0 ? .added : (index % 17 == 0 ? .removed : .changed)
            var changes: [FieldChange] = []
            if kind == .changed {
                changes.append(FieldChange(field: "status", from: "detained", to: status))
                if index % 3 == 0 { changes.append(FieldChange(field: "place", from: "A", to: "B")) }
            }
            return Event(
                kind: kind, sourceID: "list", at: now,
                record: Record(
                    key: "P\((index * 37) % 100_000)", name: "Person \(index)",
                    status: .canonical(DetaineeStatus.Canonical(rawValue: status) ?? .unknown),
                    fields: ["group": groups[index % groups.count], "place": "B"]),
                changes: changes)
        }
        var router = RuleRouter(rules: rules, recipients: recipients, outputs: outputs)
        let clock = ContinuousClock()
        func seconds(_ elapsed: Duration) -> Double {
            elapsed.timeInterval
        }
        // Routing alone (who hears of what, through which output, with which key), then the
        // same with every notification rendered through the shipped Mustache templates.
        router.renders = false
        var started = clock.now
        let decided = router.notifications(for: events, at: now)
        let routing = seconds(clock.now - started)
        router.renders = true
        started = clock.now
        let notifications = router.notifications(for: events, at: now)
        let rendered = seconds(clock.now - started)
        print(
            "{\"seconds\": \(routing), \"renderedSeconds\": \(rendered), \"events\": \(events.count), \"rules\": \(rules.count), \"recipients\": \(recipients.count), \"notifications\": \(notifications.count), \"decided\": \(decided.count)}"
        )
    }

    /// Evaluates a typical rule condition COUNT times over varying records; prints evaluations per second.
    static func cel(count: Int) throws {
        let program = try CELProgram(
            "event.kind == 'changed' && change.status.to in ['released', 'pardoned', 'exchanged'] "
                + "&& (record.key in sponsored || 'soldiers-2020-12' in record.tags)",
            variables: ["event", "record", "change", "sponsored"])
        let statuses = ["released", "detained", "sentenced", "pardoned"]
        let activations: [[CELValue]] = (0..<64).map { index in
            [
                .map([.string("kind"): .string(index % 3 == 0 ? "added" : "changed")]),
                .map([
                    .string("key"): .string("VG-\(index)"), .string("status"): .string(statuses[index % 4]),
                    .string("tags"): .list([.string(index % 2 == 0 ? "soldiers-2020-12" : "civilians-2020")]),
                ]),
                .map([
                    .string("status"): .map([
                        .string("from"): .string("detained"), .string("to"): .string(statuses[index % 4]),
                    ])
                ]),
                .list((0..<8).map { .string("VG-\($0 * 7)") }),
            ]
        }
        var matched = 0
        let clock = ContinuousClock()
        let started = clock.now
        for index in 0..<count where program.matches(activations[index & 63]) { matched += 1 }
        let elapsed = clock.now - started
        let seconds = elapsed.timeInterval
        print("{\"seconds\": \(seconds), \"evaluations\": \(count), \"matched\": \(matched)}")
    }

    static func smtp(url: String, count: Int, concurrency: Int, newConnections: Bool) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = try SQLiteStateStore(directory: directory)
        guard let from = MailAddress("alerts@vigil.example.org") else { return }
        let settings = SMTPOutput.Settings(
            url: url, plaintext: true, from: from, fromName: "Vigil", replyTo: nil, to: [], username: nil,
            password: nil,
            unsubscribeMailto: nil, unsubscribeURL: nil, headers: [], timeout: .seconds(30),
            connectTimeout: .seconds(5),
            verifyTLS: true, caFile: nil, concurrency: concurrency, newConnectionPerMessage: newConnections)
        var unpaced = settings
        // The loopback sink is one domain: per-domain pacing would measure the pacing.
        unpaced.pacing = DomainPacer.Limits(concurrency: concurrency, rate: 0)
        let output = SMTPOutput(id: "mail", settings: unpaced)
        let runID = try store.commit(queue(count, for: output) { "sponsor\($0 % 97)@example.org" })
        try await measure(
            store: store, output: output, policy: DeliveryPolicy(concurrency: concurrency, batchSize: 50), runID: runID,
            directory: directory
        ) { ", \"connections\": \(output.statistics.connectionsOpened)" }
    }
}
