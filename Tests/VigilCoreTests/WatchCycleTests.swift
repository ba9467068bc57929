import Curl
import Foundation
import Logging
import Synchronization
import Testing

@testable import VigilCore

/// A watch cycle over a local JSON file in a fresh temporary directory.
final class CycleFixture {
    let directory: String
    let file: String
    let curl = CurlEngine()
    let store: SQLiteStateStore
    let output: InMemoryOutput
    var maxDrop = 0.2
    var statusMap: [String: DetaineeStatus.Canonical] = [:]

    init(output: InMemoryOutput = InMemoryOutput(id: "memory")) throws {
        directory =
            FileManager.default.temporaryDirectory.appendingPathComponent("vigil-test-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        file = directory + "/list.json"
        store = try SQLiteStateStore(directory: directory + "/state")
        self.output = output
    }

    deinit {
        curl.shutdown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    func write(_ people: [(id: Int, status: String)]) throws {
        let items = people.map { #"{"id": \#($0.id), "name": "Person \#($0.id)", "status": "\#($0.status)"}"# }
        try Data(("{\"prisoners\": [" + items.joined(separator: ",") + "]}").utf8).write(to: URL(fileURLWithPath: file))
    }

    func writeRaw(_ text: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    }

    func run(acceptDrop: Set<String> = [], at now: Date = Date()) async throws -> RunReport {
        let source = SourceConfiguration(
            id: "list", location: .file(file), type: "json",
            reader: JSONSourceReader(records: try JSONPath("$.prisoners[*]")),
            mapping: FieldMapping(key: ["id"], name: ["name"], status: "status", statusMap: statusMap),
            maxDrop: maxDrop)
        let configuration = Configuration(
            file: directory + "/config.json", directory: directory, sources: [source], outputs: [output],
            stateDirectory: directory + "/state")
        let cycle = WatchCycle(
            configuration: configuration, store: store, curl: curl,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        return try await cycle.run(options: WatchCycle.Options(acceptDrop: acceptDrop, now: now))
    }

    var kinds: [Event.Kind] { (try? store.events(limit: 1000).reversed().map(\.event.kind)) ?? [] }
}

@Suite struct WatchCycleTests {
    let ten = (1...10).map { (id: $0, status: "detained") }

    @Test func firstRunIsABaselineThenChangesAreNotified() async throws {
        let fixture = try CycleFixture()
        try fixture.write(ten)
        let baseline = try await fixture.run()
        #expect(baseline.events == 0)
        #expect(fixture.output.notifications.isEmpty)
        #expect(try fixture.store.storedRecords(source: "list").count == 10)

        var next = ten
        next[2].status = "released"
        next.removeLast()
        next.append((id: 11, status: "detained"))
        try fixture.write(next)
        let report = try await fixture.run()
        #expect(report.exitStatus == .ok)
        #expect(Set(fixture.kinds) == [.added, .changed, .removed])
        #expect(fixture.output.notifications.count == 3)
        let changed = try #require(fixture.output.notifications.first { $0.text.contains("changed") })
        #expect(changed.text.contains("status: detained → released"))
        #expect(
            try fixture.store.storedRecords(source: "list").keys.sorted()
                == (1...11).filter { $0 != 10 }.map(String.init).sorted())

        let quiet = try await fixture.run()
        #expect(quiet.events == 0)
        #expect(fixture.output.notifications.count == 3)
    }

    @Test func aFailureStreakIsReportedOnceAndKeepsState() async throws {
        let fixture = try CycleFixture()
        try fixture.write(ten)
        _ = try await fixture.run()
        let before = try fixture.store.storedRecords(source: "list")

        for broken in ["", "{\"prisoners\": [", "<html>login</html>", "{\"prisoners\": []}"] {
            try fixture.writeRaw(broken)
            let report = try await fixture.run()
            #expect(report.exitStatus == .sourceFailed)
            #expect(try fixture.store.storedRecords(source: "list") == before)
        }
        // Empty, unreadable, HTML, empty again: the streak and each new cause are reported
        // once; the return of a cause already reported is not.
        #expect(fixture.kinds == [.failing, .failing, .failing])
        #expect(try fixture.store.sourceStates()["list"]?.consecutiveFailures == 4)

        var next = ten
        next[0].status = "sentenced"
        try fixture.write(next)
        let recovered = try await fixture.run()
        #expect(recovered.exitStatus == .ok)
        #expect(fixture.kinds == [.failing, .failing, .failing, .recovered, .changed])
        #expect(try fixture.store.sourceStates()["list"]?.isFailing == false)
    }

    @Test func aSuspiciousDropIsHeldUntilAccepted() async throws {
        let fixture = try CycleFixture()
        try fixture.write(ten)
        _ = try await fixture.run()
        try fixture.write(Array(ten.prefix(7)))
        let held = try await fixture.run()
        #expect(held.exitStatus == .sourceFailed)
        #expect(fixture.kinds == [.suspicious])
        #expect(try fixture.store.storedRecords(source: "list").count == 10)

        let accepted = try await fixture.run(acceptDrop: ["list"])
        #expect(accepted.exitStatus == .ok)
        #expect(fixture.kinds == [.suspicious, .recovered, .removed, .removed, .removed])
        #expect(try fixture.store.storedRecords(source: "list").count == 7)
    }

    @Test func aTransientDeliveryFailureIsRetriedWithTheSameKey() async throws {
        let attempts = AttemptCounter()
        let output = InMemoryOutput(id: "flaky") { _ in
            attempts.next() == 1 ? .retry(after: nil, reason: "421 try later") : .delivered
        }
        let fixture = try CycleFixture(output: output)
        try fixture.write(ten)
        _ = try await fixture.run()
        var next = ten
        next[4].status = "released"
        try fixture.write(next)
        // The retry is due 30 s after the run's clock, which starts after this (however long
        // the run takes on a loaded machine).
        let before = Date()
        let first = try await fixture.run()
        #expect(first.exitStatus == .deliveryFailed)
        let pending = try fixture.store.undeliveredNotifications()
        #expect(pending.count == 1)
        #expect(pending.first?.lastError == "421 try later")
        #expect(try #require(pending.first).nextAttemptAt > before.addingTimeInterval(25))

        let immediately = try await fixture.run()
        #expect(immediately.delivered == 0)
        let later = try await fixture.run(at: Date().addingTimeInterval(3600))
        #expect(later.delivered == 1)
        #expect(later.exitStatus == .ok)
        let keys = output.notifications.map(\.idempotencyKey)
        #expect(keys.count == 2)
        #expect(Set(keys).count == 1)
        #expect(try fixture.store.undeliveredNotifications().isEmpty)
    }

    @Test func stateFilesArePrivate() throws {
        let fixture = try CycleFixture()
        let attributes = try FileManager.default.attributesOfItem(atPath: fixture.store.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let directory = try FileManager.default.attributesOfItem(atPath: fixture.directory + "/state")
        #expect((directory[.posixPermissions] as? NSNumber)?.intValue == 0o700)
    }
}

final class AttemptCounter: Sendable {
    private let count = Mutex(0)

    func next() -> Int {
        count.withLock {
            $0 += 1
            return $0
        }
    }
}
