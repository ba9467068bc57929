import Curl
import Foundation
import Logging
import Testing

@testable import VigilCore

/// Group commit of pushes: a batch gives each push the answer and the state it would have
/// had applied alone, in arrival order, and commits what it can together.
@Suite struct PushBatchTests {
    typealias Kind = StateStoreContractTests.Kind
    let now = Date(timeIntervalSince1970: 1_702_512_000)

    func cycle(_ store: any StateStore, curl: CurlEngine) throws -> WatchCycle {
        let source = SourceConfiguration(
            id: "field", location: .push(secrets: []), type: "json",
            reader: JSONSourceReader(records: try JSONPath("$.prisoners[*]")),
            mapping: FieldMapping(key: ["id"], name: ["name"], status: "status"), maxDrop: 0.5)
        let configuration = Configuration(
            file: "/dev/null", directory: "/tmp", sources: [source], outputs: [InMemoryOutput(id: "memory")],
            stateDirectory: "/tmp")
        return WatchCycle(
            configuration: configuration, store: store, curl: curl,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    func record(_ id: Int, _ status: String, id webhookID: String? = nil) -> WatchCycle.PendingPush {
        WatchCycle.PendingPush(
            body: Array(#"{"record": {"id": \#(id), "name": "Person \#(id)", "status": "\#(status)"}}"#.utf8),
            webhookID: webhookID ?? "msg_\(id)_\(status)")
    }

    func document(_ people: [(Int, String)], id: String) -> WatchCycle.PendingPush {
        let items = people.map { #"{"id": \#($0.0), "name": "Person \#($0.0)", "status": "\#($0.1)"}"# }
        return WatchCycle.PendingPush(
            body: Array(#"{"prisoners": [\#(items.joined(separator: ","))]}"#.utf8), webhookID: id)
    }

    /// What the store holds afterwards: (run, kind, key, status change) per event, oldest first.
    func history(_ store: any StateStore) throws -> [(run: Int64, kind: Event.Kind, key: String, change: String)] {
        try store.events(limit: 1000).reversed().map { stored in
            let status = stored.event.changes.first { $0.field == "status" }
            return (
                stored.runID, stored.event.kind, stored.event.record?.key ?? "",
                status.map { "\($0.from ?? "")→\($0.to ?? "")" } ?? ""
            )
        }
    }

    /// The same pushes, one batch and one by one, leave the same events and answers.
    @Test(arguments: Kind.allCases) func aBatchGivesWhatPushingOneByOneGives(kind: Kind) async throws {
        let pushes = [
            document([(1, "detained"), (2, "detained"), (3, "detained")], id: "msg_base"),
            record(1, "released"), record(2, "on trial"), record(4, "detained"),
            record(1, "detained"),  // the same record again: sees the release before it
            record(3, "released"),
        ]
        let curl = CurlEngine()
        defer { curl.shutdown() }
        let (batched, batchedAnswers) = try await StateStoreContractTests.withStore(kind) { store in
            let answers = try await cycle(store, curl: curl).pushBatch(
                sourceID: "field", pushes, options: .init(now: now, deliver: false))
            return (try history(store), answers.map { (try? $0.get())?.events ?? -1 })
        }
        let (alone, aloneAnswers) = try await StateStoreContractTests.withStore(kind) { store in
            var answers: [Int] = []
            for push in pushes {
                let report = try await cycle(store, curl: curl).push(
                    sourceID: "field", body: push.body, webhookID: push.webhookID,
                    options: .init(now: now, deliver: false)
                ).report
                answers.append(report.events)
            }
            return (try history(store), answers)
        }
        #expect(
            batched.map { "\($0.kind) \($0.key) \($0.change)" } == alone.map { "\($0.kind) \($0.key) \($0.change)" })
        #expect(
            batched.map { "\($0.kind) \($0.key) \($0.change)" } == [
                "changed 1 detained→released",
                "changed 2 detained→on trial", "added 4 ", "changed 1 released→detained",
                "changed 3 detained→released",
            ])
        #expect(batchedAnswers == aloneAnswers)
        #expect(batchedAnswers == [0, 1, 1, 1, 1, 1])
        // Together: the document alone, records 1, 2 and 4 in one run, then 1 and 3 in the next.
        let runs = batched.map(\.run)
        #expect(Set(runs).count == 2)
        #expect(runs[0] == runs[1] && runs[1] == runs[2] && runs[3] == runs[4] && runs[2] != runs[3])
        #expect(Set(alone.map(\.run)).count == 5)
    }

    /// A replay within the batch, an unreadable push and an id stored before are refused
    /// alone; the rest is applied.
    @Test(arguments: Kind.allCases) func refusalsInABatchTouchOnlyTheirOwnPush(kind: Kind) async throws {
        let curl = CurlEngine()
        defer { curl.shutdown() }
        try await StateStoreContractTests.withStore(kind) { store in
            let cycle = try cycle(store, curl: curl)
            _ = await cycle.pushBatch(
                sourceID: "field",
                [document([(1, "detained"), (2, "detained")], id: "msg_base"), record(9, "detained", id: "msg_old")],
                options: .init(now: now, deliver: false))
            let garbage = WatchCycle.PendingPush(body: Array(#"{"record": ["#.utf8), webhookID: "msg_garbage")
            let answers = await cycle.pushBatch(
                sourceID: "field",
                [
                    record(1, "released", id: "msg_a"), garbage, record(2, "released", id: "msg_a"),
                    record(2, "on trial", id: "msg_b"), record(9, "released", id: "msg_old"),
                ], options: .init(now: now, deliver: false))
            #expect((try? answers[0].get())?.events == 1)
            guard case .failure(.invalid) = answers[1] else { Issue.record("garbage: \(answers[1])"); return }
            guard case .failure(.state(.duplicatePush(id: "msg_a"))) = answers[2] else {
                Issue.record("replay in the batch: \(answers[2])")
                return
            }
            #expect((try? answers[3].get())?.events == 1)
            guard case .failure(.state(.duplicatePush(id: "msg_old"))) = answers[4] else {
                Issue.record("replay of a stored id: \(answers[4])")
                return
            }
            let statuses = try store.storedContents(source: "field", keys: ["VG-1", "1", "2", "9"])
            #expect(statuses["1"]?.contains("released") == true)
            #expect(statuses["2"]?.contains("on trial") == true)
            #expect(statuses["9"]?.contains("released") == false)
        }
    }
}
