import Curl
import Foundation
import Logging
import VigilCore
import VigilServer

extension VigilBench {
    /// `vigil-bench console PEOPLE EVENTS RUNS`: a SQLite state with PEOPLE listed people,
    /// EVENTS events about them (and a notification for one in ten), 14 days of hourly record
    /// counts and 1,000 sponsors; `vigil serve` in this process on loopback; a signed-in
    /// operator then asks for the overview, person pages (a different person each time) and a
    /// name search RUNS times each over one kept-alive connection. Prints one JSON line per
    /// page: median and 90th-percentile time per request (curl's total: the server's work plus
    /// loopback) and page weight in bytes.
    static func console(people: Int, events: Int, runs: Int) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vigil-bench-console-\(UUID())")
            .path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let port = Int.random(in: 20_000...60_000)
        let recipients = (0..<1000).map { index in
            let keys = (0..<10).map { "\"\(index * 10 + $0)\"" }.joined(separator: ",")
            return
                #"{"id": "s\#(index)", "name": "Sponsor \#(index)", "contacts": {"team": "s\#(index)@example.org"}, "#
                + #""sponsors": {"keys": [\#(keys)]}}"#
        }
        try """
        {"serve": {"listen": "127.0.0.1:\(port)"},
         "sources": [{"id": "ministry", "type": "json", "path": "list.json", "key": "id", "name": "name", "status": "status"},
                     {"id": "court", "type": "json", "path": "court.json", "key": "id", "name": "name"}],
         "outputs": [{"id": "team", "type": "stdout"}],
         "recipients": [\(recipients.joined(separator: ",\n"))],
         "rules": [{"id": "sponsors", "when": "true", "notify": "sponsors", "via": "team"}]}
        """.write(toFile: directory + "/config.json", atomically: true, encoding: .utf8)
        let configuration = try Configuration.load(path: directory + "/config.json")
        let store = try SQLiteStateStore(directory: directory + "/state")
        try seedConsoleState(store, people: people, events: events)
        try store.saveConsoleUser(
            ConsoleUser(
                name: "bench", role: .operator, passwordHash: try ConsolePasswords.hash("bench password 0123"),
                createdAt: Date()))

        let curl = CurlEngine()
        defer { curl.shutdown() }
        var logger = Logger(label: "bench")
        logger.logLevel = .critical  // the server's shutdown at the end is not news
        let app = try VigilServer.makeApplication(
            configuration: configuration, store: store, stateDirectory: directory + "/state", logger: logger,
            curl: curl, backgroundWork: false)
        let server = Task { try await app.runService() }
        defer { server.cancel() }
        let base = "http://127.0.0.1:\(port)"
        var cookie = ""
        func get(_ path: String, post form: String? = nil) async throws -> (CurlResponse, Duration) {
            var headers = cookie.isEmpty ? [] : [(name: "Cookie", value: cookie)]
            if form != nil { headers.append((name: "Content-Type", value: "application/x-www-form-urlencoded")) }
            let clock = ContinuousClock()
            let started = clock.now
            let response = try await curl.perform(
                CurlRequest(
                    url: base + path, method: form == nil ? .get : .post, headers: headers,
                    body: form.map { Array($0.utf8) }, allowedProtocols: "http"))
            return (response, clock.now - started)
        }
        func cookies(_ response: CurlResponse) -> [String: String] {
            var found: [String: String] = [:]
            for header in response.headers where header.name.lowercased() == "set-cookie" {
                let pair = header.value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                if pair.count == 2 { found[String(pair[0])] = String(pair[1]) }
            }
            return found
        }
        var login: CurlResponse?
        for _ in 0..<100 {
            login = try? await get("/console/login").0
            if login != nil { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        guard let login else { throw CurlError.transfer(code: 7, message: "vigil serve did not start") }
        let loginToken = cookies(login)["vigil_login"] ?? ""
        cookie = "vigil_login=\(loginToken)"
        let signedIn = try await get(
            "/console/login", post: "csrf=\(loginToken)&user=bench&password=bench+password+0123")
        cookie = "vigil_console=\(cookies(signedIn.0)["vigil_console"] ?? "")"

        var generator = SystemRandomNumberGenerator()
        let pages: [(name: String, path: () -> String)] = [
            ("overview", { "/console" }),
            ("person", { "/console/people/ministry:\(Int.random(in: 0..<people, using: &generator))" }),
            ("people search", { "/console/people?q=Petrosyan+\(Int.random(in: 0..<people, using: &generator))" }),
            ("held", { "/console/held" }),
            ("events (newest 100)", { "/console/events" }),
        ]
        for page in pages {
            for _ in 0..<3 { _ = try await get(page.path()) }
            var times: [Double] = []
            var bytes: [Int] = []
            for _ in 0..<runs {
                let (response, elapsed) = try await get(page.path())
                guard response.status == 200 else {
                    throw CurlError.transfer(code: 0, message: "\(page.name) answered \(response.status)")
                }
                times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
                bytes.append(response.body.count)
            }
            times.sort()
            bytes.sort()
            print(
                #"{"page": "\#(page.name)", "medianMs": \#(times[times.count / 2]), "p90Ms": \#(times[times.count * 9 / 10]), "#
                    + #""medianBytes": \#(bytes[bytes.count / 2]), "maxBytes": \#(bytes.last ?? 0)}"#)
        }
    }

    /// PEOPLE records, EVENTS events spread over them (with one notification per ten
    /// events), two sources' health with hourly record counts for 14 days.
    static func seedConsoleState(_ store: SQLiteStateStore, people: Int, events: Int) throws {
        let now = Date()
        let statuses: [DetaineeStatus] = [.canonical(.detained), .canonical(.onTrial), .canonical(.sentenced)]
        for hour in stride(from: 14 * 24, through: 0, by: -1) {
            var changes = ChangeSet(startedAt: now - Double(hour) * 3600)
            var ministry = SourceState(id: "ministry")
            ministry.lastAttemptAt = changes.startedAt
            ministry.lastSuccessAt = changes.startedAt
            ministry.baselineAt = now - 15 * 86_400
            ministry.recordCount = people - hour % 7 * 3
            var court = SourceState(id: "court")
            court.lastAttemptAt = changes.startedAt
            court.failingSince = now - 3600
            court.failureKind = "fetch"
            court.failureMessage = "fetch failed: HTTP 503"
            court.consecutiveFailures = 4
            changes.sources = [ministry, court]
            if hour == 14 * 24 {
                changes.records["ministry"] = RecordWrites(
                    upserts: (0..<people).map {
                        Record(key: "\($0)", name: "Ani Petrosyan \($0)", status: statuses[$0 % statuses.count])
                    })
            }
            try store.commit(changes)
        }
        var sequence = 0
        while sequence < events {
            var changes = ChangeSet(startedAt: now - Double(events - sequence))
            for _ in 0..<min(10_000, events - sequence) {
                let person = sequence % people
                let from = statuses[(sequence / people) % statuses.count]
                let to = statuses[(sequence / people + 1) % statuses.count]
                let event = Event(
                    kind: .changed, sourceID: "ministry", at: changes.startedAt,
                    record: Record(key: "\(person)", name: "Ani Petrosyan \(person)", status: to),
                    changes: [FieldChange(field: "status", from: from.description, to: to.description)])
                changes.events.append(event)
                if sequence % 10 == 0 {
                    changes.notifications.append(
                        QueuedNotification(
                            idempotencyKey: "\(event.id)-team", eventID: event.id, outputID: "team",
                            recipient: "s\(person / 10)@example.org", subject: "status", text: "status changed"))
                }
                sequence += 1
            }
            try store.commit(changes)
        }
    }
}
