import Foundation
import Logging
import Testing

@testable import VigilCore

/// The fail-closed rules as a table of pure cases: no file, database, network or clock.
@Suite struct DetectorTests {
    let source = SourceConfiguration(
        id: "list", location: .file("/dev/null"), type: "csv", reader: CSVSourceReader(delimiter: ","),
        mapping: FieldMapping(key: ["id"], name: ["name"], status: "status"), maxDrop: 0.2)
    let detector = Detector(logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    let now = Date(timeIntervalSince1970: 1_702_512_000)

    static func person(_ key: Int, _ status: String = "detained") -> Record {
        Record(key: "VG-\(key)", name: "Person \(key)", status: DetaineeStatus(stored: status))
    }

    /// Stored digests and contents of `records`, as a store would give them.
    static func stored(_ records: [Record]) -> (digests: [String: Int64], contents: [String: String]) {
        (
            Dictionary(uniqueKeysWithValues: records.map { ($0.key, $0.canonicalDigest) }),
            Dictionary(uniqueKeysWithValues: records.map { ($0.key, $0.canonicalEncoding) })
        )
    }

    func reading(
        _ fresh: [Record], stored: [Record], baselined: Bool = true, partial: Bool = false
    ) async throws -> SourceReading {
        let (digests, contents) = Self.stored(stored)
        let comparison = try await Detector.compare(
            ParsedSource(records: fresh), stored: digests,
            contents: { keys in contents.filter { keys.contains($0.key) } },
            baselined: baselined, partial: partial)
        return .parsed(ParsedSource(records: fresh), validators: Validators(etag: "\"v2\""), comparison)
    }

    func healthy(records: Int = 10) -> SourceState {
        var state = SourceState(id: "list")
        state.baselineAt = now.addingTimeInterval(-86_400)
        state.lastSuccessAt = now.addingTimeInterval(-900)
        state.recordCount = records
        state.validators = Validators(etag: "\"v1\"")
        return state
    }

    func failing(_ kinds: [String], runs: Int = 1) -> SourceState {
        var state = healthy()
        state.failingSince = now.addingTimeInterval(-1800)
        state.reportedFailureKinds = kinds
        state.consecutiveFailures = runs
        return state
    }

    var ten: [Record] { (1...10).map { Self.person($0) } }

    @Test func aFirstReadingIsABaselineWithoutPersonEvents() async throws {
        let detection = detector.detect(
            try await reading(ten, stored: [Self.person(99)], baselined: false), source: source,
            previous: SourceState(id: "list"), at: now, acceptDrop: false)
        #expect(detection.events.isEmpty)
        #expect(detection.writes == RecordWrites(upserts: ten, deletions: ["VG-99"]))
        #expect(detection.state.baselineAt == now)
        #expect(detection.state.recordCount == 10)
        #expect(detection.state.validators.etag == "\"v2\"")
    }

    @Test func aDiffBecomesAddedChangedAndRemovedEventsInThatOrder() async throws {
        var fresh = Array(ten.dropFirst())  // VG-1 removed
        fresh[0] = Self.person(2, "released")  // VG-2 changed
        fresh.append(Self.person(11))  // VG-11 added
        let detection = detector.detect(
            try await reading(fresh, stored: ten), source: source, previous: healthy(), at: now, acceptDrop: false)
        #expect(detection.events.map(\.kind) == [.added, .changed, .removed])
        #expect(detection.events.map { $0.record?.key } == ["VG-11", "VG-2", "VG-1"])
        #expect(detection.events[1].changes.map(\.field) == ["status"])
        #expect(detection.writes?.upserts.map(\.key) == ["VG-11", "VG-2"])
        #expect(detection.writes?.deletions == ["VG-1"])
        #expect(detection.state.recordCount == 10)
        #expect(!detection.state.isFailing)
    }

    @Test(arguments: [
        (kept: 8, acceptDrop: false, failsClosed: false),  // 20 % removed: at the limit
        (kept: 7, acceptDrop: false, failsClosed: true),  // 30 %: suspicious
        (kept: 0, acceptDrop: false, failsClosed: true),  // an empty list "releases" nobody
        (kept: 7, acceptDrop: true, failsClosed: false),  // the operator accepted this run's drop
    ])
    func aDropBeyondTheLimitFailsClosed(kept: Int, acceptDrop: Bool, failsClosed: Bool) async throws {
        let detection = detector.detect(
            try await reading(Array(ten.prefix(kept)), stored: ten), source: source, previous: healthy(), at: now,
            acceptDrop: acceptDrop)
        if failsClosed {
            #expect(detection.events.map(\.kind) == [.suspicious])
            #expect(detection.writes == nil, "nothing stored: no person is removed")
            #expect(detection.state.failingSince == now)
            #expect(detection.state.validators.etag == "\"v1\"", "the next run fetches again")
            #expect(detection.state.recordCount == 10)
        } else {
            #expect(detection.events.map(\.kind) == Array(repeating: .removed, count: 10 - kept))
            #expect(detection.writes?.deletions.count == 10 - kept)
            #expect(!detection.state.isFailing)
        }
    }

    @Test(arguments: [
        // (kinds reported so far in the streak, this failure, events raised, kinds after)
        ([String](), SourceFailure.httpStatus(500), 1, ["http"]),
        (["http"], SourceFailure.httpStatus(503), 0, ["http"]),
        (["http"], SourceFailure.wrongType("text/html"), 1, ["type", "http"]),
        (["type", "http"], SourceFailure.httpStatus(500), 0, ["http", "type"]),
    ])
    func aFailureStreakIsReportedOncePerCause(
        reported: [String], failure: SourceFailure, raised: Int, after: [String]
    ) {
        let previous = reported.isEmpty ? healthy() : failing(reported)
        let detection = detector.detect(
            .failed(failure), source: source, previous: previous, at: now, acceptDrop: false)
        #expect(detection.events.count == raised)
        #expect(detection.events.allSatisfy { $0.kind == .failing && $0.record == nil })
        #expect(detection.writes == nil)
        #expect(detection.state.reportedFailureKinds == after)
        #expect(detection.state.consecutiveFailures == previous.consecutiveFailures + 1)
        #expect(detection.state.lastSuccessAt == previous.lastSuccessAt)
        if case .failed = detection.report.outcome {} else { Issue.record("reported as \(detection.report.outcome)") }
    }

    @Test func aRecoveryIsAnnouncedBeforeThePersonEvents() async throws {
        var fresh = ten
        fresh[4] = Self.person(5, "sentenced")
        let detection = detector.detect(
            try await reading(fresh, stored: ten), source: source, previous: failing(["http"], runs: 3), at: now,
            acceptDrop: false)
        #expect(detection.events.map(\.kind) == [.recovered, .changed])
        #expect(detection.events[0].message?.hasPrefix("after 3 failed runs since") == true)
        #expect(!detection.state.isFailing)
        #expect(detection.state.failureKind == nil && detection.state.consecutiveFailures == 0)
        #expect(detection.state.lastSuccessAt == now)
    }

    @Test func notModifiedChangesNothingButTheDates() {
        let previous = healthy()
        let detection = detector.detect(.notModified, source: source, previous: previous, at: now, acceptDrop: false)
        #expect(detection.events.isEmpty && detection.writes == nil)
        #expect(detection.state.validators == previous.validators)
        #expect(detection.state.lastAttemptAt == now && detection.state.lastSuccessAt == now)
    }

    @Test func aSinglePushedRecordRemovesNobody() async throws {
        let detection = detector.detect(
            try await reading([Self.person(11)], stored: [], partial: true), source: source, previous: healthy(),
            at: now, acceptDrop: false)
        #expect(detection.events.map(\.kind) == [.added])
        #expect(detection.writes?.deletions == [])
        #expect(detection.state.recordCount == 11)
    }

    @Test func aPushBeforeTheBaselineIsComparedAsOneRecordAlone() async throws {
        let detection = detector.detect(
            try await reading([Self.person(1, "released")], stored: [Self.person(1)], baselined: false, partial: true),
            source: source, previous: SourceState(id: "list"), at: now, acceptDrop: false)
        #expect(detection.events.map(\.kind) == [.changed])
        #expect(detection.state.baselineAt == nil)
    }
}
